#!/usr/bin/env bash
# Telemetry overhead under load: Employees GET /api/v1/employees/{id} with OpenTelemetry off (no OTEL_* variable: no
# provider, no listener) against the same with OTLP on (traces, metrics and logs exported every 200 ms / 1 s to a
# loopback OTLP/HTTP sink). Same build, same database, runs alternated off/on ROUNDS times; the ratio compares the
# medians. Exit code 1 when a run had errors or non-2xx answers, or when on/off is below TARGET_RATIO (0.9).
#
#   benchmarks/load/otel.sh            # DURATION=10s CONNECTIONS=32 THREADS=2 ROUNDS=2 COUNT=2000
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
COUNT=${COUNT:-2000}
KIT_PORT=${KIT_PORT:-5092}
SINK_PORT=${SINK_PORT:-5093}
TARGET_RATIO=${TARGET_RATIO:-0.9}
LUA=$PWD/benchmarks/load/employees.lua
command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null

work=$(mktemp -d -t kit-otel-load-XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== build (Release)"
dotnet build samples/Employees.Service -c Release --nologo -v quiet -o "$work/employees-bin" | { grep -E "error|warn" || true; }
dotnet build benchmarks/load/BareEmployees -c Release --nologo -v quiet -o "$work/bare-bin" | { grep -E "error|warn" || true; }
employees_dll="$work/employees-bin/Employees.Service.dll"

# The OTLP sink: answers every export with 200 and an empty body, as a collector that accepts everything does.
python3 - "$SINK_PORT" >"$work/sink.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf"); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
pids+=("$!")

password="load-$RANDOM-$RANDOM-password"
data="$work/employees-data"
mkdir -p "$data"
picture="$work/picture.png"
{ printf '\x89PNG\r\n\x1a\n'; head -c 1024 /dev/urandom; } > "$picture"

start_employees() { # telemetry: on|off
    local otel=()
    if [[ $1 == on ]]; then
        otel=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
              OTEL_BSP_SCHEDULE_DELAY=200 OTEL_BLRP_SCHEDULE_DELAY=200 OTEL_METRIC_EXPORT_INTERVAL=1000)
    fi
    env "${otel[@]}" ASPNETCORE_ENVIRONMENT=Production Employees__DataDirectory="$data" Employees__Admin__Password="$password" \
        Logging__LogLevel__Default=Warning dotnet "$employees_dll" --urls "http://127.0.0.1:$KIT_PORT" >"$work/employees.log" 2>&1 &
    employees_pid=$!
    pids+=("$employees_pid")
    for _ in $(seq 1 120); do
        curl -fsS -o /dev/null "http://127.0.0.1:$KIT_PORT/health/live" 2>/dev/null && return 0
        kill -0 "$employees_pid" 2>/dev/null || { cat "$work/employees.log"; return 1; }
        sleep 0.5
    done
    return 1
}
stop_employees() { kill "$employees_pid" 2>/dev/null || true; wait "$employees_pid" 2>/dev/null || true; }

echo "== seed $COUNT employees"
start_employees off
token=$(dotnet "$work/bare-bin/BareEmployees.dll" seed --url "http://127.0.0.1:$KIT_PORT" --password "$password" \
    --count "$COUNT" --pictures 1 --picture "$picture" | tail -n 1)
stop_employees

declare -A results
failures=0
for round in $(seq 1 "$ROUNDS"); do
    for telemetry in off on; do
        start_employees "$telemetry"
        LOAD_MODE=read LOAD_TOKEN=$token LOAD_COUNT=$COUNT LOAD_THREADS=$THREADS \
            wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$LUA" "http://127.0.0.1:$KIT_PORT" >/dev/null
        out=$(LOAD_MODE=read LOAD_TOKEN=$token LOAD_COUNT=$COUNT LOAD_THREADS=$THREADS \
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$LUA" "http://127.0.0.1:$KIT_PORT" | grep '^RESULT')
        stop_employees
        printf 'round %s telemetry %-3s %s\n' "$round" "$telemetry" "${out#RESULT }"
        results[$telemetry]+="$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$out") "
        bad=$(sed -n 's/.* non2xx=\([0-9]*\) socket_errors=\([0-9]*\).*/\1 \2/p' <<<"$out")
        [[ "$bad" == "0 0" ]] || failures=$((failures + 1))
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
off=$(median <<<"${results[off]}")
on=$(median <<<"${results[on]}")
ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }')
ok=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? 1 : 0 }')
echo "== median rps: off $off, on $on; on/off $ratio (target >= $TARGET_RATIO): $([[ $ok == 1 ]] && echo met || echo MISSED); runs with errors: $failures; load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $ok == 1 && $failures -eq 0 ]]
