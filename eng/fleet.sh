#!/usr/bin/env bash
# Two Employees replicas behind one address, on a developer machine (docs/scale.md). Ctrl+C stops everything.
#
#   eng/fleet.sh
#
#   http://127.0.0.1:5080   the gateway (samples/Gateway, YARP): Employees' one address; GET /gateway/destinations
#   http://127.0.0.1:5081   Employees replica a          http://127.0.0.1:5082   Employees replica b
#   http://127.0.0.1:5090   Library, calling Employees through the gateway
#   127.0.0.1:5433          PostgreSQL (databases employees and library)      http://127.0.0.1:4568   the S3 test server
#
# Ports can be moved with GATEWAY_PORT, A_PORT, B_PORT, LIBRARY_PORT, POSTGRES_PORT, S3_PORT. Needs, beyond the .NET SDK,
# PostgreSQL from the distribution (eng/servers/postgres.sh installs it when run as root) and Node.js for the S3 test
# server. Everything listens on 127.0.0.1 only and lives in a temporary directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

GATEWAY_PORT=${GATEWAY_PORT:-5080}
A_PORT=${A_PORT:-5081}
B_PORT=${B_PORT:-5082}
LIBRARY_PORT=${LIBRARY_PORT:-5090}
POSTGRES_PORT=${POSTGRES_PORT:-5433}
S3_PORT=${S3_PORT:-4568}

for port in "$GATEWAY_PORT" "$A_PORT" "$B_PORT" "$LIBRARY_PORT" "$POSTGRES_PORT" "$S3_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is taken; free it or move the fleet (see the top of $0)" >&2
    exit 1
  fi
done

work=$(mktemp -d -t kit-fleet-XXXXXX)
chmod 755 "$work" # the PostgreSQL cluster runs as the postgres user, which must reach its directory
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "== stopping the fleet"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash eng/servers/s3.sh stop "$work/s3" || true
  bash eng/servers/postgres.sh stop "$work/postgres" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build (Release)"
for project in samples/Employees.Service samples/Library.Service samples/Gateway; do
  dotnet build "$project" -c Release --nologo -v quiet -warnaserror | { grep -E "error|warn" || true; }
done
bin() { echo "$PWD/samples/$1/bin/Release/net10.0/$1.dll"; }

echo "== PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
bash eng/servers/postgres.sh start "$work/postgres" "$POSTGRES_PORT" >/dev/null
for database in employees library; do
  psql -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -c "CREATE DATABASE $database"
done
echo "== the S3 test server on 127.0.0.1:$S3_PORT"
bash eng/servers/s3.sh start "$work/s3" "$S3_PORT" >/dev/null
curl -fsS -X PUT "http://127.0.0.1:$S3_PORT/employees" -o /dev/null

wait_ready() { # name url pid
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "$1 exited during start-up; its log:" >&2; tail -n 40 "$work/$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1 did not answer $2 within 120 s; its log:" >&2
  tail -n 40 "$work/$1.log" >&2
  exit 1
}

start() { # name port dll [VAR=value...]
  local name=$1 port=$2 dll=$3
  shift 3
  # From its output folder: that is the content root, where appsettings*.json are.
  (cd "$(dirname "$dll")" && exec env ASPNETCORE_ENVIRONMENT=Development "$@" dotnet "$dll" --urls "http://127.0.0.1:$port") \
    >"$work/$name.log" 2>&1 &
  pids+=("$!")
  wait_ready "$name" "http://127.0.0.1:$port/health/ready" "$!"
  echo "   $name on http://127.0.0.1:$port (log: $work/$name.log)"
}

shared=(
  "ConnectionStrings__Employees=Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=employees"
  "Employees__Storage__ServiceUrl=http://127.0.0.1:$S3_PORT"
  "Employees__Storage__Bucket=employees"
  "AWS_ACCESS_KEY_ID=S3RVER" "AWS_SECRET_ACCESS_KEY=S3RVER" "AWS_REGION=us-east-1"
  # Encrypts the signing keys in the database; every replica must hold the same one. A fresh one per run, like the data.
  "MicroserviceKit__Tokens__PostgreSql__EncryptionKey=$(openssl rand -base64 32)"
)
echo "== Employees replicas, the gateway, Library"
# One after the other, so that the log reads in order (replicas may also start together: migrations take an advisory
# lock, the first signing key is made once, and the admin seeding retries when another replica wrote admin first).
start employees-a "$A_PORT" "$(bin Employees.Service)" "${shared[@]}" "Employees__DataDirectory=$work/employees-a"
start employees-b "$B_PORT" "$(bin Employees.Service)" "${shared[@]}" "Employees__DataDirectory=$work/employees-b"
start gateway "$GATEWAY_PORT" "$(bin Gateway)" \
  "ReverseProxy__Clusters__employees__Destinations__a__Address=http://127.0.0.1:$A_PORT" \
  "ReverseProxy__Clusters__employees__Destinations__b__Address=http://127.0.0.1:$B_PORT"
start library "$LIBRARY_PORT" "$(bin Library.Service)" \
  "ConnectionStrings__Library=Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=library" \
  "Library__DataDirectory=$work/library" "Library__EmployeesBaseAddress=http://127.0.0.1:$GATEWAY_PORT"

cat <<TEXT
== the fleet is up; Ctrl+C stops it all
   gateway  http://127.0.0.1:$GATEWAY_PORT   (replicas: curl -s http://127.0.0.1:$GATEWAY_PORT/gateway/destinations)
   a        http://127.0.0.1:$A_PORT   b  http://127.0.0.1:$B_PORT   library  http://127.0.0.1:$LIBRARY_PORT
   admin password: admin-dev-password (Development)
TEXT
# Runs until Ctrl+C. A process that exits (a replica killed to watch the gateway route around it) is reported, and the
# rest keep running.
trap 'exit 0' INT TERM
declare -A reported=()
while sleep 2; do
  for pid in "${pids[@]}"; do
    if [[ -z "${reported[$pid]:-}" ]] && ! kill -0 "$pid" 2>/dev/null; then
      reported[$pid]=1
      echo "a process of the fleet exited (pid $pid); the rest keep running, Ctrl+C stops them" >&2
    fi
  done
done
