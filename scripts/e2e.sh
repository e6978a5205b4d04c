#!/bin/sh
# End-to-end browser suite: seeds the demo company into a fresh SQLite file and hands it to
# scripts/e2e/browser_suite.py, which serves the built binary on a free loopback port (restarting it when a step needs
# the clock moved), delivers e-mail through the aiosmtpd sink and drives the pages with headless Chromium (Selenium).
# SMS go over SMPP to the smpp34 SMSC simulator. Card payments go to localstripe (Stripe's API and Stripe.js stand-in), which calls the server's webhook back.
# Needs: the debug build (swift build), chromium + chromedriver (scripts/deps.sh), the peers (scripts/peers.sh start;
# started and stopped here when TEST_SMTP_PORT is not set).
set -eu
cd "$(dirname "$0")/.."
if [ -z "${TEST_SMTP_PORT:-}" ]; then
  eval "$(scripts/peers.sh start)"
  E2E_OWN_PEERS=1
fi
BIN=${HOSTICO_BIN:-.build/debug/hostico}
PY=${TEST_PEERS_PYTHON:-.venv/bin/python}
WORK=$(mktemp -d /tmp/hostico-e2e.XXXXXX)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# ANAF's e-Factura API (scripts/peers/anaf_sim.py: OAuth, upload, status, download; judged by the official rules).
ANAF_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY scripts/peers/anaf_sim.py "$ANAF_PORT" vendor/efactura hostico-e2e anaf-e2e-secret --processing-polls 0 > "$WORK/anaf.log" 2>&1 &
ANAF_PID=$!
# The SMSC the SMS go to (scripts/peers/smsc_sim.py, on smpp34): every submit_sm lands in $WORK/smsc.jsonl.
SMSC_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY scripts/peers/smsc_sim.py "$SMSC_PORT" "$WORK/smsc.jsonl" > "$WORK/smsc.log" 2>&1 &
SMSC_PID=$!
trap 'kill $ANAF_PID $SMSC_PID 2>/dev/null || true; [ -z "${E2E_OWN_PEERS:-}" ] || scripts/peers.sh stop' EXIT
i=0; until grep -q "SMSC listening" "$WORK/smsc.log"; do i=$((i+1)); [ $i -lt 600 ] || { cat "$WORK/smsc.log" >&2; exit 1; }; sleep 0.1; done
i=0; until grep -q "ANAF simulator on" "$WORK/anaf.log"; do i=$((i+1)); [ $i -lt 600 ] || { cat "$WORK/anaf.log" >&2; exit 1; }; sleep 0.1; done
export ANAF_CLIENT_ID=hostico-e2e ANAF_CLIENT_SECRET=anaf-e2e-secret ANAF_API_URL=http://127.0.0.1:$ANAF_PORT/test/FCTEL/rest ANAF_OAUTH_URL=http://127.0.0.1:$ANAF_PORT/anaf-oauth2/v1
export SQLITE_PATH=$WORK/e2e.sqlite HTTP_PORT=$PORT HTTP_HOST=127.0.0.1 PUBLIC_BASE_URL=http://127.0.0.1:$PORT DEV_OUTBOX_DIR=$WORK/outbox LOG_LEVEL=info \
  MAIL_TRANSPORT=smtp SMTP_HOST=127.0.0.1 SMTP_PORT=$TEST_SMTP_PORT SMTP_SECURITY=starttls SMTP_USERNAME=billing SMTP_PASSWORD=s3cret SMTP_CA_FILE=$TEST_SMTP_CA \
  SMS_TRANSPORT=smpp SMPP_HOST=127.0.0.1 SMPP_PORT=$SMSC_PORT SMPP_SYSTEM_ID=hostico SMPP_PASSWORD=e2e SMS_WINDOW_START=0 SMS_WINDOW_END=24 \
  STRIPE_SECRET_KEY=sk_test_e2e STRIPE_PUBLISHABLE_KEY=pk_test_e2e STRIPE_WEBHOOK_SECRET=whsec_e2e_$PORT STRIPE_API_URL=$TEST_STRIPE_URL STRIPE_JS_URL=$TEST_STRIPE_URL/js.stripe.com/v3/
$BIN migrate >/dev/null
API_KEY=$($BIN demo seed | sed -n 's/^Demo API key #[0-9]* (shown once): //p')
echo "e2e staff password 1" | $BIN staff create --email ops@hostico.test --name "Ops E2E" >/dev/null
E2E_SMSC_LOG=$WORK/smsc.jsonl E2E_BIN=$BIN E2E_WORK=$WORK E2E_API_KEY=$API_KEY E2E_MAIL_DIR=$TEST_SMTP_DIR E2E_BASE_URL=http://127.0.0.1:$PORT \
  E2E_ARTIFACTS=${E2E_ARTIFACTS:-$PWD/e2e-artifacts} E2E_STAFF_EMAIL=ops@hostico.test E2E_STAFF_PASSWORD="e2e staff password 1" \
  $PY scripts/e2e/browser_suite.py
rm -rf "$WORK"
