#!/bin/sh
# `make bench`: N services (default 1,000,000; BENCH_SERVICES=… for fewer) for N/3 clients, all due on one day;
# times the billing run, a second (idempotent) run and a plain multi-row insert of N rows into the same database,
# on SQLite (synchronous=FULL) and on PostgreSQL (fsync on). Release build. Figures go to stdout and bench.log.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_SERVICES:-1000000}
swift build -c release --product hostico 2>&1 | tail -1
BIN=.build/release/hostico
LOG=${BENCH_LOG:-bench.log}
: > "$LOG"
WORK=$(mktemp -d /tmp/hostico-bench.XXXXXX); chmod 755 "$WORK"
export PG_DIR=$WORK/pg PG_PORT=${BENCH_PG_PORT:-54339} PG_DURABLE=1
cleanup() { scripts/postgres.sh stop; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
PG_ADMIN=$(scripts/postgres.sh start)

quiet() { grep -v 'PostgresClient.run()' || true; }

bench() { # $1 = label, $2 = database URL
  label=$1 url=$2
  $BIN bench seed --services "$N" --database-url "$url" 2>&1 | quiet | tee -a "$LOG"
  plain=$($BIN bench plain-insert --rows "$N" --database-url "$url" 2>&1 | quiet)
  echo "$plain" | tee -a "$LOG"
  first=$( { /usr/bin/time -f 'RSS_KB=%M' $BIN billing run --as-of 2026-11-20 --database-url "$url"; } 2>&1 | quiet)
  echo "$first" | tee -a "$LOG"
  second=$( { /usr/bin/time -f 'RSS_KB=%M' $BIN billing run --as-of 2026-11-20 --database-url "$url"; } 2>&1 | quiet)
  echo "$second" | tee -a "$LOG"
  t1=$(echo "$first" | sed -n 's/.* in \([0-9.]*\) s\./\1/p')
  t2=$(echo "$second" | sed -n 's/.* in \([0-9.]*\) s\./\1/p')
  rss=$(echo "$first" | sed -n 's/RSS_KB=//p')
  tp=$(echo "$plain" | sed -n 's/.* rows in \([0-9.]*\) s.*/\1/p')
  python3 - "$label" "$N" "$t1" "$t2" "$rss" "$tp" <<'PY' | tee -a "$LOG"
import sys
label, n, t1, t2, rss, tp = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
rate, limit = n / t1, n / tp
print(f"RESULT {label}: {n} services billed in {t1:.1f} s = {rate:,.0f} services/s; plain insert {limit:,.0f} rows/s "
      f"(ratio {rate / limit:.1%}); peak RSS {rss / 1024:.0f} MB; second run {t2:.2f} s ({t2 / t1:.1%} of the first)")
PY
}

bench sqlite "$WORK/bench.sqlite"
psql "$PG_ADMIN" -qc "CREATE DATABASE bench" >/dev/null
bench postgres "$(echo "$PG_ADMIN" | sed 's#/postgres$#/bench#')"
echo "Targets (SQLite): 1,000,000 services in <= 60 s, >= 25% of the plain-insert rate, peak RSS < 500 MB, second run < 10%."
