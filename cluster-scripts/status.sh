#!/usr/bin/env bash
# Shows the cluster start.sh started: which recorded pids run, then stockctl status.
#
#   cluster-scripts/status.sh [--data DIR] [--json]
set -euo pipefail

data=data/cluster
json=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --json) json=(--json); shift ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "status.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$data/endpoints" ]] || { echo "status.sh: no cluster in $data (start.sh writes $data/endpoints)" >&2; exit 1; }
if [[ ${#json[@]} -eq 0 ]]; then
  shopt -s nullglob
  for pidfile in "$data"/n*.pid; do
    pid="$(cat "$pidfile")"
    id="$(basename "$pidfile" .pid)"
    if kill -0 "$pid" 2>/dev/null; then echo "$id: pid $pid running"; else echo "$id: pid $pid NOT running"; fi
  done
  echo
fi
# A cluster started with start.sh --tls left the admin client's TLS flags here.
ctl_flags=()
if [[ -f "$data/stockctl-flags" ]]; then mapfile -t ctl_flags <"$data/stockctl-flags"; fi
exec node "$root/dist/src/cli/main.js" --endpoints "$(cat "$data/endpoints")" "${ctl_flags[@]}" "${json[@]}" status
