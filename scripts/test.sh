#!/bin/sh
# Starts the test peers on 127.0.0.1 (PostgreSQL, the aiosmtpd SMTP sink), runs every test, stops the peers whatever happens.
set -eu
cd "$(dirname "$0")/.."
PG_URL=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop; scripts/peers.sh stop' EXIT INT TERM
echo "PostgreSQL for tests: $PG_URL"
eval "$(scripts/peers.sh start)"
echo "SMTP sink (aiosmtpd, STARTTLS + AUTH) on 127.0.0.1:$TEST_SMTP_PORT"
TEST_DATABASE_URL="$PG_URL" swift test 2>&1 | grep -v 'PostgresClient.run()' | tee /tmp/hostico-test.log
# swift test's exit status is lost in the pipe: read the summary instead.
grep -Eq '^✔ Test run with [0-9]+ tests? .*passed' /tmp/hostico-test.log
# The lifecycle model check plays its random two-year sequences optimised (a debug build spends most of each simulated
# day in unoptimised NIO and driver code); the release build it needs is shared with `swift build -c release`.
echo "lifecycle model check (${LIFECYCLE_SEQUENCES:=500} sequences per database, release build; about 17 minutes)"
swift build -c release --product hostico-lifecycle-model > /tmp/hostico-lifecycle-build.log 2>&1 || { tail -40 /tmp/hostico-lifecycle-build.log; exit 1; }
TEST_DATABASE_URL="$PG_URL" .build/release/hostico-lifecycle-model --sequences "$LIFECYCLE_SEQUENCES" 2>&1 | grep -v 'PostgresClient.run()' | tee /tmp/hostico-lifecycle.log
# The exit status is lost in the pipe: every database must report its sequences, and none may fail.
{ [ "$(grep -c '^lifecycle model on' /tmp/hostico-lifecycle.log)" = 2 ] && ! grep -q '^FAILED' /tmp/hostico-lifecycle.log; } || { echo 'lifecycle model check failed (replay the seed it names)'; exit 1; }
echo "end-to-end browser suite (headless Chromium + Selenium against the built binary)"
scripts/e2e.sh
echo "schemathesis against /api/openapi.json"
scripts/schemathesis.sh .build/debug/hostico > /tmp/hostico-schemathesis.log 2>&1 || { tail -60 /tmp/hostico-schemathesis.log; exit 1; }
grep -E 'generated|passed|failed' /tmp/hostico-schemathesis.log | tail -3
