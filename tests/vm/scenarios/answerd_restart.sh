#!/usr/bin/env bash
# VM scenario answerd_restart: answerd (dataplane = xfrm) killed with SIGKILL while a
# strongSwan initiator's tunnel runs through its kernel SAs (topology in
# answerd_lib.sh), then started again:
#   - after the kill, answerd's SAs and policies are still in the kernel (nobody
#     removed them), next to a "foreign" SA and policy another IKE daemon owns
#     (reqid 7, installed with ip xfrm);
#   - the restarted answerd removes its stale SAs and policies at startup (logged)
#     and leaves the foreign ones alone;
#   - strongSwan's dead peer detection (2 s, restart) notices the lost IKE SA and
#     negotiates again: answerd lists the new SAs, the hosts' traffic flows through
#     them, counters agree, and the kernel holds exactly the new SAs and policies
#     plus the foreign ones.
. "$(dirname "$0")/answerd_lib.sh"
ad_init answerd_restart
ad_topology
rns=$(ia_ns resp)

ad_answerd_conf "$(ad_conn site ini.answerd.test 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24)"
ad_answerd_start
# DPD every 2 s; its INFORMATIONAL is retransmitted 3 times within ~5 s (1 s, 1.4 s,
# 2 s) before strongSwan gives the IKE SA up and restarts it.
AD_CHARON_CONF=$'  retransmit_tries = 2\n  retransmit_timeout = 1.0\n  retransmit_base = 1.4'
ad_ini_conn site ini.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 \
  conn_extra="dpd_delay = 2s" child_extra="dpd_action = restart" >"$IA_WORK/ini.conf"
ad_initiator_start <"$IA_WORK/ini.conf"
ad_up site
ad_ping lh 10.2.0.2
read -r _ _ _ _ old_in old_out _ <<<"$(ad_children)"

# Another daemon's SA and policy (reqid 7, outside answerd's owned range).
ip -n "$rns" xfrm state add src 192.0.2.9 dst 192.0.2.2 proto esp spi 0x7777 reqid 7 mode tunnel \
  aead 'rfc4106(gcm(aes))' 0x0102030405060708091011121314151617181920 128 || vm_fail "foreign SA"
ip -n "$rns" xfrm policy add src 10.7.0.0/24 dst 10.8.0.0/24 dir out \
  tmpl src 192.0.2.2 dst 192.0.2.9 proto esp reqid 7 mode tunnel || vm_fail "foreign policy"
[ "$(ad_xfrm_count resp)" = "3 4" ] || vm_fail "before the kill: resp has $(ad_xfrm_count resp), want 3 4"

kill -KILL "${IA_BG_PID[answerd]}" 2>/dev/null
ia_wait_until 10 ia_pid_gone "${IA_BG_PID[answerd]}" || vm_fail "answerd survived SIGKILL"
wait "${IA_BG_PID[answerd]}" 2>/dev/null || true
unset "IA_BG_PID[answerd]"
[ "$(ad_xfrm_count resp)" = "3 4" ] || vm_fail "after the kill: resp has $(ad_xfrm_count resp), want the stale 3 4"
vm_log "answerd killed; its SAs $old_in/$old_out and policies stay in the kernel"

ad_answerd_start
grep -q 'removed 5 stale SAs/policies' "$AD_LOG" || vm_fail "answerd did not log removing 5 stale entries: $(grep -i stale "$AD_LOG")"
s=$(ip -n "$rns" xfrm state)
! grep -q "spi 0x$old_in \|spi 0x$old_out " <<<"$s" || vm_fail "a stale SA of the killed answerd survived: $s"
grep -q 'spi 0x00007777 reqid 7 ' <<<"$s" || vm_fail "the foreign SA was removed: $s"
grep -q 'reqid 7 ' <<<"$(ip -n "$rns" xfrm policy)" || vm_fail "the foreign policy was removed"

# strongSwan's DPD finds the IKE SA gone and restarts it.
ia_wait_until 90 ad_has_child site-net || vm_fail "strongSwan did not reconnect: $(ia_list_sas ini)"
ia_wait_ike ini 1 ESTABLISHED 20 || vm_fail "strongSwan has no ESTABLISHED IKE SA: $(ia_list_sas ini)"
read -r _ _ _ _ new_in new_out _ <<<"$(ad_children)"
[ "$new_in" != "$old_in" ] || vm_fail "answerd lists the old SA again"
vm_log "strongSwan reconnected: new SAs $new_in/$new_out"
ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
ad_tcp lh rh 10.2.0.2 10.1.0.2 $((512 * 1024))
ad_check_counters restart ini 192.0.2.1 $((512 * 1024 / 1400)) 6
[ "$(ad_xfrm_count resp)" = "3 4" ] || vm_fail "after the reconnect: resp has $(ad_xfrm_count resp), want 3 4"
ad_down site
[ "$(ad_xfrm_count resp)" = "1 1" ] || vm_fail "after DELETE: resp has $(ad_xfrm_count resp), want the foreign 1 1"
ia_bg_running answerd || vm_fail "answerd exited"
echo "answerd_restart: after SIGKILL the restarted answerd removed its 5 stale entries and kept the foreign SA and policy; strongSwan reconnected by DPD and traffic flows"
