#!/usr/bin/env bash
# Records strongSwan initiator -> strongSwan responder IKEv2 sessions as test data.
#   tests/interop/make-captures.sh OUTDIR [CASE...]
# For each case (default: all) it writes
#   OUTDIR/captures/CASE.pcap                classic pcap on the responder's veth, UDP 500/4500:
#                                            IKE_SA_INIT, IKE_AUTH, INFORMATIONAL DELETE (and per
#                                            case CREATE_CHILD_SA, ESP-in-UDP, keepalives)
#   OUTDIR/strongswan/CASE/session.json      algorithms, SPIs, nonces, DH secret, SKEYSEED,
#                                            SK_* and CHILD_SA keys (lib/keylog.py)
#   OUTDIR/strongswan/CASE/{initiator,responder}.log   charon logs (ike 4, chd 4), if < 200 KB
#   OUTDIR/strongswan/CASE/*.pem             the CA and leaf certificates of certificate cases
# With OUTDIR=tests/data this refreshes the committed data (tests/data/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/interop.sh"

# CASE -> "auth=psk|cert|chain ike=PROPOSAL esp=PROPOSAL [frag=BYTES]
#          [topo=direct|direct6|nat] [resp_ike=PROPOSAL (the responder's, if different)]
#          [rekey=yes (the initiator rekeys the CHILD_SA, then the IKE SA)]
#          [keytype=ed25519 (auth=cert: Ed25519 instead of ECDSA P-256)]
#          [ini=libreswan lsw_ike=PROPOSAL lsw_esp=PROPOSAL (Libreswan initiator, PSK)]"
declare -A CASES=(
  [psk-x25519-aes256gcm16]="auth=psk ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16"
  [psk-modp2048-aes128-sha256]="auth=psk ike=aes128-sha256-modp2048 esp=aes128-sha256"
  [psk-ecp384-chacha20poly1305]="auth=psk ike=chacha20poly1305-prfsha384-ecp384 esp=chacha20poly1305"
  [psk-ecp256-aes128gcm16]="auth=psk ike=aes128gcm16-prfsha256-ecp256 esp=aes128gcm16"
  [psk-ecp521-aes256-sha512]="auth=psk ike=aes256-sha512-ecp521 esp=aes256-sha512"
  [cert-ecdsa-p256]="auth=cert ike=aes256gcm16-prfsha256-ecp256 esp=aes256gcm16"
  [cert-ed25519]="auth=cert keytype=ed25519 ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16"
  [psk-fragmented]="auth=psk ike=aes128-sha256-ecp256 esp=aes128-sha256 frag=300"
  [cert-chain-fragmented]="auth=chain ike=aes256gcm16-prfsha384-ecp384 esp=aes256gcm16 frag=576"
  [psk-natt]="auth=psk ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16 topo=nat"
  [psk-ipv6]="auth=psk ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16 topo=direct6"
  [psk-rekey]="auth=psk ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16-x25519 rekey=yes"
  [libreswan-psk-x25519-aes256gcm16]="auth=psk ini=libreswan ike=aes256gcm16-prfsha256-x25519 esp=aes256gcm16 lsw_ike=aes_gcm256-sha2_256-dh31 lsw_esp=aes_gcm256"
  [psk-invalid-ke]="auth=psk ike=aes256gcm16-prfsha256-x25519-ecp256 esp=aes256gcm16 resp_ike=aes256gcm16-prfsha256-ecp256"
)
ORDER="psk-x25519-aes256gcm16 psk-modp2048-aes128-sha256 psk-ecp384-chacha20poly1305
psk-ecp256-aes128gcm16 psk-ecp521-aes256-sha512 cert-ecdsa-p256 cert-ed25519 psk-fragmented
cert-chain-fragmented psk-natt psk-ipv6 psk-invalid-ke psk-rekey libreswan-psk-x25519-aes256gcm16"
LOG_LEVELS="default=1 cfg=2 net=2 ike=4 chd=4 knl=1"
MAX_LOG_BYTES=$((200 * 1024))

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [CASE...]" >&2; exit 2; }
# shellcheck disable=SC2034  # read by ia_skip/ia_fail
IA_NAME=make-captures
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd tcpdump tshark python3 pki
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
cases=${*:-$ORDER}

# case_get CASE KEY: one value of a case's spec (empty when absent).
case_get() {
  local kv
  for kv in ${CASES[$1]}; do
    [ "${kv%%=*}" != "$2" ] || { echo "${kv#*=}"; return; }
  done
}

