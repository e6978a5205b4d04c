#!/bin/sh
# The lifecycle model check alone: LIFECYCLE_SEQUENCES (default 500, as in `make test`) random two-year sequences per
# database, on SQLite and PostgreSQL, release-built; about 17 minutes on 2 cores (about 0.5 s per sequence on SQLite
# and 1.4 s on PostgreSQL, six at a time; measured 2026-12-07).
set -eu
cd "$(dirname "$0")/.."
export PG_PORT=${PG_PORT:-54349} PG_DIR=${PG_DIR:-/tmp/hostico-pg-lifecycle}
PG_URL=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop' EXIT INT TERM
swift build -c release --product hostico-lifecycle-model > /tmp/hostico-lifecycle-build.log 2>&1 || { tail -40 /tmp/hostico-lifecycle-build.log; exit 1; }
TEST_DATABASE_URL="$PG_URL" .build/release/hostico-lifecycle-model --sequences "${LIFECYCLE_SEQUENCES:-500}" 2>&1 | grep -v 'PostgresClient.run()' | tee /tmp/hostico-lifecycle.log
# The exit status is lost in the pipe: every database must report its sequences, and none may fail.
{ [ "$(grep -c '^lifecycle model on' /tmp/hostico-lifecycle.log)" = 2 ] && ! grep -q '^FAILED' /tmp/hostico-lifecycle.log; } || { echo 'lifecycle model check failed (replay the seed it names)'; exit 1; }
