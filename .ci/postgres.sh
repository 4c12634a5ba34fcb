#!/usr/bin/env bash
# Runs the PostgreSQL stores' tests (store/postgres, or --module DIR) against a
# throwaway PostgreSQL server: installs PostgreSQL from Debian's packages if
# it is missing, initialises a cluster in a temp dir, starts it on
# 127.0.0.1 on a free port, runs `go test` in that module, and always
# stops the server and deletes the cluster on exit.
#
#   .ci/postgres.sh                          # go test -race -count=1 ./...
#   .ci/postgres.sh -run '^$' -bench . ./... # any go test arguments instead
#   .ci/postgres.sh --module cmd/iimmpact    # another module's tests (they
#                                            # read IIMMPACT_PG_DSN too)
#
# The tests read IIMMPACT_PG_DSN; the restart test also runs
# "$IIMMPACT_PG_CTL -D $IIMMPACT_PG_DATA stop|start". Set
# IIMMPACT_PG_FSYNC=on to keep fsync (off by default: the data is thrown
# away, and the tests run faster without it).
set -euo pipefail
cd "$(dirname "$0")/.."

module=store/postgres
if [ "${1:-}" = --module ]; then
  module=${2:?--module needs a directory}
  shift 2
fi
[ -f "$module/go.mod" ] || { echo "--module $module: no go.mod there" >&2; exit 2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bin=$(pg_bin)
if [ -z "$bin" ]; then
  echo "--- installing PostgreSQL (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  bin=$(pg_bin)
fi
[ -x "$bin/initdb" ] || { echo "no initdb under /usr/lib/postgresql/*/bin" >&2; exit 1; }

tmp=$(mktemp -d /tmp/iimmpact-pg.XXXXXX) # /tmp: the postgres user must reach it
data="$tmp/data"

# PostgreSQL refuses to run as root: as root, run its tools as "postgres",
# from a directory that user can read.
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$tmp"
  as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
  # The restart test runs pg_ctl itself; give it a wrapper that switches user.
  printf '#!/bin/sh\ncd %q && exec runuser -u postgres -- %q "$@"\n' "$tmp" "$bin/pg_ctl" >"$tmp/pg_ctl"
  chmod 755 "$tmp/pg_ctl"
  pg_ctl="$tmp/pg_ctl"
else
  as_pg() { "$@"; }
  pg_ctl="$bin/pg_ctl"
fi

stop() {
  as_pg "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT

echo "--- initdb ($("$bin/postgres" --version))"
as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null

# A free port: one nothing answers on. Bind races are retried below.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

started=
for _ in 1 2 3 4 5; do
  port=$(free_port)
  # Settings go into the config file, so a bare "pg_ctl start" (the restart
  # test's) brings the server back on the same port.
  cat >"$tmp/port.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
fsync = ${IIMMPACT_PG_FSYNC:-off}
max_connections = 200
EOF
  as_pg sh -c "cat '$tmp/port.conf' >'$data/postgresql.auto.conf'"
  if as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 start >/dev/null; then
    started=1
    break
  fi
done
[ -n "$started" ] || { cat "$data/server.log" >&2; exit 1; }

as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres iimmpact_test

export IIMMPACT_PG_DSN="postgres://postgres@127.0.0.1:$port/iimmpact_test?sslmode=disable"
export IIMMPACT_PG_CTL="$pg_ctl"
export IIMMPACT_PG_DATA="$data"
echo "IIMMPACT_PG_DSN=$IIMMPACT_PG_DSN"
echo "IIMMPACT_PG_CTL=$IIMMPACT_PG_CTL"
echo "IIMMPACT_PG_DATA=$IIMMPACT_PG_DATA"

echo "--- $module: go test ${*:--race -count=1 ./...}"
cd "$module"
if [ $# -eq 0 ]; then
  set -- -race -count=1 ./...
fi
go test "$@"
