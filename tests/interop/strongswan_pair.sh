#!/usr/bin/env bash
# Smoke test of the interop harness: two strongSwan charons, initiator in namespace
# "ini" and responder in "resp", negotiate IKEv2 first with a pre-shared key, then
# with ECDSA certificates from a test CA. Each time: IKE SA ESTABLISHED on both
# sides, CHILD_SA INSTALLED on both, and a ping from 10.1.0.1 to 10.2.0.1 crosses the
# tunnel (kernel-libipsec: userspace ESP, this kernel has none).
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_init strongswan_pair
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd pki

ia_topology_direct
pki_dir=$IA_WORK/pki
ia_pki_ca "$pki_dir" ca
ia_pki_leaf "$pki_dir" ini ca ini.answerd.test
ia_pki_leaf "$pki_dir" resp ca resp.answerd.test

# conf SIDE LOCAL_ADDR REMOTE_ADDR LOCAL_NET REMOTE_NET: swanctl.conf with a PSK
# connection and a certificate connection, same algorithms on both sides.
conf() {
  local me=$1 other
  [ "$me" = ini ] && other=resp || other=ini
  ia_conn psk local_addrs="$2" remote_addrs="$3" local_ts="$4" remote_ts="$5" \
    proposals=aes256gcm16-prfsha256-x25519 esp_proposals=aes256gcm16 child=psk-net \
    auth=psk local_id="$me-psk.answerd.test" remote_id="$other-psk.answerd.test" \
    secret="answerd interop smoke test key"
  ia_conn cert local_addrs="$2" remote_addrs="$3" local_ts="$4" remote_ts="$5" \
    proposals=aes128-sha256-ecp256 esp_proposals=aes128-sha256 child=cert-net \
    auth=pubkey certs="$me.pem" local_id="$me.answerd.test" remote_id="$other.answerd.test"
}

ia_charon_setup resp resp
ia_charon_setup ini ini
conf resp 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 | ia_swanctl_conf resp
conf ini 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 | ia_swanctl_conf ini
for side in ini resp; do
  ia_pki_install "$side" "$pki_dir" --ca ca --cert "$side" --key "$side"
  ia_charon_start "$side"
  ia_swanctl_load "$side"
done

# check_tunnel IKE CHILD ENCR: both sides have one ESTABLISHED IKE SA with ENCR and
# one INSTALLED CHILD_SA, and a ping crosses the tunnel; then tear it down.
check_tunnel() {
  local ike=$1 child=$2 encr=$3 side
  ia_log "$ike: initiating $child"
  ia_initiate ini "$child"
  for side in ini resp; do
    ia_wait_ike "$side" 1 ESTABLISHED 10 || ia_fail "$ike: no ESTABLISHED IKE SA on $side"
    [ "$(ia_child_count "$side" INSTALLED)" -eq 1 ] ||
      ia_fail "$ike: no INSTALLED CHILD_SA on $side: $(ia_list_sas "$side")"
    [ "$(ia_sa_value "$side" encr-alg)" = "$encr" ] ||
      ia_fail "$ike: $side encr-alg is '$(ia_sa_value "$side" encr-alg)', want $encr"
  done
  ia_ns_exec ini ping -c 2 -W 2 -I 10.1.0.1 10.2.0.1 >/dev/null ||
    ia_fail "$ike: no ping through the tunnel"
  ia_ns_exec ini ip route show table 220 | grep -q 10.2.0.0/24 ||
    ia_fail "$ike: no tunnel route in table 220"
  ia_terminate_ike ini "$ike" || ia_fail "$ike: terminate"
  ia_wait_ike resp 0 "" 10 || ia_fail "$ike: responder kept its IKE SA after DELETE"
  ia_log "$ike: ESTABLISHED, CHILD_SA INSTALLED, ping through the tunnel, deleted"
}

check_tunnel psk psk-net AES_GCM_16
check_tunnel cert cert-net AES_CBC
# RFC 7427 digital signature authentication (AUTH method 14) with ECDSA.
grep -q "authentication of 'ini.answerd.test' with ECDSA_WITH_SHA256_DER successful" \
  "$(ia_charon_log resp)" ||
  ia_fail "responder log does not show the initiator's ECDSA signature authentication"
echo "strongswan_pair: PSK and certificate tunnels up on both sides, pings passed"