# side_conf SIDE CASE: swanctl.conf of one side for a case (after the topology).
side_conf() {
  local me=$1 other args proposals
  proposals=$(case_get "$2" ike)
  if [ "$me" = ini ]; then
    other=resp
    args=(local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR"
      local_ts="$IA_INI_NET" remote_ts="$IA_RESP_NET")
  else
    other=ini
    args=(local_addrs="$IA_RESP_ADDR" remote_addrs=%any
      local_ts="$IA_RESP_NET" remote_ts="$IA_INI_NET")
    [ -z "$(case_get "$2" resp_ike)" ] || proposals=$(case_get "$2" resp_ike)
  fi
  args+=(proposals="$proposals" esp_proposals="$(case_get "$2" esp)"
    local_id="$me.answerd.test" remote_id="$other.answerd.test")
  if [ "$(case_get "$2" auth)" = psk ]; then
    args+=(auth=psk secret="$(case_psk "$2")")
  else
    args+=(auth=pubkey certs="$me.pem")
  fi
  ia_conn "$2" "${args[@]}"
}

# case_psk CASE: the pre-shared key of a PSK case (also stored in session.json).
case_psk() { echo "answerd interop capture $1"; }

# make_certs AUTH DIR [KEYTYPE]: test CA and leaf certificates (ECDSA P-256, or
# KEYTYPE ed25519). "chain": RSA 3072 leaves under an intermediate CA, so that
# IKE_AUTH carries two large CERT payloads.
make_certs() {
  local type=ecdsa size=256
  [ "${3:-}" != ed25519 ] || type=ed25519 size=0
  case $1 in
    cert)
      ia_pki_ca "$2" ca "$type" "$size"
      ia_pki_leaf "$2" ini ca ini.answerd.test "$type" "$size"
      ia_pki_leaf "$2" resp ca resp.answerd.test "$type" "$size"
      ;;
    chain)
      ia_pki_ca "$2" ca
      ia_pki_sub_ca "$2" sub ca
      ia_pki_leaf "$2" ini sub ini.answerd.test rsa 3072
      ia_pki_leaf "$2" resp sub resp.answerd.test rsa 3072
      ;;
  esac
}

# rekey CASE: CREATE_CHILD_SA exchanges started by the initiator: rekey the CHILD_SA
# (with PFS when esp= has a group), then the IKE SA (RFC 7296 sections 2.8, 1.3.3).
rekey() {
  local log
  log=$(ia_charon_log ini)
  ia_swanctl ini --rekey --child net >/dev/null || ia_fail "$1: rekey CHILD_SA"
  ia_wait_until 10 grep -q 'CHILD_SA net{2} established' "$log" || ia_fail "$1: CHILD_SA not rekeyed"
  ia_swanctl ini --rekey --ike "$1" >/dev/null || ia_fail "$1: rekey IKE SA"
  ia_wait_until 10 grep -q "IKE_SA $1\[2\] rekeyed" "$log" ||
    ia_fail "$1: IKE SA not rekeyed"
  ia_wait_ike resp 1 ESTABLISHED 10 || ia_fail "$1: responder did not drop the old IKE SA"
}

# start_charon SIDE CASE OPTS...: a charon for one side of a case.
start_charon() {
  local side=$1 c=$2 auth
  shift 2
  auth=$(case_get "$c" auth)
  ia_charon_setup "$side" "$side" --log "$LOG_LEVELS" "$@"
  side_conf "$side" "$c" | ia_swanctl_conf "$side"
  if [ "$auth" = cert ]; then
    ia_pki_install "$side" "$IA_WORK/pki" --ca ca --cert "$side" --key "$side"
  elif [ "$auth" = chain ]; then
    ia_pki_install "$side" "$IA_WORK/pki" --ca ca --cert sub --cert "$side" --key "$side"
  fi
  ia_charon_start "$side"
  ia_swanctl_load "$side"
}

# session_strongswan CASE: the charon initiator's session, up to its DELETE.
session_strongswan() {
  local c=$1
  ia_initiate ini net
  ia_wait_ike resp 1 ESTABLISHED 10 || ia_fail "$c: responder has no ESTABLISHED IKE SA"
  [ "$(ia_child_count resp INSTALLED)" -eq 1 ] || ia_fail "$c: no CHILD_SA on the responder"
  if [ "$(case_get "$c" topo)" = nat ]; then  # ESP-in-UDP, NAT keepalives (RFC 3948)
    ia_ns_exec ini ping -c 2 -W 2 -I "$IA_INI_INNER" "$IA_RESP_INNER" >/dev/null ||
      ia_fail "$c: no ping through the tunnel"
    sleep 2.2
  fi
  [ "$(case_get "$c" rekey)" != yes ] || rekey "$c"
  ia_terminate_ike ini "$c" || ia_fail "$c: terminate"
  ia_wait_ike resp 0 "" 10 || ia_fail "$c: responder kept the IKE SA after DELETE"
}

