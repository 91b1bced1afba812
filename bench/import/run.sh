#!/usr/bin/env bash
# Bulk import benchmark (issue 12): imports N generated leads (deterministic, half MQL) through the real import functions
# against the fake HubSpot and/or Salesforce, each CRM on a fresh in-memory Azurite (127.0.0.1, free ports), and prints
# the figures with the storage and CRM floors. Exits non-zero when a lead was lost or doubled.
# Usage: bench/import/run.sh [--leads 100000] [--crm hubspot|salesforce|both] [--concurrency 16] [--setting Key=Value]...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
leads=100000; crm=both; concurrency=16; settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    --leads) leads="$2"; shift 2 ;;
    --crm) crm="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --setting) settings+=(--setting "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$crm" in hubspot|salesforce) crms="$crm" ;; both) crms="hubspot salesforce" ;; *) echo "--crm hubspot|salesforce|both" >&2; exit 2 ;; esac

if ! out=$(dotnet build bench/Smarketing.ImportBench -c Release -v quiet -nologo 2>&1); then echo "$out" | grep -E "error" >&2; exit 1; fi
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
status=0
for one in $crms; do
  # A subshell per CRM: its own Azurite, stopped when the subshell exits (bench/azurite.sh's trap).
  ( . bench/azurite.sh
    account=devstoreaccount1
    connection="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;TableEndpoint=http://127.0.0.1:$table_port/$account;QueueEndpoint=http://127.0.0.1:$queue_port/$account;BlobEndpoint=http://127.0.0.1:$blob_port/$account;"
    dotnet bench/Smarketing.ImportBench/bin/Release/net10.0/Smarketing.ImportBench.dll "$connection" --leads "$leads" --crm "$one" --concurrency "$concurrency" ${settings[@]+"${settings[@]}"}
  ) || status=$?
done
exit $status
