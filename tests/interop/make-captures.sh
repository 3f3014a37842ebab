#!/usr/bin/env bash
# Records strongSwan initiator -> strongSwan responder IKEv2 sessions as test data.
#   tests/interop/make-captures.sh OUTDIR [CASE...]
# For each case (default: all) it writes
#   OUTDIR/captures/CASE.pcap                classic pcap on the responder's veth, UDP 500/4500:
#                                            IKE_SA_INIT, IKE_AUTH, INFORMATIONAL DELETE
#   OUTDIR/strongswan/CASE/session.json      algorithms, SPIs, nonces, DH secret, SKEYSEED,
#                                            SK_* and CHILD_SA keys (lib/keylog.py)
#   OUTDIR/strongswan/CASE/{initiator,responder}.log   charon logs (ike 4, chd 4), if < 200 KB
#   OUTDIR/strongswan/CASE/*.pem             the CA and leaf certificates of certificate cases
# With OUTDIR=tests/data this refreshes the committed data (tests/data/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/interop.sh"

# CASE -> "AUTH IKE_PROPOSAL ESP_PROPOSAL [FRAGMENT_SIZE]"
declare -A CASES=(
  [psk-x25519-aes256gcm16]="psk aes256gcm16-prfsha256-x25519 aes256gcm16"
  [psk-modp2048-aes128-sha256]="psk aes128-sha256-modp2048 aes128-sha256"
  [psk-ecp384-chacha20poly1305]="psk chacha20poly1305-prfsha384-ecp384 chacha20poly1305"
  [psk-ecp256-aes128gcm16]="psk aes128gcm16-prfsha256-ecp256 aes128gcm16"
  [psk-ecp521-aes256-sha512]="psk aes256-sha512-ecp521 aes256-sha512"
  [cert-ecdsa-p256]="cert aes256gcm16-prfsha256-ecp256 aes256gcm16"
  [psk-fragmented]="psk aes128-sha256-ecp256 aes128-sha256 300"
  [cert-chain-fragmented]="chain aes256gcm16-prfsha384-ecp384 aes256gcm16 576"
)
ORDER="psk-x25519-aes256gcm16 psk-modp2048-aes128-sha256 psk-ecp384-chacha20poly1305
psk-ecp256-aes128gcm16 psk-ecp521-aes256-sha512 cert-ecdsa-p256 psk-fragmented cert-chain-fragmented"
LOG_LEVELS="default=1 cfg=2 net=2 ike=4 chd=4 knl=1"
MAX_LOG_BYTES=$((200 * 1024))

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [CASE...]" >&2; exit 2; }
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
cases=${*:-$ORDER}

# side_conf SIDE CASE: swanctl.conf of one side for a case.
side_conf() {
  local me=$1 auth proposal esp frag other local_addr remote_addr lnet rnet
  read -r auth proposal esp frag <<<"${CASES[$2]}"
  if [ "$me" = ini ]; then
    other=resp local_addr=192.0.2.1 remote_addr=192.0.2.2 lnet=10.1.0.0/24 rnet=10.2.0.0/24
  else
    other=ini local_addr=192.0.2.2 remote_addr=192.0.2.1 lnet=10.2.0.0/24 rnet=10.1.0.0/24
  fi
  echo "connections {"
  echo "  $2 {"
  echo "    version = 2"
  echo "    local_addrs = $local_addr"
  echo "    remote_addrs = $remote_addr"
  echo "    proposals = $proposal"
  echo "    fragmentation = yes"
  echo "    local {"
  if [ "$auth" = psk ]; then
    echo "      auth = psk"
  else
    echo "      auth = pubkey"
    echo "      certs = $me.pem"
  fi
  echo "      id = $me.answerd.test"
  echo "    }"
  echo "    remote {"
  [ "$auth" = psk ] && echo "      auth = psk" || echo "      auth = pubkey"
  echo "      id = $other.answerd.test"
  echo "    }"
  echo "    children {"
  echo "      net {"
  echo "        local_ts = $lnet"
  echo "        remote_ts = $rnet"
  echo "        esp_proposals = $esp"
  echo "      }"
  echo "    }"
  echo "  }"
  echo "}"
  if [ "$auth" = psk ]; then
    echo "secrets {"
    echo "  ike-1 {"
    echo "    id-1 = ini.answerd.test"
    echo "    id-2 = resp.answerd.test"
    echo "    secret = \"$(case_psk "$2")\""
    echo "  }"
    echo "}"
  fi
}

