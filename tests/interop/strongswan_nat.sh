#!/usr/bin/env bash
# NAT-T through the harness: the initiator (10.0.0.2) sits behind a namespace that
# masquerades it as 198.51.100.1 toward the responder (198.51.100.2). strongSwan
# must detect the NAT (RFC 7296 section 2.23: NAT_DETECTION_* notifies), float to
# UDP 4500 and carry the tunnel's ESP in UDP (RFC 3948); a ping crosses it and the
# capture on the responder shows ESP-in-UDP packets on port 4500.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_init strongswan_nat
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd tcpdump tshark
command -v nft >/dev/null || command -v iptables >/dev/null || ia_skip "needs nft or iptables"

ia_topology_nat
conf() {  # LOCAL_ADDR REMOTE_ADDR LOCAL_NET REMOTE_NET LOCAL_ID REMOTE_ID
  ia_conn nat local_addrs="$1" remote_addrs="$2" local_ts="$3" remote_ts="$4" \
    proposals=aes128gcm16-prfsha256-x25519 esp_proposals=aes128gcm16 \
    auth=psk local_id="$5" remote_id="$6" secret="answerd interop NAT-T test key"
}
ia_charon_setup resp resp
ia_charon_setup ini ini
conf "$IA_RESP_ADDR" %any "$IA_RESP_NET" "$IA_INI_NET" resp.answerd.test ini.answerd.test |
  ia_swanctl_conf resp
conf "$IA_INI_ADDR" "$IA_RESP_ADDR" "$IA_INI_NET" "$IA_RESP_NET" ini.answerd.test resp.answerd.test |
  ia_swanctl_conf ini
for side in resp ini; do
  ia_charon_start "$side"
  ia_swanctl_load "$side"
done
pcap=$IA_WORK/nat.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_initiate ini net
ia_wait_ike resp 1 ESTABLISHED 10 || ia_fail "no ESTABLISHED IKE SA on the responder"
[ "$(ia_sa_value resp remote-host)" = 198.51.100.1 ] ||
  ia_fail "responder sees the initiator at $(ia_sa_value resp remote-host), want the NAT 198.51.100.1"
[ "$(ia_sa_value resp nat-remote)" = yes ] || ia_fail "responder did not detect the NAT: $(ia_list_sas resp)"
[ "$(ia_sa_value ini nat-local)" = yes ] || ia_fail "initiator did not detect it is behind a NAT"
[ "$(ia_sa_value resp remote-port)" != 500 ] || ia_fail "IKE did not float away from port 500"
ia_ns_exec ini ping -c 2 -W 2 -I "$IA_INI_INNER" "$IA_RESP_INNER" >/dev/null ||
  ia_fail "no ping through the NAT-T tunnel"
ia_capture_stop "$pcap"
n_esp=$(tshark -r "$pcap" -Y "udp.port == 4500 && esp" 2>/dev/null | grep -c . || true)
[ "$n_esp" -ge 4 ] || ia_fail "$n_esp ESP-in-UDP packets on port 4500 in the capture, want 4+"
echo "strongswan_nat: NAT detected, IKE on 4500, $n_esp ESP-in-UDP packets, ping passed"