# session_libreswan CASE PCAP: a pluto initiator (ini=libreswan, PSK only). pluto
# cannot add ESP SAs here and retries at once, so the capture is cut down to the
# first IKE SA (IKE_SA_INIT and IKE_AUTH; pluto sends no DELETE).
session_libreswan() {
  local c=$1 pcap=$2 spi
  ia_pluto_setup ini ini
  ia_pluto_conf ini <<CONF
conn $c
	ikev2=insist
	authby=secret
	left=$IA_INI_ADDR
	leftid=@ini.answerd.test
	leftsubnet=$IA_INI_NET
	right=$IA_RESP_ADDR
	rightid=@resp.answerd.test
	rightsubnet=$IA_RESP_NET
	ike=$(case_get "$c" lsw_ike)
	esp=$(case_get "$c" lsw_esp)
	auto=add
CONF
  echo "@ini.answerd.test @resp.answerd.test : PSK \"$(case_psk "$c")\"" | ia_pluto_secrets ini
  ia_pluto_start ini
  ia_pluto_initiate ini "$c"
  ia_wait_until 10 grep -q 'CHILD_SA net{1} established' "$(ia_charon_log resp)" ||
    ia_fail "$c: responder did not establish the Libreswan initiator's SAs"
  ia_pluto_stop ini
  ia_capture_stop "$pcap"
  spi=$(tshark -r "$pcap" -T fields -e isakmp.ispi -c 1 2>/dev/null)
  tshark -r "$pcap" -Y "isakmp.ispi == $spi" -F pcap -w "$pcap.first" 2>/dev/null &&
    mv "$pcap.first" "$pcap" || ia_fail "$c: cannot cut the capture"
}

# run_case CASE: one session, in a subshell of its own (own namespaces, own cleanup).
run_case() {
  local c=$1 auth frag topo opts=() data psk="" ini_impl keylog_args side name
  data="$out/strongswan/$c"
  auth=$(case_get "$c" auth) frag=$(case_get "$c" frag) topo=$(case_get "$c" topo)
  ini_impl=$(case_get "$c" ini)
  [ "$auth" != psk ] || psk=$(case_psk "$c")
  ia_init "capture-$c"
  [ "$ini_impl" != libreswan ] || ia_require_libreswan
  "ia_topology_${topo:-direct}"
  [ -z "$frag" ] || opts+=(--fragment-size "$frag")
  # Behind a NAT, send keepalives every second so that the capture shows some.
  [ "$topo" != nat ] || opts+=(--conf "keep_alive = 1s")
  make_certs "$auth" "$IA_WORK/pki" "$(case_get "$c" keytype)"
  start_charon resp "$c" "${opts[@]}"
  [ "$ini_impl" = libreswan ] || start_charon ini "$c" "${opts[@]}"
  mkdir -p "$out/captures" "$data"
  local pcap="$out/captures/$c.pcap"
  ia_capture_start resp "$IA_RESP_DEV" "$pcap"
  if [ "$ini_impl" = libreswan ]; then
    session_libreswan "$c" "$pcap"
    keylog_args=(--log "$(ia_charon_log resp)" --first-sa-only)
  else
    session_strongswan "$c"
    ia_capture_stop "$pcap"
    ia_charon_stop ini
    keylog_args=(--log "$(ia_charon_log ini)" --peer-log "$(ia_charon_log resp)")
  fi
  ia_charon_stop resp
  python3 "$IA_LIB/keylog.py" "${keylog_args[@]}" --pcap "$pcap" --out "$data/session.json" \
    ${psk:+--psk "$psk"} || ia_fail "$c: key extraction"
  rm -f "$data"/*.log "$data"/*.pem
  # Certificates (not keys) travel in the encrypted IKE_AUTH: keep them to check AUTH.
  [ "$auth" = psk ] || cp "$IA_WORK/pki/"*.pem "$data/"
  for side in ini resp; do
    name=initiator
    [ "$side" = resp ] && name=responder
    [ -f "$(ia_charon_log "$side")" ] || continue
    [ "$(stat -c %s "$(ia_charon_log "$side")")" -gt "$MAX_LOG_BYTES" ] ||
      cp "$(ia_charon_log "$side")" "$data/$name.log"
  done
  ia_log "$c: $(tshark -r "$pcap" 2>/dev/null | wc -l) packets, $data/session.json"
}

for c in $cases; do
  [ -n "${CASES[$c]:-}" ] || { echo "unknown case $c (known: $ORDER)" >&2; exit 2; }
  rc=0
  (run_case "$c") || rc=$?
  [ "$rc" -eq 0 ] || exit "$rc"  # 77: a case's peer is missing (skip)
done
