#!/usr/bin/env bash
# A throwaway S3-compatible server (@20minutes/s3rver from eng/node/package.json) on loopback.
#   eng/servers/s3.sh start DIR   installs the npm tools into .tools/node if absent, starts the server with its
#                                 objects in DIR on a free 127.0.0.1 port, and prints KIT_TEST_S3=<service URL>
#   eng/servers/s3.sh stop DIR    stops that server and removes DIR
# Any access key is accepted (--allow-mismatched-signatures); clients use path-style addressing.
set -euo pipefail

command=${1:?usage: s3.sh start|stop DIR}
dir=${2:?usage: s3.sh start|stop DIR}
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools/node"

case "$command" in
  start)
    if [[ ! -f "$tools/node_modules/@20minutes/s3rver/lib/cli.js" ]]; then
      mkdir -p "$tools"
      cp "$root/eng/node/package.json" "$tools/package.json"
      # Without a lock file, so that no registry address is written down.
      npm install --prefix "$tools" --no-package-lock --no-audit --no-fund --loglevel=error >&2
    fi
    mkdir -p "$dir/objects"
    # The package ships no bin; its CLI module is run directly. The legacy OpenSSL provider is needed, else listing
    # with a continuation token answers 500 on current Node.
    NODE_OPTIONS=--openssl-legacy-provider nohup node -e \
      "require(process.argv[1]).parseAsync(['node', 's3rver', ...process.argv.slice(2)]).catch(e => { console.error(e); process.exit(1); })" \
      "$tools/node_modules/@20minutes/s3rver/lib/cli.js" \
      -d "$dir/objects" -a 127.0.0.1 -p 0 --silent --allow-mismatched-signatures > "$dir/server.log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 1 100); do
      port=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/server.log")
      [[ -n "$port" ]] && break
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
      sleep 0.1
    done
    [[ -n "${port:-}" ]] || { echo "the S3 test server did not start in 10 s" >&2; cat "$dir/server.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
    echo "KIT_TEST_S3=http://127.0.0.1:$port"
    ;;
  stop)
    if [[ -f "$dir/pid" ]]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: s3.sh start|stop DIR" >&2
    exit 2
    ;;
esac
