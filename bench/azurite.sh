# Sourced by the bench scripts: starts an in-memory Azurite on free 127.0.0.1 ports, sets table_port, queue_port and
# blob_port, stops it when the script exits, and returns once the table and queue services accept connections.
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
