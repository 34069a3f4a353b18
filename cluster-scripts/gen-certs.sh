#!/usr/bin/env bash
# Makes the certificates a Stockraft cluster needs for TLS and mutual TLS, for development
# and tests. Production deployments should issue certificates from their own CA with the
# same naming rules (see docs/security.md):
#   node certificates:   subject O=stockraft, OU=node,   CN=<member id>; SAN DNS:<member id>,
#                        DNS:localhost, IP:127.0.0.1; usable as TLS server and client.
#   client certificates: subject O=stockraft, OU=client, CN=<principal>; TLS client only.
#
# Layout written under --out DIR:
#   ca.crt ca.key                      the development cluster CA
#   nodes/<id>.crt nodes/<id>.key      one per node
#   clients/<name>.crt .key            one per client principal
#   roles.txt                          principal -> roles for the default clients
# With --test-extras, also (for the security tests):
#   rogue/ca.crt, rogue/nodes/<id>.*, rogue/clients/<name>.*   a second, untrusted CA
#   expired/clients/<name>.*           signed by the real CA but expired in 2020
set -euo pipefail

OUT=""
NODES="n1,n2,n3"
CLIENTS="admin,orders,stock,reader"
DAYS=825
EXTRAS=0
FORCE=0

usage() {
  cat <<USAGE
usage: $0 --out DIR [--nodes n1,n2,n3] [--clients admin,orders,stock,reader]
          [--days 825] [--test-extras] [--force]
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="${2:-}"; shift 2 ;;
    --nodes) NODES="${2:-}"; shift 2 ;;
    --clients) CLIENTS="${2:-}"; shift 2 ;;
    --days) DAYS="${2:-}"; shift 2 ;;
    --test-extras) EXTRAS=1; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gen-certs: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -z "$OUT" ]; then echo "gen-certs: --out DIR is required" >&2; usage >&2; exit 2; fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "gen-certs: openssl is not installed; install it (e.g. 'apt-get install openssl') and retry" >&2
  exit 3
fi
if ! [[ "$DAYS" =~ ^[0-9]{1,5}$ ]] || [ "$DAYS" -lt 1 ]; then
  echo "gen-certs: --days must be an integer in 1..99999, got '$DAYS'" >&2; exit 2
fi
# Names become file names and certificate subjects: keep them to a safe alphabet.
NAME_RE='^[A-Za-z0-9._-]{1,64}$'
IFS=',' read -r -a NODE_LIST <<< "$NODES"
IFS=',' read -r -a CLIENT_LIST <<< "$CLIENTS"
for n in "${NODE_LIST[@]}" "${CLIENT_LIST[@]}"; do
  if ! [[ "$n" =~ $NAME_RE ]]; then
    echo "gen-certs: name '$n' must match $NAME_RE" >&2; exit 2
  fi
done
if [ "${#NODE_LIST[@]}" -gt 100 ] || [ "${#CLIENT_LIST[@]}" -gt 100 ]; then
  echo "gen-certs: at most 100 nodes and 100 clients" >&2; exit 2
fi
if [ -e "$OUT/ca.key" ] && [ "$FORCE" -ne 1 ]; then
  echo "gen-certs: $OUT/ca.key already exists; pass --force to replace the CA" >&2; exit 4
fi

umask 077
mkdir -p "$OUT/nodes" "$OUT/clients"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

new_key() { # file
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

make_ca() { # dir cn
  new_key "$1/ca.key"
  openssl req -x509 -new -key "$1/ca.key" -sha256 -days "$DAYS" -subj "/O=stockraft/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1/ca.crt" 2>/dev/null
}

# sign CA_DIR KIND NAME OUT_PREFIX [expired]
sign() {
  local ca_dir="$1" kind="$2" name="$3" prefix="$4" expired="${5:-}"
  local ext="$WORK/ext.cnf"
  new_key "$prefix.key"
  openssl req -new -key "$prefix.key" -subj "/O=stockraft/OU=$kind/CN=$name" -out "$WORK/req.csr" 2>/dev/null
  if [ "$kind" = node ]; then
    cat > "$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1
EXT
  else
    cat > "$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=DNS:$name
EXT
  fi
  if [ -z "$expired" ]; then
    openssl x509 -req -in "$WORK/req.csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" \
      -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$DAYS" -extfile "$ext" \
      -out "$prefix.crt" 2>/dev/null
  else
    # 'openssl x509' in OpenSSL 3.0 cannot back-date; 'openssl ca' can.
    local db="$WORK/cadb"
    rm -rf "$db"; mkdir -p "$db/new"; : > "$db/index.txt"; openssl rand -hex 16 > "$db/serial"
    cat > "$db/ca.cnf" <<CNF
[ ca ]
default_ca = dev
[ dev ]
database = $db/index.txt
new_certs_dir = $db/new
serial = $db/serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
organizationName = optional
organizationalUnitName = optional
commonName = supplied
CNF
    openssl ca -batch -config "$db/ca.cnf" -cert "$ca_dir/ca.crt" -keyfile "$ca_dir/ca.key" \
      -in "$WORK/req.csr" -startdate 20200101000000Z -enddate 20200102000000Z \
      -extfile "$ext" -notext -out "$prefix.crt" 2>/dev/null
  fi
}

make_ca "$OUT" "stockraft development CA"
for n in "${NODE_LIST[@]}"; do sign "$OUT" node "$n" "$OUT/nodes/$n"; done
for c in "${CLIENT_LIST[@]}"; do sign "$OUT" client "$c" "$OUT/clients/$c"; done

# Default roles: a client named after a role gets that role ('orders' gets 'order').
{
  echo "# principal  roles...   (reloaded by stockd on SIGHUP)"
  for c in "${CLIENT_LIST[@]}"; do
    case "$c" in
      admin) echo "admin admin" ;;
      orders|order) echo "$c order" ;;
      stock) echo "stock stock" ;;
      reader) echo "reader reader" ;;
    esac
  done
} > "$OUT/roles.txt"

if [ "$EXTRAS" -eq 1 ]; then
  mkdir -p "$OUT/rogue/nodes" "$OUT/rogue/clients" "$OUT/expired/clients"
  make_ca "$OUT/rogue" "stockraft development CA"   # same name, different key
  for n in "${NODE_LIST[@]}"; do sign "$OUT/rogue" node "$n" "$OUT/rogue/nodes/$n"; done
  for c in "${CLIENT_LIST[@]}"; do sign "$OUT/rogue" client "$c" "$OUT/rogue/clients/$c"; done
  for c in "${CLIENT_LIST[@]}"; do sign "$OUT" client "$c" "$OUT/expired/clients/$c" expired; done
fi

chmod 600 "$OUT"/*.key "$OUT"/nodes/*.key "$OUT"/clients/*.key
chmod 644 "$OUT"/*.crt "$OUT"/nodes/*.crt "$OUT"/clients/*.crt "$OUT/roles.txt"
echo "gen-certs: wrote CA, ${#NODE_LIST[@]} node and ${#CLIENT_LIST[@]} client certificates to $OUT"
