#!/bin/sh
# `make bench-web`: the client area under load. Seeds 100,000 clients (300,000 services, a renewal proforma each),
# adds one client through the API who orders and logs in through the web form, then runs wrk on 127.0.0.1
# (2 threads, 32 connections, 10 s, after a 3 s warm-up) against that client's invoice page and against /health
# of the same server, alternating, BENCH_ROUNDS times (default 3). Prints requests/s, p99 and the server's peak RSS.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-100000}
swift build -c release --product hostico 2>&1 | tail -1
BIN=.build/release/hostico
LOG=${BENCH_LOG:-bench-web.log}
WORK=$(mktemp -d /tmp/hostico-bench-web.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SQLITE_PATH=$WORK/bench.sqlite HTTP_PORT=$PORT PUBLIC_BASE_URL=http://127.0.0.1:$PORT DEV_OUTBOX_DIR=$WORK/outbox LOG_LEVEL=warning
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

$BIN bench seed --services $((CLIENTS * 3)) --due-on 2026-12-01 | tail -1 | tee "$LOG"
$BIN billing run --as-of 2026-11-20 | tail -1 | tee -a "$LOG"
KEY=$($BIN api-key create --name bench-web | sed -n 's/.*: \(hk_[0-9a-f]*\)$/\1/p')
$BIN serve --no-worker > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done
API="http://127.0.0.1:$PORT/api/v1"
CLIENT=$(curl -fs -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$API/clients" -d '{"email":"wrk@example.ro","password":"bench password 1","phone":"0722123456","language":"ro","profile":{"kind":"person","name":"Ana Wrk","street":"Str. Lungă 1","city":"Cluj-Napoca","county":"CJ","country":"RO"}}' \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
PROFORMA=$(curl -fs -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$API/orders" -d "{\"clientId\":$CLIENT,\"planId\":1,\"cycle\":\"monthly\",\"domain\":\"wrk.example\"}" \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["proforma"]["id"])')
JAR=$WORK/jar
CSRF=$(curl -fs -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -fs -o /dev/null -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" --data-urlencode "_csrf=$CSRF" --data-urlencode "email=wrk@example.ro" --data-urlencode "password=bench password 1"
COOKIE="hostico_session=$(awk '$6=="hostico_session"{print $7}' "$JAR")"
PAGE="http://127.0.0.1:$PORT/invoices/proforma/$PROFORMA"
curl -fs -H "Cookie: $COOKIE" "$PAGE" | grep -q "Total" || { echo "the invoice page did not render for the logged-in client" >&2; exit 1; }
echo "invoice page: $PAGE ($(curl -fs -H "Cookie: $COOKIE" "$PAGE" | wc -c) bytes), client #$CLIENT among $CLIENTS seeded" | tee -a "$LOG"

run() { # $1 = label, $2.. = wrk arguments
  label=$1; shift
  out=$(wrk -t2 -c32 -d10s --latency "$@")
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  p99=$(echo "$out" | sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p')
  errors=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || true)
  echo "$label rps=$rps p99=$p99 $errors" | tee -a "$LOG"
}
wrk -t2 -c32 -d3s "http://127.0.0.1:$PORT/health" >/dev/null
wrk -t2 -c32 -d3s -H "Cookie: $COOKIE" "$PAGE" >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  run "round $r bare /health:" "http://127.0.0.1:$PORT/health"
  run "round $r invoice page:" -H "Cookie: $COOKIE" "$PAGE"
done
[ -n "${BENCH_PROFILE:-}" ] && { perf record -F 499 -g -p $SERVER -o $WORK/perf.data -- sleep 8 >/dev/null 2>&1 & wrk -t2 -c32 -d8s -H "Cookie: $COOKIE" "$PAGE" >/dev/null; sleep 1; perf report -i $WORK/perf.data --no-children -g none --percent-limit 0.7 --sort dso,symbol 2>/dev/null | grep -v "^#" | head -60 > /tmp/perf-web.txt; }
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$SERVER/status)" | tee -a "$LOG"
python3 - "$LOG" <<'PY'
import re, statistics, sys
lines = open(sys.argv[1]).read().splitlines()
def med(kind):
    return statistics.median(float(re.search(r"rps=([0-9.]+)", l).group(1)) for l in lines if kind in l and "rps=" in l)
bare, page = med("bare /health"), med("invoice page")
print(f"median: bare {bare:.0f} req/s, invoice page {page:.0f} req/s, ratio {page / bare:.2f} (target 0.50)")
PY
