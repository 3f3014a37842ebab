#!/usr/bin/env bash
# VM scenario answerd_rekey: answerd (dataplane = xfrm) under the peer's rekeys and
# under its own hard lifetime, with a strongSwan initiator and kernel ESP
# (topology in answerd_lib.sh).
#   rekey  strongSwan rekeys the Child SA every 4 s and the IKE SA every 10 s while
#          rh sends lh a continuous, paced TCP stream for ~30 s (answerd's outbound
#          SAs carry the data). The stream arrives whole; `ip xfrm monitor` on resp
#          shows make-before-break (in each direction answerd always has an SA from
#          the first install to the end: the new SA comes before the old goes); no
#          ESP packet arrived for a missing SA on either side (XfrmInNoStates);
#          answerd counted the rekeys and lists one IKE and one Child SA, the kernel
#          holds 2 SAs and 3 policies between rekeys (nothing leaked; the counters
#          are compared in answerd_site, not here while rekeys go on), after the DELETE
#          both kernels are back to their baseline. Each Child SA rekey uses PFS
#          (esp_proposals aes256gcm16-x25519 on both sides: KE payloads in every
#          CREATE_CHILD_SA, RFC 7296 1.3.3): answerd logged every rekey installed
#          with CURVE_25519, and its `sa list` dh_group and strongSwan's dh-group of
#          the same Child SA are both CURVE_25519.
#   life   answerd's Child SA hard lifetime (life_time 12s) is shorter than the
#          peer's rekey time (60 s): the kernel's hard expire removes the SA,
#          answerd tells the peer with an INFORMATIONAL DELETE (strongSwan drops its
#          CHILD_SA, keeps the IKE SA), no policy or SA stays, and a capture of all
#          IKE traffic shows answerd sent no request other than INFORMATIONAL (no
#          IKE_SA_INIT, no CREATE_CHILD_SA): it never rekeys.
. "$(dirname "$0")/answerd_lib.sh"
ad_init answerd_rekey
ad_topology
rns=$(ia_ns resp)
ins=$(ia_ns ini)

