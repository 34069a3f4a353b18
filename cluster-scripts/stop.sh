#!/usr/bin/env bash
# Stops the nodes start.sh started: only the pids in its pid files, and only while they
# still run stockd (a recycled pid is left alone). SIGTERM, then SIGKILL after 10 s.
#
#   cluster-scripts/stop.sh [--data DIR]
set -euo pipefail

data=data/cluster
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ -d "$data" ]] || { echo "stop.sh: no data dir $data" >&2; exit 1; }

ours() { # pid -> true if it is a running stockd started from this repo's build
  local cmd
  cmd="$(ps -o args= -p "$1" 2>/dev/null || true)"
  [[ "$cmd" == *"src/server/main.js"* ]]
}

pids=()
shopt -s nullglob
for pidfile in "$data"/n*.pid; do
  pid="$(cat "$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid"; then
    kill -TERM "$pid"
    pids+=("$pid")
  fi
  rm -f "$pidfile"
done
for ((try = 0; try < 40; try++)); do
  alive=()
  for pid in "${pids[@]}"; do ours "$pid" && alive+=("$pid"); done
  [[ ${#alive[@]} -eq 0 ]] && { echo "stopped ${#pids[@]} node(s)"; exit 0; }
  sleep 0.25
done
for pid in "${alive[@]}"; do ours "$pid" && kill -KILL "$pid"; done
echo "stopped ${#pids[@]} node(s) (${#alive[@]} needed SIGKILL)"
