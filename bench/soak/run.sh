#!/usr/bin/env bash
# Chaos soak: N leads through the real functions on Azurite while the CRM, storage and the app process fail
# (see docs/reliability.md). Starts its own in-memory Azurite on free 127.0.0.1 ports, builds and runs
# bench/Smarketing.Soak in Release, prints one table, and exits non-zero if a requirement fails.
# Usage: bench/soak/run.sh [--ci] [--leads N] [--seed N] [--concurrency N]   (default 10,000 leads; --ci 1,000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bench/azurite.sh

dotnet build -c Release bench/Smarketing.Soak >/dev/null
dotnet bench/Smarketing.Soak/bin/Release/net10.0/Smarketing.Soak.dll drive "$table_port" "$queue_port" "$@"
