#!/usr/bin/env bash
# Cookies forced (RFC 7296 2.6): answerd with cookie_threshold = 0 answers every
# IKE_SA_INIT without a cookie with N(COOKIE) only; strongSwan 5.9.8 repeats its
# IKE_SA_INIT with the cookie and establishes. Twice, to see the cookie demanded
# for each new negotiation; asserted on strongSwan's log, both SA lists, the
# stats (cookies_sent, no cookies_bad) and a capture: each IKE_SA_INIT response
# without a responder SPI carries only the cookie.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_cookies tcpdump

ia_topology_direct
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf daemon_extra="cookie_threshold = 0"
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_answerd_run
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

ia_charon_run ini ini "$(ia_answerd_peer_conn hub)"

for round in 1 2; do
  ia_initiate ini net
  ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "round $round: strongSwan: $(ia_list_sas ini)"
  ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
    and len(r['result']['ike_sas'][0]['child_sas']) == 1" || ia_fail "round $round: answerd's sa list"
  [ "$(stat cookies_sent)" -eq "$round" ] || ia_fail "round $round: cookies_sent $(stat cookies_sent), want $round"
  ia_terminate_ike ini hub || ia_fail "round $round: terminate"
  ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "round $round: answerd kept the SA"
done
n=$(grep -c 'parsed IKE_SA_INIT response 0 \[ N(COOKIE) \]' "$(ia_charon_log ini)" || true)
[ "$n" -eq 2 ] || ia_fail "strongSwan parsed $n IKE_SA_INIT responses with only N(COOKIE), want 2"
ctl "stats show" "r['result']['daemon']['ike']['sa']['cookies_bad'] == 0
  and r['result']['daemon']['ike']['sa']['ike_established'] == 2
  and r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" || ia_fail "answerd stats"
ia_capture_stop "$pcap"
# On the wire: per round an IKE_SA_INIT request, a response with a zero responder
# SPI (the cookie), the request again, a response with answerd's SPI. A datagram
# identical in flags, SPIs and length to an earlier one is a retransmit (strongSwan
# repeats a request when a loaded machine delays the answer; answerd resends its
# cached response) and is listed once.
seq=$(ia_ike_pcap "$pcap" | awk '$6 == "IKE_SA_INIT" && !seen[$8 " " $10 " " $11 " " $12]++ {
  printf "%s%s ", $8, ($8 == "R" && $11 == "0000000000000000") ? "0" : "" }')
[ "$seq" = "- R0 - R - R0 - R " ] || ia_fail "IKE_SA_INIT on the wire: '$seq', want '- R0 - R - R0 - R '"
echo "answerd_cookies: strongSwan returned answerd's cookie and established twice (cookies_sent $(stat cookies_sent))"
