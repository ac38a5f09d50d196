#!/usr/bin/env bash
# Read throughput through the gateway (samples/Gateway, YARP) in front of two Employees replicas, against one replica
# called directly: same machine, same records, same token, same run (docs/scale.md). On one machine this measures what
# the extra hop costs, not how far two machines scale.
#
#   benchmarks/load/fleet.sh                 # DURATION=10s CONNECTIONS=32 THREADS=2 COUNT=2000 ROUNDS=2 BACKEND=embedded
#   BACKEND=shared benchmarks/load/fleet.sh  # both replicas on one PostgreSQL database (a throwaway cluster)
#
# BACKEND=embedded seeds replica A, then gives B a copy of A's data directory (its LiteDB file and signing key), so both
# serve the same records and accept the same token; BACKEND=shared seeds A and B reads the same database. Each round runs
# wrk (GET /api/v1/employees/{random id} with a bearer token) against A directly, then against the gateway, after a
# warm-up; rounds alternate so that drift on a shared machine hits both sides. Prints requests/s, p50/p99, the CPU time
# per request of the replicas and of the gateway (what the hop costs, however much of a shared machine a run got) and
# the gateway/direct ratio; exit code 1 when a run had errors or non-2xx answers, or the ratio is below TARGET_RATIO (0.9).
# Loopback only; every run is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
COUNT=${COUNT:-2000}
ROUNDS=${ROUNDS:-2}
BACKEND=${BACKEND:-embedded}
TARGET_RATIO=${TARGET_RATIO:-0.9}
GATEWAY_PORT=${GATEWAY_PORT:-5180}
A_PORT=${A_PORT:-5181}
B_PORT=${B_PORT:-5182}
LUA=$PWD/benchmarks/load/employees.lua

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
  else sudo apt-get install -y -q wrk >/dev/null || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q wrk >/dev/null; }
  fi
fi

work=$(mktemp -d -t kit-fleet-load-XXXXXX)
chmod 755 "$work" # a PostgreSQL cluster (BACKEND=shared) runs as the postgres user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -d "$work/postgres" ]] && bash eng/servers/postgres.sh stop "$work/postgres" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); backend: $BACKEND"
echo "== build (Release)"
for project in samples/Employees.Service samples/Gateway benchmarks/load/BareEmployees; do
  dotnet build "$project" -c Release --nologo -v quiet | { grep -E "error|warn" || true; }
done
employees_bin=$PWD/samples/Employees.Service/bin/Release/net10.0
gateway_bin=$PWD/samples/Gateway/bin/Release/net10.0
bare_dll=$PWD/benchmarks/load/BareEmployees/bin/Release/net10.0/BareEmployees.dll

password="fleet-$RANDOM-$RANDOM-password"
shared=()
if [[ "$BACKEND" == "shared" ]]; then
  line=$(bash eng/servers/postgres.sh start "$work/postgres")
  connection=${line#KIT_TEST_POSTGRES=}
  psql -q "host=127.0.0.1 port=$(cat "$work/postgres/port") user=postgres dbname=postgres" -c "CREATE DATABASE employees"
  shared=("ConnectionStrings__Employees=${connection/Database=postgres/Database=employees}")
fi

wait_ready() { # url pid
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "a server exited during start-up" >&2; return 1; }
    sleep 0.5
  done
  echo "no answer from $1 after 120 s" >&2
  return 1
}

start_replica() { # name port
  (cd "$employees_bin" && exec env ASPNETCORE_ENVIRONMENT=Production Employees__DataDirectory="$work/$1" \
    Employees__Admin__Password="$password" Logging__LogLevel__Default=Warning "${shared[@]}" \
    dotnet Employees.Service.dll --urls "http://127.0.0.1:$2") >"$work/$1.log" 2>&1 &
  pids+=("$!")
  eval "${1}_pid=$!"
  wait_ready "http://127.0.0.1:$2/health/ready" "$!"
}

