#!/bin/sh
# End-to-end browser suite: seeds the demo company into a fresh SQLite file, serves the built binary on a free
# loopback port and drives it with headless Chromium through Selenium (scripts/e2e/browser_suite.py).
# Needs: the debug build (swift build), chromium + chromedriver (scripts/deps.sh), the peers venv (scripts/peers.sh).
set -eu
cd "$(dirname "$0")/.."
BIN=${HOSTICO_BIN:-.build/debug/hostico}
PY=${TEST_PEERS_PYTHON:-.venv/bin/python}
WORK=$(mktemp -d /tmp/hostico-e2e.XXXXXX)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SQLITE_PATH=$WORK/e2e.sqlite HTTP_PORT=$PORT HTTP_HOST=127.0.0.1 PUBLIC_BASE_URL=http://127.0.0.1:$PORT DEV_OUTBOX_DIR=$WORK/outbox LOG_LEVEL=warning
$BIN migrate >/dev/null
$BIN demo seed >/dev/null
echo "e2e staff password 1" | $BIN staff create --email ops@hostico.test --name "Ops E2E" >/dev/null
$BIN serve --no-worker > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done
E2E_BASE_URL=http://127.0.0.1:$PORT E2E_ARTIFACTS=${E2E_ARTIFACTS:-$PWD/e2e-artifacts} E2E_STAFF_EMAIL=ops@hostico.test E2E_STAFF_PASSWORD="e2e staff password 1" \
  $PY scripts/e2e/browser_suite.py || { echo "server log:"; tail -20 "$WORK/serve.log"; exit 1; }
rm -rf "$WORK"
