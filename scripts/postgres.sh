#!/bin/sh
# A throw-away PostgreSQL 15 on 127.0.0.1 for the tests (root on Debian 12; the server runs as postgres).
# usage: scripts/postgres.sh start|stop     env: PG_DIR (default /tmp/hostico-pg), PG_PORT (default 54329),
#   PG_DURABLE=1 keeps fsync on (benchmarks); tests run without it, for speed.
set -eu
DIR=${PG_DIR:-/tmp/hostico-pg}; PORT=${PG_PORT:-54329}; BIN=/usr/lib/postgresql/15/bin
case "${1:-start}" in
start)
  if [ ! -x $BIN/postgres ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  fi
  if [ -f "$DIR/data/postmaster.pid" ]; then "$0" stop; fi
  rm -rf "$DIR"; install -d -o postgres -g postgres -m 700 "$DIR"
  runuser -u postgres -- $BIN/initdb -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && FAST=""
  runuser -u postgres -- $BIN/pg_ctl -D "$DIR/data" -l "$DIR/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $FAST -c max_connections=300" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$PORT/postgres" ;;
stop)
  [ -d "$DIR/data" ] && runuser -u postgres -- $BIN/pg_ctl -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR" ;;
esac
