#!/usr/bin/env bash
# Runs Smarketing locally: Azurite (pinned, on 127.0.0.1) plus the Functions host (`func start`).
# The app then listens on http://localhost:7071 with the local sample settings: the sandbox CRM (table
# SandboxCrmLeads in Azurite) and unsigned lead webhooks accepted. `func start` checks no keys, admin endpoints
# included, so any x-functions-key (or none) works; in Azure the same calls need a function key, the
# admin endpoints the master key, and the read and admin endpoints an admin key as well (docs/deploy.md#keys). Try it with requests/smarketing.http, the README's curl
# story, or `dotnet run --project tools/Smarketing.Smoke -- http://localhost:7071`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v func >/dev/null 2>&1; then
  cat <<'MSG'
The Azure Functions Core Tools (`func`, version 4) are not installed. Install them, then run this again:
  npm:      npm install -g azure-functions-core-tools@4 --unsafe-perm true
  macOS:    brew tap azure/functions && brew install azure-functions-core-tools@4
  Windows:  winget install Microsoft.Azure.FunctionsCoreTools
  Linux:    https://learn.microsoft.com/azure/azure-functions/functions-run-local#install-the-azure-functions-core-tools
MSG
  exit 1
fi

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund

settings="Smarketing.Functions/local.settings.json"
if [ ! -f "$settings" ]; then
  cp local.settings.sample.json "$settings"
  echo "Created $settings from local.settings.sample.json (Azurite storage, sandbox CRM)."
fi

mkdir -p .azurite
node_modules/.bin/azurite --silent --location .azurite --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
azurite_pid=$!
trap 'kill "$azurite_pid" 2>/dev/null || true' EXIT INT TERM
echo "Azurite running (pid $azurite_pid): tables on 127.0.0.1:10002, queues on 127.0.0.1:10001."

cd Smarketing.Functions
func start
