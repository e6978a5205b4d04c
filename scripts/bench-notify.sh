#!/bin/sh
# `make bench-notify`: N SMS (default 10,000) through SMPP to the smpp34 simulator and N e-mails through SMTP
# (STARTTLS + AUTH) to aiosmtpd, each queued at once and delivered by `hostico notify run`; then the same
# counts with plain clients (smpplib, Python's smtplib) against the same servers. RUNS times (default 3);
# medians printed. SQLite database, release build. Figures go to stdout and bench-notify.log.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_MESSAGES:-10000}
RUNS=${BENCH_RUNS:-3}
LOG=${BENCH_LOG:-bench-notify.log}
swift build -c release --product hostico 2>&1 | tail -1
BIN=$PWD/.build/release/hostico
: > "$LOG"
WORK=$(mktemp -d /tmp/hostico-bench-notify.XXXXXX)
eval "$(scripts/peers.sh start)"
SMSC_PORT=${BENCH_SMSC_PORT:-27761}
"$TEST_PEERS_PYTHON" scripts/peers/smsc_sim.py "$SMSC_PORT" "$WORK/smsc.jsonl" > "$WORK/smsc.out" 2>&1 &
SMSC_PID=$!
cleanup() { kill $SMSC_PID 2>/dev/null || true; scripts/peers.sh stop; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
i=0; until grep -q "SMSC listening" "$WORK/smsc.out"; do i=$((i+1)); [ $i -lt 100 ] || { cat "$WORK/smsc.out"; exit 1; }; sleep 0.1; done

export SMS_TIME_ZONE=UTC SMS_WINDOW_START=0 SMS_WINDOW_END=24   # SMS at any hour in a benchmark
export SMS_TRANSPORT=smpp SMPP_HOST=127.0.0.1 SMPP_PORT=$SMSC_PORT SMPP_SYSTEM_ID=hostico SMPP_PASSWORD=secret
export MAIL_TRANSPORT=smtp SMTP_HOST=127.0.0.1 SMTP_PORT=$TEST_SMTP_PORT SMTP_SECURITY=starttls SMTP_USERNAME=billing SMTP_PASSWORD=s3cret SMTP_CA_FILE=$TEST_SMTP_CA
seconds() { sed -n 's/.* in \([0-9.]*\) s\.$/\1/p'; }

run=1
while [ $run -le "$RUNS" ]; do
  db="$WORK/run$run.sqlite"
  $BIN bench seed-messages --channel sms --count "$N" --database-url "$db" >/dev/null
  out=$( { /usr/bin/time -f 'RSS_KB=%M' $BIN notify run --database-url "$db"; } 2>&1 )
  echo "$out" | grep -q "$N sent" || { echo "$out"; exit 1; }
  echo "sms $(echo "$out" | seconds) $(echo "$out" | sed -n 's/RSS_KB=//p')" | tee -a "$LOG"
  $BIN bench seed-messages --channel email --count "$N" --database-url "$db" >/dev/null
  out=$( { /usr/bin/time -f 'RSS_KB=%M' $BIN notify run --database-url "$db"; } 2>&1 )
  echo "$out" | grep -q "$N sent" || { echo "$out"; exit 1; }
  echo "email $(echo "$out" | seconds) $(echo "$out" | sed -n 's/RSS_KB=//p')" | tee -a "$LOG"
  echo "smpplib $("$TEST_PEERS_PYTHON" scripts/peers/bench_smpplib.py "$SMSC_PORT" "$N")" | tee -a "$LOG"
  echo "smtplib $("$TEST_PEERS_PYTHON" scripts/peers/bench_smtplib.py "$TEST_SMTP_PORT" "$N" "$TEST_SMTP_CA")" | tee -a "$LOG"
  run=$((run+1))
done
python3 - "$N" "$LOG" <<'PY' | tee -a "$LOG"
import sys, statistics
n, rows = int(sys.argv[1]), [l.split() for l in open(sys.argv[2]) if l[:1].isalpha() and not l.startswith("RESULT")]
med = lambda k: statistics.median(float(r[1]) for r in rows if r[0] == k)
rss = lambda k: max(int(r[2]) for r in rows if r[0] == k) / 1024
runs = sum(1 for r in rows if r[0] == "sms")
print(f"RESULT SMS: {n} through SMPP in {med('sms'):.2f} s = {n / med('sms'):,.0f}/s (median of {runs}); smpplib {n / med('smpplib'):,.0f}/s; ours = {med('smpplib') / med('sms'):.2f} × smpplib's rate; peak RSS {rss('sms'):.0f} MB")
print(f"RESULT e-mail: {n} through SMTP in {med('email'):.2f} s = {n / med('email'):,.0f}/s (median of {runs}); smtplib {n / med('smtplib'):,.0f}/s; ours = {med('smtplib') / med('email'):.2f} × smtplib's rate; peak RSS {rss('email'):.0f} MB")
print("Targets: >= 1,000 SMS/s and >= 300 e-mails/s end to end.")
PY
