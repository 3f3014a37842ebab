#!/usr/bin/env bash
# Responder window (RFC 7296 2.1) against strongSwan 5.9.8: an nft rule in answerd's
# namespace drops answerd's first IKE_AUTH response (UDP source port 500 or 4500, exchange
# type 35, flags 0x20: responder's response) and is removed after that one drop.
# strongSwan retransmits its IKE_AUTH request; answerd resends its cached response
# (counted in retransmits_answered, no second SA, no second authentication), and the
# negotiation completes with exactly one IKE SA on each side. The same for a Child SA
# rekey (CREATE_CHILD_SA): one new Child SA, child_rekeyed 1. The capture on
# answerd's side shows two requests and one response on the wire for each.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_retransmit nft tcpdump

ia_topology_direct
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_answerd_run
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

# drop_first_response XCHG: drop answerd's next response of exchange type XCHG
# (35 IKE_AUTH, 36 CREATE_CHILD_SA). The UDP payload starts at transport-header bit
# 64; the IKE header's exchange type is its octet 18 (bit 208), its flags octet 19
# (bit 216, 0x20: a response from the original responder); on 4500 (strongSwan
# floats there with MOBIKE even without a NAT) the non-ESP marker shifts them by 32.
drop_first_response() {
  local match
  match=$(printf '0x%02x20' "$1")
  ia_ns_exec resp nft -f - <<NFT || ia_fail "nft drop rule"
table inet ia_drop {
  chain out {
    type filter hook output priority 0; policy accept;
    udp sport 500 @th,208,16 $match counter drop
    udp sport 4500 @th,64,32 0 @th,240,16 $match counter drop
  }
}
NFT
}
dropped() {
  ia_ns_exec resp nft list chain inet ia_drop out | grep -o 'packets [0-9]*' | awk '{ n += $2 } END { print n + 0 }'
}
dropped_one() { [ "$(dropped)" -ge 1 ]; }
# let_through: after one drop, remove the rules so the retransmission's answer passes.
let_through() {
  ia_wait_until 15 dropped_one || ia_fail "the drop rule never matched: $(ia_ns_exec resp nft list ruleset)"
  ia_ns_exec resp nft delete table inet ia_drop || ia_fail "delete the drop rules"
}

ia_charon_run ini ini "$(ia_answerd_peer_conn hub)" --conf "  retransmit_timeout = 2"
drop_first_response 35
ia_swanctl ini --initiate --child net --timeout 30 >"$IA_WORK/initiate.out" 2>&1 &
initiate=$!
ia_on_exit kill "$initiate"
let_through
wait "$initiate" || ia_fail "strongSwan did not establish after the lost response: $(cat "$IA_WORK/initiate.out")"
test_child_installed() { [ "$(ia_ike_count ini)" -eq 1 ] && [ "$(ia_child_count ini INSTALLED)" -eq 1 ] && [ "$(ia_child_count ini)" -eq 1 ]; }
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
# A Child SA rekey (CREATE_CHILD_SA, message ID 2) whose response is lost: one rekey.
spi0=$(ia_answerd_value "$sock" "sa list" "r['result']['ike_sas'][0]['child_sas'][0]['spi_in']")
drop_first_response 36
ia_swanctl ini --rekey --child net >/dev/null 2>&1 || ia_fail "swanctl --rekey"
let_through
ia_wait_until 15 grep -q 'retransmit 1 of request with message ID 2' "$(ia_charon_log ini)" ||
  ia_fail "strongSwan did not retransmit CREATE_CHILD_SA"
rekeyed() { ctl "sa list" "[c['spi_in'] for c in r['result']['ike_sas'][0]['child_sas']] not in ([], ['$spi0'])
  and len(r['result']['ike_sas'][0]['child_sas']) == 1"; }
ia_wait_until 15 rekeyed || ia_fail "answerd's Child SA after the rekey: $(ia_answerd_value "$sock" "sa list" r)"
ia_wait_until 10 test_child_installed || ia_fail "strongSwan after the rekey: $(ia_list_sas ini)"
ctl "stats show" "r['result']['daemon']['ike']['sa']['retransmits_answered'] >= 2
  and r['result']['daemon']['ike']['sa']['child_rekeyed'] == 1" || ia_fail "answerd stats after the Child SA rekey"
ia_log "CREATE_CHILD_SA: lost response resent, one rekey ($spi0 -> $(ia_answerd_value "$sock" "sa list" "r['result']['ike_sas'][0]['child_sas'][0]['spi_in']"))"
# Still answering in the window after the retransmissions: the DELETE completes.
ia_terminate_ike ini hub || ia_fail "terminate"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "answerd kept the SA after DELETE"
ia_capture_stop "$pcap"
for x in IKE_AUTH:1 CREATE_CHILD_SA:2; do
  n=$(ia_ike_pcap "$pcap" | awk -v r="$IA_RESP_ADDR" -v x="${x%:*}" -v id="${x#*:}" '$5 == "ike" && $6 == x && $9 == id {
    if ($1 == r && $8 == "R") resp++; if ($1 != r && $8 == "-") req++ } END { print req + 0, resp + 0 }')
  [ "$n" = "2 1" ] || ia_fail "capture: ${x%:*} requests/responses on the wire '$n', want '2 1' (one response dropped)"
done
echo "answerd_retransmit: lost IKE_AUTH and CREATE_CHILD_SA responses resent from the cache ($(stat retransmits_answered) retransmit(s) answered), one SA"
