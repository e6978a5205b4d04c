#!/bin/sh
# The lifecycle model test at full size: LIFECYCLE_SEQUENCES (default 500) random two-year sequences per database, on
# SQLite and PostgreSQL. `make test` runs 12 per database; this takes about an hour per database on 2 cores.
set -eu
cd "$(dirname "$0")/.."
export PG_PORT=${PG_PORT:-54349} PG_DIR=${PG_DIR:-/tmp/hostico-pg-lifecycle}
PG_URL=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop' EXIT INT TERM
LIFECYCLE_SEQUENCES=${LIFECYCLE_SEQUENCES:-500} TEST_DATABASE_URL="$PG_URL" swift test --filter LifecycleModelTests 2>&1 \
  | grep -v 'PostgresClient.run()' | tee /tmp/hostico-lifecycle.log
grep -Eq '^✔ Test run with [0-9]+ tests? .*passed' /tmp/hostico-lifecycle.log