echo "== seed $COUNT employees through replica a"
picture="$work/picture.png"
{ printf '\x89PNG\r\n\x1a\n'; head -c 1024 /dev/urandom; } > "$picture"
start_replica a "$A_PORT"
token=$(dotnet "$bare_dll" seed --url "http://127.0.0.1:$A_PORT" --password "$password" \
  --count "$COUNT" --pictures 0 --picture "$picture" | tail -n 1)
if [[ "$BACKEND" == "embedded" ]]; then
  kill "$a_pid"; wait "$a_pid" 2>/dev/null || true
  cp -a "$work/a" "$work/b"   # the same records and the same signing key
  start_replica a "$A_PORT"
fi
start_replica b "$B_PORT"
(cd "$gateway_bin" && exec env Logging__LogLevel__Default=Warning \
  ReverseProxy__Clusters__employees__Destinations__a__Address="http://127.0.0.1:$A_PORT" \
  ReverseProxy__Clusters__employees__Destinations__b__Address="http://127.0.0.1:$B_PORT" \
  dotnet Gateway.dll --urls "http://127.0.0.1:$GATEWAY_PORT") >"$work/gateway.log" 2>&1 &
pids+=("$!")
wait_ready "http://127.0.0.1:$GATEWAY_PORT/gateway/destinations" "$!"
for port in "$A_PORT" "$B_PORT" "$GATEWAY_PORT"; do # the token is good on both replicas and through the gateway
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/employees/1"
done

gateway_pid=${pids[-1]}
ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system time of a process

declare -A total
failures=0
run() { # side port
  local out before_gateway before_replicas requests
  LOAD_MODE=read LOAD_TOKEN=$token LOAD_COUNT=$COUNT LOAD_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$LUA" "http://127.0.0.1:$2" >/dev/null
  before_gateway=$(cpu_ticks "$gateway_pid")
  before_replicas=$(( $(cpu_ticks "$a_pid") + $(cpu_ticks "$b_pid") ))
  out=$(LOAD_MODE=read LOAD_TOKEN=$token LOAD_COUNT=$COUNT LOAD_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$LUA" "http://127.0.0.1:$2" | grep '^RESULT')
  requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out")
  # CPU time per request: what the hop costs, independent of how much of the shared machine the run got.
  printf '%-8s %s replica_cpu_us=%s gateway_cpu_us=%s\n' "$1" "${out#RESULT }" \
    "$(awk -v t=$(( $(cpu_ticks "$a_pid") + $(cpu_ticks "$b_pid") - before_replicas )) -v h="$ticks_per_second" -v n="$requests" 'BEGIN { printf "%.0f", t / h * 1e6 / n }')" \
    "$(awk -v t=$(( $(cpu_ticks "$gateway_pid") - before_gateway )) -v h="$ticks_per_second" -v n="$requests" 'BEGIN { printf "%.0f", t / h * 1e6 / n }')"
  total[$1]=$(awk -v t="${total[$1]:-0}" -v r="$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$out")" 'BEGIN { print t + r }')
  [[ "$(sed -n 's/.* non2xx=\([0-9]*\) socket_errors=\([0-9]*\).*/\1 \2/p' <<<"$out")" == "0 0" ]] || failures=$((failures + 1))
}

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET /api/v1/employees/{id}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then run direct "$A_PORT"; run gateway "$GATEWAY_PORT"
  else run gateway "$GATEWAY_PORT"; run direct "$A_PORT"
  fi
done
echo "== gateway answers per replica: $(curl -fsS "http://127.0.0.1:$GATEWAY_PORT/gateway/destinations" | grep -o '"id":"[ab]"[^}]*"answered":[0-9]*' | sed 's/"address":"[^"]*",//; s/"active[^}]*"answered"/ answered/' | tr '\n' ' ')"
ratio=$(awk -v g="${total[gateway]}" -v d="${total[direct]}" 'BEGIN { printf "%.2f", g / d }')
ok=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? 1 : 0 }')
echo "gateway (2 replicas) / direct (1 replica) read throughput: $ratio (target >= $TARGET_RATIO): $([[ $ok == 1 ]] && echo met || echo MISSED); runs with errors or non-2xx: $failures; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $ok == 1 && $failures -eq 0 ]]
