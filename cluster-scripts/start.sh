#!/usr/bin/env bash
# Starts a local Stockraft cluster in the background: one stockd per node, pid files and
# logs in the data dir, waits until every node agrees on a leader, prints the endpoints.
#
#   cluster-scripts/start.sh [--nodes 3|5] [--base-port P] [--data DIR] [--tls] [-- extra stockd flags]
#
# Node i (n1..nN) listens on 127.0.0.1:(P+i-1) with metrics on port (P+i-1+2000).
# stop.sh stops exactly the processes whose pids this script recorded.
# --tls: TLS and mutual TLS with certificates gen-certs.sh makes once in DIR/certs; the
# stockctl flags for the admin client are written to DIR/stockctl-flags (status.sh uses it).
set -euo pipefail

nodes=3
base_port=7401
data=data/cluster
extra=()
tls=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --tls) tls=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[[ "$nodes" == 3 || "$nodes" == 5 ]] || { echo "start.sh: --nodes must be 3 or 5, got $nodes" >&2; exit 64; }
[[ "$base_port" =~ ^[0-9]+$ && "$base_port" -ge 1024 && "$base_port" -le 63000 ]] || { echo "start.sh: --base-port must be 1024..63000, got $base_port" >&2; exit 64; }

root="$(cd "$(dirname "$0")/.." && pwd)"
stockd="$root/dist/src/server/main.js"
stockctl="$root/dist/src/cli/main.js"
[[ -f "$stockd" ]] || { echo "start.sh: $stockd missing: run npm run build first" >&2; exit 1; }
mkdir -p "$data"
data="$(cd "$data" && pwd)"

initial=""
endpoints=""
for ((i = 1; i <= nodes; i++)); do
  port=$((base_port + i - 1))
  initial+="${initial:+,}n$i=127.0.0.1:$port"
  endpoints+="${endpoints:+,}127.0.0.1:$port"
done

for ((i = 1; i <= nodes; i++)); do
  pidfile="$data/n$i.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start.sh: n$i already runs (pid $(cat "$pidfile")); stop.sh --data $data first" >&2
    exit 1
  fi
done

ctl_flags=()
rm -f "$data/stockctl-flags"
if [[ "$tls" == 1 ]]; then
  certs="$data/certs"
  if [[ ! -f "$certs/ca.crt" ]]; then
    ids=""
    for ((i = 1; i <= nodes; i++)); do ids+="${ids:+,}n$i"; done
    "$root/cluster-scripts/gen-certs.sh" --out "$certs" --nodes "$ids" >/dev/null
  fi
  for ((i = 1; i <= nodes; i++)); do
    [[ -f "$certs/nodes/n$i.crt" ]] || { echo "start.sh: $certs has no certificate for n$i; remove $certs to make a new set" >&2; exit 1; }
  done
  ctl_flags=(--ca "$certs/ca.crt" --cert "$certs/clients/admin.crt" --key "$certs/clients/admin.key")
  printf '%s\n' "${ctl_flags[@]}" >"$data/stockctl-flags"
fi

for ((i = 1; i <= nodes; i++)); do
  port=$((base_port + i - 1))
  if [[ "$tls" == 1 ]]; then
    sec=(--cert "$certs/nodes/n$i.crt" --key "$certs/nodes/n$i.key" --ca "$certs/ca.crt" --roles "$certs/roles.txt")
  else
    sec=(--insecure)
  fi
  # Node.js flags and environment: the same as every launcher passes (src/server/node-flags.ts).
  MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 nohup node --max-semi-space-size=32 "$stockd" --id "n$i" --listen "127.0.0.1:$port" --data "$data/n$i" \
    --initial-cluster "$initial" --metrics-listen "127.0.0.1:$((port + 2000))" "${sec[@]}" \
    "${extra[@]}" >>"$data/n$i.log" 2>&1 &
  echo $! >"$data/n$i.pid"
done
echo "$endpoints" >"$data/endpoints"

# Wait (bounded) until every node names the same leader.
for ((try = 0; try < 120; try++)); do
  if out="$(node "$stockctl" --endpoints "$endpoints" "${ctl_flags[@]}" --json --deadline-ms 1000 status 2>/dev/null)"; then
    leaders="$(node -e 'const a=JSON.parse(process.argv[1]);const l=new Set(a.map(e=>e.status?e.status.leader_id:""));console.log(l.size===1&&!l.has("")?[...l][0]:"")' "$out")"
    if [[ -n "$leaders" ]]; then
      echo "leader: $leaders"
      echo "endpoints: $endpoints"
      echo "export STOCKRAFT_ENDPOINTS=$endpoints"
      if [[ "$tls" == 1 ]]; then echo "stockctl flags (admin): ${ctl_flags[*]}"; fi
      exit 0
    fi
  fi
  for ((i = 1; i <= nodes; i++)); do
    if ! kill -0 "$(cat "$data/n$i.pid")" 2>/dev/null; then
      echo "start.sh: n$i exited; last log lines:" >&2
      tail -n 5 "$data/n$i.log" >&2
      exit 1
    fi
  done
  sleep 0.25
done
echo "start.sh: no leader after 30 s; logs in $data/n*.log" >&2
exit 1
