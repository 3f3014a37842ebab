#!/usr/bin/env bash
# NAT-T with answerd as the responder: strongSwan 5.9.8 in "ini" (10.0.0.2) behind a
# masquerading namespace "nat" (nft, seen as 198.51.100.1), answerd in "resp"
# (198.51.100.2, dataplane = none). RFC 7296 2.23: both sides detect the NAT from
# the NAT_DETECTION_* notifies, IKE floats to UDP 4500 with the non-ESP marker
# (RFC 3948 2.2) from IKE_AUTH on; strongSwan's NAT keepalives (1 s) reach answerd
# and are counted, not answered; its liveness checks (DPD, 2 s) are answered on 4500
# and the SA stays up. Asserted on `swanctl --list-sas`, answerd's `sa list`/`sa show`
# and stats, and a capture on answerd's side.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_nat nft tcpdump

ia_topology_nat
nat_addr=198.51.100.1
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf remote_addrs="$nat_addr"
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_answerd_run
ia_wait_udp resp 4500 || ia_fail "answerd does not listen on UDP 4500"
ctl() { ia_answerd_query "$sock" "$@"; }

ia_charon_run ini ini "$(ia_answerd_peer_conn hub conn_extra="dpd_delay = 2s;mobike = no")" \
  --conf "  keep_alive = 1s"
ia_initiate ini net
ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "no ESTABLISHED IKE SA on strongSwan: $(ia_list_sas ini)"

# strongSwan: behind a NAT, talking to answerd on 4500.
[ "$(ia_sa_value ini nat-local)" = yes ] || ia_fail "strongSwan did not detect its NAT: $(ia_list_sas ini)"
[ "$(ia_sa_value ini nat-remote)" != yes ] || ia_fail "strongSwan thinks answerd is behind a NAT: $(ia_list_sas ini)"
[ "$(ia_sa_value ini remote-port)" = 4500 ] || ia_fail "strongSwan did not float to 4500: $(ia_list_sas ini)"
# answerd: the peer is the NAT's address, on 4500 both ways.
ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
  and r['result']['ike_sas'][0]['remote']['addr'] == '$nat_addr' and r['result']['ike_sas'][0]['local']['port'] == 4500
  and r['result']['ike_sas'][0]['remote']['port'] != 500 and len(r['result']['ike_sas'][0]['child_sas']) == 1" ||
  ia_fail "answerd's sa list: want the peer at $nat_addr, IKE on 4500"
# The same through the operator's CLI, `answerctl -j sa list`.
if out=$(ia_answerctl "$sock" -j sa list); then
  python3 -c "import json, sys; s = json.loads(sys.argv[1])['ike_sas'][0]
assert s['remote']['addr'] == '$nat_addr' and s['local']['port'] == 4500 and s['role'] == 'responder', s" "$out" ||
    ia_fail "answerctl -j sa list: $out"
else
  [ $? -eq 127 ] || ia_fail "answerctl -j sa list failed: $out"
  ia_log "answerctl not built: checked through the control socket only"
fi
id=$(ia_answerd_value "$sock" "sa list" "r['result']['ike_sas'][0]['id']")
# sa show ID: the same entry as in sa list.
ctl --args "{\"id\": $id}" "sa show" "r['ok'] and r['result']['id'] == $id" >/dev/null ||
  ia_fail "answerd's sa show $id does not find the SA that sa list shows: $(ia_answerd_value --args "{\"id\": $id}" "$sock" "sa show" r)"
# answerd's own NAT finding (RFC 7296 2.23): the peer is behind a NAT, answerd is not.
ctl --args "{\"id\": $id}" "sa show" "r['result']['nat'] == {'local': False, 'remote': True}" >/dev/null ||
  ia_fail "answerd's sa show has no NAT finding for the peer: $(ia_answerd_value --args "{\"id\": $id}" "$sock" "sa show" r)"

# Keepalives and liveness over 7 s: strongSwan's DPD requests answered, SA kept.
info0=$(ia_answerd_stat "$sock" informational)
sleep 7 & wait $!
ka=$(ia_answerd_value "$sock" "stats show" "r['result']['daemon']['sockets']['keepalives']")
info1=$(ia_answerd_stat "$sock" informational)
[ "$ka" -ge 3 ] || ia_fail "answerd counted $ka NAT keepalives in 7 s, want 3+ (keep_alive = 1s)"
[ $((info1 - info0)) -ge 2 ] || ia_fail "answerd answered $((info1 - info0)) liveness checks in 7 s, want 2+ (dpd_delay = 2s)"
ia_wait_ike ini 1 ESTABLISHED 1 || ia_fail "strongSwan lost the SA: $(ia_list_sas ini)"
ctl "sa list" "len(r['result']['ike_sas']) == 1" || ia_fail "answerd lost the SA"
ia_terminate_ike ini hub || ia_fail "terminate"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "answerd kept the SA after DELETE"
ia_capture_stop "$pcap"

# The capture: IKE_SA_INIT on 500, everything after it on 4500 in both directions;
# answerd never answers a keepalive.
ia_ike_pcap "$pcap" >"$IA_WORK/resp.txt"
awk -v r="$IA_RESP_ADDR" -v n="$nat_addr" '
  $5 == "ike" && $6 == "IKE_SA_INIT" { init++; if ($2 != 500 && $4 != 500) bad = bad " IKE_SA_INIT off 500"; next }
  $5 == "ike" { if ($2 != 4500 || $4 != 4500) bad = bad " " $6 " on " $2 "->" $4
                if ($1 == r && $8 == "R" && $6 == "INFORMATIONAL") info_resp++; next }
  $5 == "keepalive" { if ($1 == n) ka++; else bad = bad " keepalive from " $1 }
  END { if (init < 2) bad = bad " " init+0 " IKE_SA_INIT messages"
        if (info_resp < 3) bad = bad " " info_resp+0 " INFORMATIONAL responses on 4500"
        if (ka < 3) bad = bad " " ka+0 " keepalives"
        if (bad != "") { print bad; exit 1 }
        printf "%d INFORMATIONAL responses, %d keepalives\n", info_resp, ka }' "$IA_WORK/resp.txt" >"$IA_WORK/verdict" ||
  ia_fail "capture on answerd's side:$(cat "$IA_WORK/verdict")"
ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" "r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0 and r['result']['daemon']['ike']['sa']['malformed'] == 0" ||
  ia_fail "answerd stats"
echo "answerd_nat: NAT detected, IKE on 4500, $(cat "$IA_WORK/verdict") in the capture"
