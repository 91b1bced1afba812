#!/usr/bin/env bash
# Load test of the lead intake and of the handoff (one and two app instances) against Azurite on 127.0.0.1.
# Starts its own in-memory Azurite on free ports, runs bench/Smarketing.LoadTest in Release, and stops Azurite.
# Usage: bench/load/run.sh [leads-per-phase=4000] [concurrency=16] [phases=all|intake|handoff] [handoff-leads=2000] [cursor-shards=app default]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bench/azurite.sh

dotnet run -c Release --project bench/Smarketing.LoadTest -- "$table_port" "$queue_port" "${1:-4000}" "${2:-16}" "${3:-all}" "${4:-2000}" ${5:+"$5"}
