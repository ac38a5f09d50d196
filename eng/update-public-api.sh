#!/usr/bin/env bash
# Adds every public symbol the build reports as undeclared (RS0016) to PublicAPI.Unshipped.txt, and drops
# declared symbols that no longer exist (RS0017). Review the diff: it is the change to the package's promise.
#   eng/update-public-api.sh [src/<Package>]   (default src/Microservice.Kit)
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-src/Microservice.Kit}
folder=${folder%/}
project="$folder/$(basename "$folder").csproj"
unshipped="$folder/PublicAPI.Unshipped.txt"
log=$(mktemp)
dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
grep -oP "warning RS0016: Symbol '\K.*(?=' is not part of the declared public API)" "$log" | sort -u > "$log.add" || true
grep -oP "warning RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" "$log" | sort -u > "$log.remove" || true
{
  echo '#nullable enable'
  { grep -v '^#nullable' "$unshipped" | grep -vxF -f "$log.remove" || true; cat "$log.add"; } | grep -v "^$" | LC_ALL=C sort -u
} > "$unshipped.new"
mv "$unshipped.new" "$unshipped"
echo "added $(wc -l < "$log.add"), removed $(wc -l < "$log.remove")"
rm -f "$log" "$log.add" "$log.remove"
