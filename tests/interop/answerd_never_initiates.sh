#!/usr/bin/env bash
# The responder-only invariant over a long run (DESIGN.md "Responder-only
# invariants"): short lifetimes on both sides for ~80 s, no traffic.
#   answerd:    IKE rekey_time 70 s (its hard limit, announced as AUTH_LIFETIME,
#               RFC 4478), Child SA life_time 30 s;
#   strongSwan: IKE rekey_time 12 s, Child SA rekey_time 9 s, and the reauthentication
#               that answerd's AUTH_LIFETIME asks for (over_time 25 s before it, so
#               after ~45 s; strongSwan postpones it while its own rekeys run).
# A capture on answerd's side, decoded twice (lib/ike_pcap.py from the raw IKE
# header, and `answerctl ike decode --pcap` when built), must show zero IKE_SA_INIT
# or CREATE_CHILD_SA requests sent by answerd, no message from answerd with the
# Initiator flag (RFC 7296 3.1: it never is the original initiator), only
# INFORMATIONAL among its requests, while strongSwan's IKE rekeys, Child rekeys and
# reauthentications did happen (on the wire and in answerd's counters).
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_never_initiates tcpdump
answerctl=${ANSWERD_BUILD_DIR}/tools/answerctl/answerctl
run_s=${IA_RUN_S:-80}

ia_topology_direct
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf conn_extra="rekey_time = 70s" child_extra="life_time = 30s"
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
ia_answerd_run
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

ia_charon_run ini ini "$(ia_answerd_peer_conn hub conn_extra="rekey_time = 12s;over_time = 25s;rand_time = 2s" \
  child_extra="rekey_time = 9s;life_time = 25s;rand_time = 1s")" --log "default=1 ike=2 cfg=1 chd=1 knl=0"
ia_initiate ini net
ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "strongSwan: $(ia_list_sas ini)"
grep -q 'received AUTH_LIFETIME of' "$(ia_charon_log ini)" || ia_fail "answerd sent no AUTH_LIFETIME"

ia_log "running for $run_s s with short lifetimes"
end=$((SECONDS + run_s))
while [ "$SECONDS" -lt "$end" ]; do
  ia_bg_running answerd || ia_fail "answerd exited"
  [ "$(ia_answerd_ike_count "$sock")" -le 2 ] || ia_fail "answerd holds more than 2 IKE SAs"
  sleep 1 & wait $!
done
ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "strongSwan lost its SA: $(ia_list_sas ini)"
ia_wait_until 10 ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
  and r['result']['ike_sas'][0]['rekey'] is False and len(r['result']['ike_sas'][0]['child_sas']) == 1" ||
  ia_fail "answerd's sa list at the end"
ia_capture_stop "$pcap"

# Decoder 1: the raw IKE header of every datagram.
ia_ike_pcap "$pcap" >"$IA_WORK/resp.txt"
read -r bad_init bad_ccsa bad_iflag other_req their_init their_ccsa < <(awk -v r="$IA_RESP_ADDR" '
  $5 != "ike" { next }
  $1 == r && $8 == "-" && $6 == "IKE_SA_INIT" { bi++ }
  $1 == r && $8 == "-" && $6 == "CREATE_CHILD_SA" { bc++ }
  $1 == r && $7 == "I" { bf++ }
  $1 == r && $8 == "-" && $6 != "INFORMATIONAL" { oth++ }
  $1 != r && $8 == "-" && $6 == "IKE_SA_INIT" { ti++ }
  $1 != r && $8 == "-" && $6 == "CREATE_CHILD_SA" { tc++ }
  END { print bi + 0, bc + 0, bf + 0, oth + 0, ti + 0, tc + 0 }' "$IA_WORK/resp.txt")
[ "$bad_init" -eq 0 ] && [ "$bad_ccsa" -eq 0 ] ||
  ia_fail "answerd sent $bad_init IKE_SA_INIT and $bad_ccsa CREATE_CHILD_SA requests: $(grep "^$IA_RESP_ADDR .* - [0-9]" "$IA_WORK/resp.txt" | head -5)"
[ "$bad_iflag" -eq 0 ] && [ "$other_req" -eq 0 ] || ia_fail "answerd sent $bad_iflag messages with the Initiator flag, $other_req non-INFORMATIONAL requests"
# strongSwan's own activity: IKE rekeys + reauthentications, Child rekeys.
[ "$their_init" -ge 2 ] || ia_fail "strongSwan sent $their_init IKE_SA_INIT requests in $run_s s, want 2+ (reauthentication)"
[ "$their_ccsa" -ge 8 ] || ia_fail "strongSwan sent $their_ccsa CREATE_CHILD_SA requests in $run_s s, want 8+"
n_msgs=$(grep -c ' ike ' "$IA_WORK/resp.txt")

# Decoder 2: answerctl's (userspace/capture) view of the same capture.
if [ -x "$answerctl" ]; then
  "$answerctl" -j ike decode --pcap "$pcap" >"$IA_WORK/decode.json" || ia_fail "answerctl ike decode failed"
  python3 - "$IA_WORK/decode.json" "$IA_RESP_ADDR" "$n_msgs" <<'PY' || ia_fail "answerctl's decode of the capture"
import json, sys
msgs = json.load(open(sys.argv[1]))["messages"]
ours = [m for m in msgs if m["source"].rsplit(":", 1)[0] == sys.argv[2]]
bad = [m for m in ours if m["initiator"] or (not m["response"] and m["exchange"] != "INFORMATIONAL")]
if len(msgs) != int(sys.argv[3]) or bad:
    sys.exit("%d messages (raw header count %s), answerd's forbidden: %s" % (len(msgs), sys.argv[3], bad[:3]))
PY
else
  ia_log "answerctl not built: the capture is checked with lib/ike_pcap.py only"
fi

ctl "stats show" "r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0
  and r['result']['daemon']['ike']['sa']['ike_rekeyed'] >= 3 and r['result']['daemon']['ike']['sa']['child_rekeyed'] >= 6" ||
  ia_fail "answerd stats: $(ia_answerd_value "$sock" "stats show" "r['result']['daemon']['ike']['sa']")"
stats=$(ia_answerd_value "$sock" "stats show" "'ike_rekeyed %d child_rekeyed %d ike_established %d' % tuple(r['result']['daemon']['ike']['sa'][k] for k in ('ike_rekeyed', 'child_rekeyed', 'ike_established'))")
echo "answerd_never_initiates: $n_msgs IKE messages in $run_s s ($their_init IKE_SA_INIT and $their_ccsa CREATE_CHILD_SA requests from strongSwan; $stats), none initiated by answerd"
