#!/bin/sh
# Property-based API test: schemathesis (PyPI, pinned) generates requests from /api/openapi.json against a
# freshly seeded server on 127.0.0.1 and fails on any 5xx or any response that breaks the document.
# usage: scripts/schemathesis.sh [path/to/hostico]   (default .build/debug/hostico)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/hostico}
PORT=${SCHEMATHESIS_PORT:-18081}
VENV=.venv
[ -x $VENV/bin/schemathesis ] || { python3 -m venv $VENV && $VENV/bin/pip install -q --no-cache-dir schemathesis==4.32.5; }
WORK=$(mktemp -d /tmp/hostico-st.XXXXXX)
DB=$WORK/api.sqlite
KEY=$($BIN demo seed --database-url "$DB" | sed -n 's/^Demo API key #[0-9]* (shown once): //p')
[ -n "$KEY" ] || { echo "demo seed printed no API key" >&2; exit 1; }
$BIN serve --database-url "$DB" --port "$PORT" --no-worker > "$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
i=0; until curl -fs "http://127.0.0.1:$PORT/health" >/dev/null; do i=$((i+1)); [ $i -lt 100 ] || { cat "$WORK/serve.log"; exit 1; }; sleep 0.1; done
$VENV/bin/schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" --url "http://127.0.0.1:$PORT" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" --seed 1 --no-color
