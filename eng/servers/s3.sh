#!/usr/bin/env bash
# A throwaway S3-compatible server (@20minutes/s3rver from eng/node/package.json) on loopback.
#   eng/servers/s3.sh start DIR   installs the npm tools into .tools/node if absent, starts the server with its
#                                 objects in DIR on a free 127.0.0.1 port, and prints KIT_TEST_S3=<service URL>
#   eng/servers/s3.sh start DIR PORT   the same on a fixed port (eng/fleet.sh)
#   eng/servers/s3.sh stop DIR    stops that server and removes DIR
#   eng/servers/s3.sh halt DIR    stops the server and keeps its objects (an outage in a fault test)
#   eng/servers/s3.sh resume DIR  starts a halted server again on the same port with the same objects
# Clients use the access key S3RVER with the secret S3RVER (the server knows no other; signatures are not checked,
# --allow-mismatched-signatures) and path-style addressing.
# With KIT_SERVER_OWNER_PID set, start also leaves a watcher that stops the server and removes DIR once that process is
# gone, so that a test process that dies without its clean-up (killed, or exited before its handlers ran) leaks nothing.
set -euo pipefail

usage="usage: s3.sh start DIR [PORT] | stop DIR | halt DIR | resume DIR"
command=${1:?$usage}
dir=${2:?$usage}
fixed_port=${3:-}
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools/node"

start_server() { # port (0: a free one)
  # Created here, not by the background job's redirection, so that the wait below never reads a file not there yet.
  : > "$dir/server.log"
  # The package ships no bin; its CLI module is run directly. The legacy OpenSSL provider is needed, else listing
  # with a continuation token answers 500 on current Node.
  NODE_OPTIONS=--openssl-legacy-provider nohup node -e \
    "require(process.argv[1]).parseAsync(['node', 's3rver', ...process.argv.slice(2)]).catch(e => { console.error(e); process.exit(1); })" \
    "$tools/node_modules/@20minutes/s3rver/lib/cli.js" \
    -d "$dir/objects" -a 127.0.0.1 -p "$1" --silent --allow-mismatched-signatures > "$dir/server.log" 2>&1 &
  echo $! > "$dir/pid"
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/server.log")
    [[ -n "$port" ]] && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "the S3 test server did not start in 10 s" >&2; cat "$dir/server.log" >&2; exit 1; }
  echo "$port" > "$dir/port"
}

stop_server() {
  # Waits until the process is gone, so that a restart on the same port finds it free.
  if [[ -f "$dir/pid" ]]; then
    local pid
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/pid"
  fi
}

watch_owner() {
  [[ -n "${KIT_SERVER_OWNER_PID:-}" ]] || return 0
  # Detached from this script's output, which the caller reads to its end.
  nohup bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; bash "$2" stop "$3"' _ \
    "$KIT_SERVER_OWNER_PID" "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$dir" </dev/null >/dev/null 2>&1 &
}

case "$command" in
  start)
    if [[ ! -f "$tools/node_modules/@20minutes/s3rver/lib/cli.js" ]]; then
      mkdir -p "$tools"
      cp "$root/eng/node/package.json" "$tools/package.json"
      # Without a lock file, so that no registry address is written down.
      npm install --prefix "$tools" --no-package-lock --no-audit --no-fund --loglevel=error >&2
    fi
    mkdir -p "$dir/objects"
    start_server "${fixed_port:-0}"
    watch_owner
    echo "KIT_TEST_S3=http://127.0.0.1:$port"
    ;;
  halt)
    stop_server
    ;;
  resume)
    start_server "$(cat "$dir/port")"
    ;;
  stop)
    stop_server
    rm -rf "$dir"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