AD_INI_IDS="ini.answerd.test life.answerd.test"
ad_answerd_conf "$(
  ad_conn site ini.answerd.test 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 |
    sed 's/esp_proposals = .*/esp_proposals = aes256gcm16-x25519, aes256gcm16/'
  ad_conn life life.answerd.test 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 "life_time = 12s;rekey_time = 10s"
)"
ad_answerd_start
{
  ad_ini_conn site ini.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 \
    conn_extra="rekey_time = 10s;over_time = 60s;rand_time = 0s" \
    child_extra="rekey_time = 4s;life_time = 120s;rand_time = 0s;esp_proposals = aes256gcm16-x25519"
  ad_ini_conn life life.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 \
    child_extra="rekey_time = 60s;life_time = 120s;rand_time = 0s"
} >"$IA_WORK/ini.conf"
ad_initiator_start <"$IA_WORK/ini.conf"
base_ini=$(ad_xfrm_count ini)
[ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "resp is not empty at the start"
nostates() { ip netns exec "$1" awk '$1 == "XfrmInNoStates" {print $2}' /proc/net/xfrm_stat; }

# --- rekeys under traffic
mon=$IA_WORK/xfrm-monitor.log
ip -n "$rns" xfrm monitor >"$mon" 2>&1 &
mon_pid=$!
ia_on_exit kill "$mon_pid"
ad_up site
ad_ping lh 10.2.0.2
secs=${AD_REKEY_SECS:-30}
ad_tcp rh lh 10.1.0.2 10.2.0.2 $((secs * 128 * 1024)) "$secs"
sleep 1
kill "$mon_pid"
ike_rk=$(ad_stat ike_rekeyed)
child_rk=$(ad_stat child_rekeyed)
vm_expect_ge "answerd's child_rekeyed" "$child_rk" $((secs / 4 - 2))
vm_expect_ge "answerd's ike_rekeyed" "$ike_rk" $((secs / 10 - 1))
# Rekeys go on (every 4 s): between a CREATE_CHILD_SA and the DELETE of the old SA
# there are briefly two Child SAs; in between, exactly one of each must remain.
steady() {
  [ "$(ad_ike_count)" = 1 ] && [ "$(ad_children | wc -l)" = 1 ] && [ "$(ad_xfrm_count resp)" = "2 3" ]
}
ia_wait_until 10 steady ||
  vm_fail "rekey: answerd lists $(ad_ike_count) IKE SAs, $(ad_children | wc -l) Child SAs; resp has $(ad_xfrm_count resp) SAs/policies: want 1, 1, 2 3"
# Make-before-break, from the kernel's own notifications (iproute2 prints new SAs as
# "src A dst B", deletions as "Deleted src A dst B", each followed by "proto esp spi").
mbb=$(awk '
  /^(Deleted |Updated |Expired )?src [^ ]+ dst / { k = ($1 == "src") ? "new" : $1; d = (k == "new") ? $2 "->" $4 : $3 "->" $5; pend = 1; next }
  pend && /proto esp spi/ {
    pend = 0; spi = $4
    if (k == "Deleted" || k == "Expired") { if ((d, spi) in alive) { delete alive[d, spi]; n[d]--; dels++ }
      if (n[d] == 0 && seen[d]) { print "GAP " d " after deleting " spi; gap = 1 } }
    else if (!((d, spi) in alive)) { alive[d, spi] = 1; n[d]++; seen[d] = 1; adds++ }
  }
  END { printf "adds=%d dels=%d\n", adds, dels; exit gap }' "$mon") ||
  vm_fail "rekey: an SA direction had no SA between two rekeys: $mbb"
dels=$(sed -n 's/.*dels=\([0-9]*\).*/\1/p' <<<"$mbb")
vm_expect_ge "rekey: SAs deleted during the transfer (monitor)" "$dels" $((2 * (secs / 4 - 2)))
# PFS: every rekey's CREATE_CHILD_SA carried KE payloads. answerd logged each
# install with the group, and its Child SA (`answerctl -j sa list`, dh_group) and
# strongSwan's INSTALLED one with the same SPI (its spi-out) name CURVE_25519.
pfs_logged=$(grep -ac 'installed, SPIs in .*, PFS CURVE_25519' "$AD_LOG" || true)
vm_expect_ge "rekey: Child SAs answerd installed with PFS CURVE_25519 (log)" "$pfs_logged" "$child_rk"
# pfs_same: answerd's site-net and strongSwan's INSTALLED Child SA of that SPI (rekeys
# go on: retried until one sample sees both sides of the same SA).
ad_spi="" ad_dh="" sw_child=""
pfs_same() {
  read -r ad_spi ad_dh <<<"$(ad_ctl -j sa list |
    jq -r '(.ike_sas // .result.ike_sas)[].child_sas[] | select(.name == "site-net") | "\(.spi_in) \(.dh_group)"')"
  sw_child=$(ia_list_sas ini | grep -o "{[^{}]*spi-out=${ad_spi:-none} [^{}]*}" || true)
  [ "$ad_dh" = CURVE_25519 ] && [[ "$sw_child" == *state=INSTALLED* && "$sw_child" == *dh-group=CURVE_25519* ]]
}
ia_wait_until 10 pfs_same ||
  vm_fail "rekey: PFS group: answerd's site-net (spi_in ${ad_spi:-none}) has dh_group ${ad_dh:-none}; strongSwan: ${sw_child:-no Child SA with that spi-out}: $(ia_list_sas ini)"
lost_ini=$(nostates "$ins")
lost_resp=$(nostates "$rns")
vm_log "rekey: $child_rk Child ($pfs_logged with PFS $ad_dh) and $ike_rk IKE rekeys in ${AD_TCP_SECS}s, monitor $mbb, XfrmInNoStates ini $lost_ini resp $lost_resp"
[ "$lost_ini" = 0 ] && [ "$lost_resp" = 0 ] ||
  vm_fail "rekey: ESP packets arrived for missing SAs: ini $lost_ini, resp $lost_resp"
ad_down site
[ "$(ad_stat dataplane_errors)" = 0 ] || vm_fail "rekey: answerd counted $(ad_stat dataplane_errors) dataplane errors: $(grep -a 'CHILD_SA.*: ' "$AD_LOG" | tail -3)"
[ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "rekey: resp kept $(ad_xfrm_count resp) SAs/policies: $(ip -n "$rns" xfrm state)"
ia_wait_until 10 test "$(ad_xfrm_count ini)" = "$base_ini" || vm_fail "rekey: ini has $(ad_xfrm_count ini), baseline $base_ini"

# --- hard lifetime on answerd's side, shorter than the peer's rekey time
cap=$IA_WORK/life.pcap
ia_capture_start resp to-ini "$cap"
ad_up life
t_up=$SECONDS
ad_ping lh 10.2.0.2
ia_wait_until 40 ad_no_child life-net || vm_fail "life: answerd still has its Child SA $((SECONDS - t_up))s after install"
t_gone=$((SECONDS - t_up))
ia_wait_until 10 test "$(ia_child_count ini)" = 0 || vm_fail "life: strongSwan kept its CHILD_SA: $(ia_list_sas ini)"
[ "$(ia_ike_count ini ESTABLISHED)" = 1 ] || vm_fail "life: strongSwan lost its IKE SA: $(ia_list_sas ini)"
[ "$(ad_ike_count)" = 1 ] || vm_fail "life: answerd dropped the IKE SA with the Child SA"
ia_wait_until 10 test "$(ad_xfrm_count resp)" = "0 0" || vm_fail "life: resp kept $(ad_xfrm_count resp) SAs/policies"
grep -q 'received DELETE for ESP CHILD_SA' "$(ia_charon_log ini)" ||
  vm_fail "life: strongSwan logged no DELETE for its CHILD_SA"
vm_expect_ge "answerd's child_hard_expired" "$(ad_stat child_hard_expired)" 1
ia_capture_stop "$cap"
# Requests (Response flag clear) that answerd (192.0.2.2) sent, by exchange type.
reqs=$(python3 - "$cap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
link = struct.unpack("<I", d[20:24])[0]
off, out = 24, []
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    p = d[off + 16:off + 16 + incl]; off += 16 + incl
    p = p[14:] if link == 1 else p
    if len(p) < 28 or p[0] >> 4 != 4 or p[9] != 17: continue
    if p[12:16] != bytes([192, 0, 2, 2]): continue
    ike = p[(p[0] & 15) * 4 + 8:]
    if ike[:4] == b"\0\0\0\0": ike = ike[4:]
    if len(ike) < 28: continue
    if not ike[19] & 0x20: out.append(str(ike[18]))
print(" ".join(out))
PY
)
vm_log "life: Child SA gone ${t_gone}s after install; requests answerd sent (exchange types): ${reqs:-none}"
grep -qw 37 <<<"$reqs" || vm_fail "life: answerd sent no INFORMATIONAL request (DELETE)"
[ -z "$(tr ' ' '\n' <<<"$reqs" | grep -vx 37)" ] || vm_fail "life: answerd sent requests other than INFORMATIONAL: $reqs"
ad_down life

ia_bg_running answerd || vm_fail "answerd exited"
[ "$(ad_stat invariant_dropped)" = 0 ] || vm_fail "answerd's invariant check dropped $(ad_stat invariant_dropped) messages"
# (the kernel removed the expired SAs itself: removing the rest is no dataplane error)
[ "$(ad_stat dataplane_errors)" = 0 ] || vm_fail "life: answerd counted $(ad_stat dataplane_errors) dataplane errors: $(grep -a 'CHILD_SA.*: ' "$AD_LOG" | tail -3)"
echo "answerd_rekey: $child_rk Child (PFS $ad_dh) and $ike_rk IKE rekeys by strongSwan under a ${secs}s TCP stream, make-before-break, no ESP loss, no leak; hard lifetime deleted the Child SA, peer told with INFORMATIONAL DELETE, answerd sent no other request"
