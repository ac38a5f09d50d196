#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and the multi-instance topology.
#   eng/servers/postgres.sh start DIR   installs PostgreSQL from the distribution if absent (needs root), creates a
#                                       cluster in DIR on a free 127.0.0.1 port, and prints
#                                       KIT_TEST_POSTGRES=<connection string> on stdout
#   eng/servers/postgres.sh start DIR PORT   the same on a fixed port (eng/fleet.sh)
#   eng/servers/postgres.sh stop DIR    stops that cluster and removes DIR
#   eng/servers/postgres.sh halt DIR    stops the server and keeps the cluster (an outage in a fault test)
#   eng/servers/postgres.sh resume DIR  starts a halted cluster again on the same port
# The cluster trusts local connections (initdb -A trust): it listens on 127.0.0.1 only and lives as long as a run.
# With KIT_SERVER_OWNER_PID set, start also leaves a watcher that stops the server and removes DIR once that process is
# gone, so that a test process that dies without its clean-up (killed, or exited before its handlers ran) leaks nothing.
set -euo pipefail

usage="usage: postgres.sh start DIR [PORT] | stop DIR | halt DIR | resume DIR"
command=${1:?$usage}
dir=${2:?$usage}
fixed_port=${3:-}

bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$found" || ! -x "$found/initdb" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
      echo "PostgreSQL is not installed and installing it needs root: apt-get install -y postgresql" >&2
      exit 1
    fi
    echo "installing PostgreSQL from the distribution's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    # The package creates and starts a cluster of its own on port 5432; this script never uses it.
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

# initdb and the server refuse to run as root: as root, run them as the postgres user the package creates.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() { # bin port
  # Sockets go into the cluster's own directory, so nothing is written to /run/postgresql.
  as_owner "$1/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $2 -k $dir -c max_connections=300 -c shared_buffers=128MB" start >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
}

watch_owner() {
  [[ -n "${KIT_SERVER_OWNER_PID:-}" ]] || return 0
  # Detached from this script's output, which the caller reads to its end.
  nohup bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; bash "$2" stop "$3"' _ \
    "$KIT_SERVER_OWNER_PID" "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$dir" </dev/null >/dev/null 2>&1 &
}

case "$command" in
  start)
    bin=$(bin_dir)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$dir/data" > "$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port=${fixed_port:-$(free_port)}
    start_server "$bin" "$port"
    echo "$port" > "$dir/port"
    watch_owner
    echo "KIT_TEST_POSTGRES=Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  halt)
    bin=$(bin_dir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    ;;
  resume)
    bin=$(bin_dir)
    start_server "$bin" "$(cat "$dir/port")"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      bin=$(bin_dir)
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
