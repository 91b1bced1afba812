#!/usr/bin/env bash
# Load test of the lead intake and of the handoff (one and two app instances) against Azurite on 127.0.0.1.
# Starts its own in-memory Azurite on free ports, runs bench/Smarketing.LoadTest in Release, and stops Azurite.
# Usage: bench/load/run.sh [leads-per-phase=4000] [concurrency=16] [phases=all|intake|handoff] [handoff-leads=2000] [cursor-shards=app default]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
table_port=$(free_port); queue_port=$(free_port); blob_port=$(free_port)
node_modules/.bin/azurite --inMemoryPersistence --silent --skipApiVersionCheck --loose --disableTelemetry \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" &
azurite_pid=$!
trap 'kill "$azurite_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$table_port") 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/"$queue_port") 2>/dev/null && break
  sleep 0.1
done

dotnet run -c Release --project bench/Smarketing.LoadTest -- "$table_port" "$queue_port" "${1:-4000}" "${2:-16}" "${3:-all}" "${4:-2000}" ${5:+"$5"}
