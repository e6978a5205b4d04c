#!/bin/sh
# `make bench-login-flood` (issue 18.5): a client's login and /health timed quiet and then under a sign-up flood
# (12 sign-ups from one address, then BENCH_FLOOD_THREADS threads, default 48, each sign-up from a fresh forwarded address, for BENCH_SECONDS, default 15),
# against the release binary with real bcrypt (cost 12). Prints the medians and the sign-up answers by status.
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product hostico 2>&1 | tail -1
BIN=$PWD/.build/release/hostico
WORK=$(mktemp -d /tmp/hostico-bench-flood.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SQLITE_PATH=$WORK/bench.sqlite HTTP_PORT=$PORT PUBLIC_BASE_URL=http://127.0.0.1:$PORT DEV_OUTBOX_DIR=$WORK/outbox LOG_LEVEL=warning TRUSTED_PROXIES=127.0.0.1
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
$BIN migrate > /dev/null
KEY=$($BIN api-key create --name bench-flood | sed -n 's/.*: \(hk_[0-9a-f]*\)$/\1/p')
$BIN serve --no-worker > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/api/v1/clients" \
  -d '{"email":"login@example.ro","password":"bench password 1","language":"en","profile":{"kind":"person","name":"Ana Login","street":"Str. Lunga 1","city":"Cluj-Napoca","county":"CJ","country":"RO"}}'
python3 scripts/bench/login_flood.py "http://127.0.0.1:$PORT" login@example.ro "bench password 1" "${BENCH_FLOOD_THREADS:-48}" "${BENCH_SECONDS:-15}"
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$SERVER/status)"
