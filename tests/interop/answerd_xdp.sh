#!/usr/bin/env bash
# answerd attaches the XDP filter itself (answerd.xdp.interfaces) on the responder
# namespace's interface, with a bpffs of the test's own; a real strongSwan initiator
# negotiates through it: the filter counts one IKE_SA_INIT and one IKE_AUTH for the
# initiator's address (answerctl peer show), drops crafted role-violating packets
# (a response answerd never asked for, a message claiming answerd initiated) and
# counts them, and a second negotiation still completes. The daemon marked the
# IKE_SA_INIT answer `inflight` while computing it and cleared it once sent.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_xdp
answerctl=$ANSWERD_BUILD_DIR/tools/answerctl/answerctl
[ -x "$answerctl" ] || ia_skip "answerctl not built (ANSWERD_BUILD_DIR=$ANSWERD_BUILD_DIR; needs the bpf and answerctl areas)"

ia_topology_direct
bpffs=$IA_WORK/bpffs
mkdir -p "$bpffs" && mount -t bpf bpf "$bpffs"
ia_on_exit umount -l "$bpffs"
ctl() { ia_ns_exec resp "$answerctl" --socket "$IA_ANSWERD_SOCK" --bpffs "$bpffs" "$@"; }
# The pinned link outlives answerd by design: removed at the end of the test.
ia_on_exit ctl xdp detach "$IA_RESP_DEV"
ia_answerd_write_conf bpffs="$bpffs" xdp="interfaces = $IA_RESP_DEV;mode = generic"
ia_answerd_run
ctl -j daemon status | python3 -c '
import json, sys
x = json.load(sys.stdin)["xdp"]
assert x["attached"] == [{"ifname": sys.argv[1], "mode": "generic"}] and x["allowlist"] is True, x' "$IA_RESP_DEV" ||
  ia_fail "daemon status does not show XDP attached: $(ctl -j daemon status)"

# peer_counter NAME: the XDP counter NAME for the initiator's address (0 if absent).
peer_counter() {
  ctl -j peer show | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["peers"] if x["addr"] == sys.argv[1]]
print(p[0][sys.argv[2]] if p else 0)' "$IA_INI_ADDR" "$1"
}

ia_charon_run ini ini "$(ia_answerd_peer_conn hub)"
ia_initiate ini net
ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "no ESTABLISHED IKE SA through XDP: $(ia_list_sas ini)"
[ "$(peer_counter ike_sa_init)" = 1 ] || ia_fail "XDP ike_sa_init for $IA_INI_ADDR: $(peer_counter ike_sa_init), want 1"
[ "$(peer_counter ike_auth)" = 1 ] || ia_fail "XDP ike_auth for $IA_INI_ADDR: $(peer_counter ike_auth), want 1"
ctl -j daemon status | python3 -c '
import json, sys
i = json.load(sys.stdin)["xdp"]["inflight"]
assert i["set"] == 1 and i["cleared"] == 1 and i["map_errors"] == 0, i' ||
  ia_fail "inflight not set and cleared once: $(ctl -j daemon status)"

# Crafted 28-byte IKE headers (IKE_AUTH, unknown SPIs) from the initiator's address.
send_ike() {  # FLAGS (hex): 28 = Initiator|Response, 00 = no Initiator flag
  ia_ns_exec ini bash -c "printf '\\x11\\x22\\x33\\x44\\x55\\x66\\x77\\x88\\x99\\xaa\\xbb\\xcc\\xdd\\xee\\xff\\x00\\x00\\x20\\x23\\x$1\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x1c' > /dev/udp/$IA_RESP_ADDR/500"
}
# Datagrams answerd's IKE responder received (answerctl stats show, daemon half).
ike_received() {
  ctl -j stats show | python3 -c '
import json, sys
d = json.load(sys.stdin)["daemon"]
print(d.get("daemon", d)["ike"]["received"])'
}
received_before=$(ike_received)
for _ in 1 2 3; do send_ike 28; done
for _ in 1 2; do send_ike 00; done
sleep 0.3
unsolicited=$(peer_counter unsolicited_response) role=$(peer_counter role_violation)
[ "$unsolicited" -ge 3 ] || ia_fail "XDP unsolicited_response $unsolicited, want >= 3"
[ "$role" -ge 2 ] || ia_fail "XDP role_violation $role, want >= 2"
received_after=$(ike_received)
[ "$received_after" = "$received_before" ] || ia_fail "crafted packets reached answerd ($received_before -> $received_after)"

# The filter still lets a new negotiation through.
ia_terminate_ike ini hub || ia_fail "terminate"
ia_initiate ini net
ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "second negotiation through XDP failed: $(ia_list_sas ini)"
[ "$(peer_counter ike_sa_init)" = 2 ] || ia_fail "XDP ike_sa_init $(peer_counter ike_sa_init), want 2"

# answerd's own DELETE request (sa terminate): the peer's response passes XDP
# because the request is in `outstanding` (no unsolicited_response drop).
sa_id=$(ctl -j sa list | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_sas"][0]["id"])')
info_before=$(peer_counter informational) unsol_before=$(peer_counter unsolicited_response)
ctl sa terminate "$sa_id" > /dev/null || ia_fail "answerctl sa terminate $sa_id"
no_sa() { [ "$(ctl -j sa list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ike_sas"]))')" = 0 ]; }
ia_wait_until 10 no_sa || ia_fail "answerd kept the terminated IKE SA"
ia_wait_ike ini 0 ESTABLISHED 10 || ia_fail "the initiator kept the IKE SA answerd deleted: $(ia_list_sas ini)"
sleep 0.3
[ "$(peer_counter informational)" -gt "$info_before" ] || ia_fail "XDP saw no INFORMATIONAL response to answerd's DELETE"
[ "$(peer_counter unsolicited_response)" = "$unsol_before" ] ||
  ia_fail "XDP dropped the DELETE response as unsolicited ($unsol_before -> $(peer_counter unsolicited_response))"
ctl -j daemon status | python3 -c '
import json, sys
o = json.load(sys.stdin)["xdp"]["outstanding"]
assert o["added"] >= 1, o' || ia_fail "no outstanding entry recorded: $(ctl -j daemon status)"
ia_bg_running answerd || ia_fail "answerd exited"
echo "answerd_xdp: strongSwan negotiated through answerd's XDP filter; $unsolicited unsolicited responses and $role role violations dropped"
