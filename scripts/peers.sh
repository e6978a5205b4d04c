#!/bin/sh
# Test peers besides PostgreSQL: the SMTP sink (aiosmtpd, STARTTLS + AUTH) and localstripe (Stripe's API and
# Stripe.js, from PyPI) started here, and what the tests
# start themselves (on ports of their own, so fault tests can stop and restart them): the smpp34 SMSC simulator
# and Kannel's bearerbox / smsbox / fakesmsc. Prints `export` lines for the tests.
# usage: eval "$(scripts/peers.sh start)"; scripts/peers.sh stop
set -eu
cd "$(dirname "$0")/.."
DIR=${PEERS_DIR:-/tmp/hostico-peers}
VENV=.venv
case "${1:-start}" in
start)
  [ -x $VENV/bin/python ] || python3 -m venv $VENV
  # saxonche runs the e-Factura schematron (vendor/efactura).
  $VENV/bin/python -c "import aiosmtpd, smpp34, smpplib, saxonche, selenium, pyotp, localstripe" 2>/dev/null || $VENV/bin/pip install -q --no-cache-dir aiosmtpd==1.4.6 smpp34==1.5.0 smpplib==2.2.4 saxonche==13.1.1 selenium==4.51.0 pyotp==2.12.0 localstripe==1.15.10 >&2
  [ -x /usr/sbin/bearerbox ] && [ -x /usr/lib/kannel/test/fakesmsc ] || { echo "Kannel is missing: run scripts/deps.sh" >&2; exit 1; }
  "$0" stop
  mkdir -p "$DIR/mail"
  # A throw-away certificate for 127.0.0.1, trusted by the tests as their CA.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
  SMTP_PORT=${TEST_SMTP_PORT:-25871}
  $VENV/bin/python scripts/peers/smtp_sink.py "$DIR/mail" "$SMTP_PORT" "$DIR/cert.pem" "$DIR/key.pem" > "$DIR/smtp.log" 2>&1 &
  echo $! > "$DIR/smtp.pid"
  i=0; until grep -q "SMTP sink on" "$DIR/smtp.log"; do i=$((i+1)); [ $i -lt 100 ] || { cat "$DIR/smtp.log" >&2; exit 1; }; sleep 0.1; done
  STRIPE_PORT=${TEST_STRIPE_PORT:-28420}
  $VENV/bin/python scripts/peers/localstripe_peer.py "$STRIPE_PORT" > "$DIR/localstripe.log" 2>&1 &
  echo $! > "$DIR/localstripe.pid"
  i=0; until curl -fs "http://127.0.0.1:$STRIPE_PORT/js.stripe.com/v3/" >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 100 ] || { cat "$DIR/localstripe.log" >&2; exit 1; }; sleep 0.1; done
  echo "export TEST_SMTP_PORT=$SMTP_PORT TEST_SMTP_DIR=$DIR/mail TEST_SMTP_CA=$DIR/cert.pem TEST_PEERS_PYTHON=$PWD/$VENV/bin/python TEST_STRIPE_URL=http://127.0.0.1:$STRIPE_PORT" ;;
stop)
  for peer in smtp localstripe; do
    if [ -f "$DIR/$peer.pid" ]; then kill "$(cat "$DIR/$peer.pid")" 2>/dev/null || true; rm -f "$DIR/$peer.pid"; fi
  done
  rm -rf "$DIR/mail" ;;
esac
