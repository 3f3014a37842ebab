#!/usr/bin/env bash
# Responder window (RFC 7296 2.1) against strongSwan 5.9.8: an nft rule in answerd's
# namespace drops answerd's first IKE_AUTH response (UDP source port 500 or 4500, exchange
# type 35, flags 0x20: responder's response) and is removed after that one drop.
# strongSwan retransmits its IKE_AUTH request; answerd resends its cached response
# (counted in retransmits_answered, no second SA, no second authentication), and the
# negotiation completes with exactly one IKE SA on each side. The capture on
# answerd's side shows two IKE_AUTH requests and one response on the wire.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_init answerd_retransmit
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd nft tcpdump
answerd=$(ia_answerd_bin)
psk="answerd interop test key for answerd_retransmit"

ia_topology_direct
sock=$IA_WORK/answerd.sock
ia_answerd_conf local_addrs="$IA_RESP_ADDR" remote_addrs="$IA_INI_ADDR" secret="$psk" control_socket="$sock" \
  >"$IA_WORK/answerd.conf"
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_answerd_start "$answerd" resp "$IA_WORK/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

# The UDP payload starts at transport-header bit 64; the IKE header's exchange
# type is its octet 18 (bit 208), its flags octet 19 (bit 216); on 4500 (strongSwan
# floats there with MOBIKE even without a NAT) the non-ESP marker shifts them by 32.
ia_ns_exec resp nft -f - <<'NFT' || ia_fail "nft drop rule"
table inet ia_drop {
  chain out {
    type filter hook output priority 0; policy accept;
    udp sport 500 @th,208,16 0x2320 counter drop
    udp sport 4500 @th,64,32 0 @th,240,16 0x2320 counter drop
  }
}
NFT
dropped() {
  ia_ns_exec resp nft list chain inet ia_drop out | grep -o 'packets [0-9]*' | awk '{ n += $2 } END { print n + 0 }'
}
dropped_one() { [ "$(dropped)" -ge 1 ]; }

ia_charon_setup ini ini --conf "  retransmit_timeout = 2"
ia_conn hub local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
  remote_ts="$IA_RESP_NET" local_id=ini.answerd.test remote_id=resp.answerd.test secret="$psk" |
  ia_swanctl_conf ini
ia_charon_start ini
ia_swanctl_load ini
ia_swanctl ini --initiate --child net --timeout 30 >"$IA_WORK/initiate.out" 2>&1 &
initiate=$!
ia_on_exit kill "$initiate"
# One drop, then let the retransmission's answer through.
ia_wait_until 15 dropped_one || ia_fail "the drop rule never matched: $(ia_ns_exec resp nft list ruleset)"
ia_ns_exec resp nft flush chain inet ia_drop out || ia_fail "flush the drop rules"
wait "$initiate" || ia_fail "strongSwan did not establish after the lost response: $(cat "$IA_WORK/initiate.out")"
ia_wait_ike ini 1 ESTABLISHED 5 || ia_fail "strongSwan: $(ia_list_sas ini)"
[ "$(ia_ike_count ini)" -eq 1 ] && [ "$(ia_child_count ini INSTALLED)" -eq 1 ] || ia_fail "strongSwan: $(ia_list_sas ini)"
grep -q 'retransmit 1 of request with message ID 1' "$(ia_charon_log ini)" ||
  ia_fail "strongSwan did not retransmit IKE_AUTH"
ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
  and len(r['result']['ike_sas'][0]['child_sas']) == 1" || ia_fail "answerd's sa list: want one SA with one Child SA"
ctl "stats show" "r['result']['daemon']['ike']['sa']['retransmits_answered'] >= 1
  and r['result']['daemon']['ike']['sa']['ike_established'] == 1
  and r['result']['daemon']['ike']['sa']['child_installed'] == 1
  and r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" || ia_fail "answerd stats"
# Still answering in the window after the retransmission: the DELETE completes.
ia_terminate_ike ini hub || ia_fail "terminate"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "answerd kept the SA after DELETE"
ia_capture_stop "$pcap"
auth=$(ia_ike_pcap "$pcap" | awk -v r="$IA_RESP_ADDR" '$5 == "ike" && $6 == "IKE_AUTH" && $9 == 1 {
  if ($1 == r && $8 == "R") resp++; if ($1 != r && $8 == "-") req++ } END { print req + 0, resp + 0 }')
[ "$auth" = "2 1" ] || ia_fail "capture: IKE_AUTH requests/responses on the wire '$auth', want '2 1' (one response dropped)"
echo "answerd_retransmit: lost IKE_AUTH response resent from the cache ($(stat retransmits_answered) retransmit(s) answered), one SA"