# case_psk CASE: the pre-shared key of a PSK case (also stored in session.json).
case_psk() { echo "answerd interop capture $1"; }

# make_certs AUTH DIR: test CA and leaf certificates. "chain": RSA 3072 leaves under
# an intermediate CA, so that IKE_AUTH carries two large CERT payloads.
make_certs() {
  case $1 in
    cert)
      ia_pki_ca "$2" ca
      ia_pki_leaf "$2" ini ca ini.answerd.test
      ia_pki_leaf "$2" resp ca resp.answerd.test
      ;;
    chain)
      ia_pki_ca "$2" ca
      ia_pki_sub_ca "$2" sub ca
      ia_pki_leaf "$2" ini sub ini.answerd.test rsa 3072
      ia_pki_leaf "$2" resp sub resp.answerd.test rsa 3072
      ;;
  esac
}

# run_case CASE: one session, in a subshell of its own (own namespaces, own cleanup).
run_case() {
  local c=$1 auth proposal esp frag side opts=() data="$out/strongswan/$c" psk=""
  read -r auth proposal esp frag <<<"${CASES[$c]}"
  [ "$auth" != psk ] || psk=$(case_psk "$c")
  ia_init "capture-$c"
  ia_topology_direct
  [ -z "$frag" ] || opts=(--fragment-size "$frag")
  make_certs "$auth" "$IA_WORK/pki"
  for side in resp ini; do
    ia_charon_setup "$side" "$side" --log "$LOG_LEVELS" "${opts[@]}"
    side_conf "$side" "$c" | ia_swanctl_conf "$side"
    if [ "$auth" = cert ]; then
      ia_pki_install "$side" "$IA_WORK/pki" --ca ca --cert "$side" --key "$side"
    elif [ "$auth" = chain ]; then
      ia_pki_install "$side" "$IA_WORK/pki" --ca ca --cert sub --cert "$side" --key "$side"
    fi
    ia_charon_start "$side"
    ia_swanctl_load "$side"
  done
  mkdir -p "$out/captures" "$data"
  local pcap="$out/captures/$c.pcap"
  ia_capture_start resp "$(ia_ifname resp ini)" "$pcap"
  ia_initiate ini net
  ia_wait_ike resp 1 ESTABLISHED 10 || ia_fail "$c: responder has no ESTABLISHED IKE SA"
  [ "$(ia_child_count resp INSTALLED)" -eq 1 ] || ia_fail "$c: no CHILD_SA on the responder"
  ia_terminate_ike ini "$c" || ia_fail "$c: terminate"
  ia_wait_ike resp 0 "" 10 || ia_fail "$c: responder kept the IKE SA after DELETE"
  ia_capture_stop "$pcap"
  ia_charon_stop ini
  ia_charon_stop resp
  python3 "$IA_LIB/keylog.py" --log "$(ia_charon_log ini)" --peer-log "$(ia_charon_log resp)" \
    --pcap "$pcap" --out "$data/session.json" ${psk:+--psk "$psk"} || ia_fail "$c: key extraction"
  rm -f "$data"/*.log "$data"/*.pem
  # Certificates (not keys) travel in the encrypted IKE_AUTH: keep them to check AUTH.
  [ "$auth" = psk ] || cp "$IA_WORK/pki/"*.pem "$data/"
  for side in ini resp; do
    local name=initiator
    [ "$side" = resp ] && name=responder
    [ "$(stat -c %s "$(ia_charon_log "$side")")" -gt "$MAX_LOG_BYTES" ] ||
      cp "$(ia_charon_log "$side")" "$data/$name.log"
  done
  ia_log "$c: $(tshark -r "$pcap" 2>/dev/null | wc -l) packets, $data/session.json"
}

ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd tcpdump tshark python3 pki
for c in $cases; do
  [ -n "${CASES[$c]:-}" ] || { echo "unknown case $c (known: $ORDER)" >&2; exit 2; }
  (run_case "$c") || exit 1
done
