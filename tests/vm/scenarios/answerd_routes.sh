#!/usr/bin/env bash
# VM scenario answerd_routes: answerd (dataplane = xfrm) as the responder for a
# strongSwan initiator with kernel ESP, in the two set-ups that change how packets
# reach the SAs (topology in answerd_lib.sh):
#   xi    route-based, the IOS "IPsec profile on a VTI" case: answerd's connection
#         has traffic selectors 0.0.0.0/0 both ways and if_id_in/if_id_out 42; the
#         operator made xfrm interface xi0 (if_id 42) on resp and routes 10.1.0.0/24
#         into it. Pings both ways between the hosts and TCP; answerd's SAs and
#         policies carry if_id 42, xi0 counts the packets, and with the route moved
#         off xi0 nothing leaks in clear through answerd's policies.
#   nat   NAT-T: the initiator 10.0.0.2 behind namespace "nat" that masquerades it
#         as 198.51.100.1 toward answerd 198.51.100.2: both sides detect the NAT,
#         answerd's SAs are ESP in UDP 4500 and the hosts' traffic crosses; then the
#         NAT maps the initiator to a new port and answerd's SAs follow it on
#         strongSwan's next authenticated request (DPD).
# Each case: answerctl counters = kernel = peer kernel, removal on DELETE.
. "$(dirname "$0")/answerd_lib.sh"
ad_init answerd_routes
ad_topology
# The NAT leg: ini 10.0.0.2 -- 10.0.0.1 nat 198.51.100.1 -- 198.51.100.2 resp.
ia_ns_create nat
ia_link ini 10.0.0.2/24 nat 10.0.0.1/24
ia_link nat 198.51.100.1/24 resp 198.51.100.2/24
ia_route_add ini 198.51.100.0/24 via 10.0.0.1
ia_nat nat to-resp

AD_INI_IDS="xi.answerd.test nat.answerd.test"
ad_answerd_conf "$(
  ad_conn xi xi.answerd.test 192.0.2.2 192.0.2.1 0.0.0.0/0 0.0.0.0/0 "" "if_id_in = 42;if_id_out = 42"
  ad_conn nat nat.answerd.test 198.51.100.2 %any 10.2.0.0/24 10.1.0.0/24
)"
ad_answerd_start
{
  ad_ini_conn xi xi.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24
  ad_ini_conn nat nat.answerd.test 10.0.0.2 198.51.100.2 10.1.0.0/24 10.2.0.0/24 "conn_extra=dpd_delay = 2s"
} >"$IA_WORK/ini.conf"
ad_initiator_start <"$IA_WORK/ini.conf"
rns=$(ia_ns resp)

# --- route-based: xi0 with if_id 42, routes through it
ip -n "$rns" link add xi0 type xfrm dev to-ini if_id 42 || vm_fail "ip link add xi0 type xfrm"
ip -n "$rns" link set xi0 up
ip -n "$rns" route replace 10.1.0.0/24 dev xi0
ad_up xi
[ "$(ad_xfrm_count resp)" = "2 3" ] || vm_fail "xi: resp has $(ad_xfrm_count resp) SAs/policies, want 2 3"
[ "$(ip -n "$rns" xfrm state | grep -c 'if_id 0x2a')" = 2 ] || vm_fail "xi: answerd's SAs lack if_id 42: $(ip -n "$rns" xfrm state)"
[ "$(ip -n "$rns" xfrm policy | grep -c 'if_id 0x2a')" = 3 ] || vm_fail "xi: answerd's policies lack if_id 42: $(ip -n "$rns" xfrm policy)"
ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
ad_tcp rh lh 10.1.0.2 10.2.0.2 $((1024 * 1024))
xi_tx=$(ip netns exec "$rns" cat /sys/class/net/xi0/statistics/tx_bytes)
xi_rx=$(ip netns exec "$rns" cat /sys/class/net/xi0/statistics/rx_packets)
# (xi0 counts GRO-merged packets as one: compare bytes, packets only from the SA)
vm_expect_ge "xi0 tx bytes" "$xi_tx" $((1024 * 1024))
vm_expect_ge "xi0 rx packets" "$xi_rx" 6
ad_check_counters xi ini 192.0.2.1 6 $((1024 * 1024 / 1400))
po=$(ad_children | awk '{print $10}')
bo=$(ad_children | awk '{print $9}')
vm_expect_ge "xi: answerd's outbound SA bytes" "$bo" "$xi_tx"
vm_log "xi: xi0 sent $xi_tx bytes, received $xi_rx packets through the SAs"
# Without the route into xi0, traffic from rh takes the plain route: answerd's
# if_id-42 policies must not catch it, so it leaves unencrypted and the SA stays put.
ip -n "$rns" route replace 10.1.0.0/24 via 192.0.2.1
ip netns exec "$rns" ping -q -c 2 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.2 >/dev/null 2>&1 || true
[ "$(ad_children | awk '{print $10}')" = "$po" ] || vm_fail "xi: packets off xi0 went through answerd's SA"
ad_down xi
[ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "xi: resp kept SAs/policies: $(ip -n "$rns" xfrm state)"
ip -n "$rns" link del xi0

# --- NAT-T through the masquerading namespace (routes: resp reaches 10.1.0.0/24
# through its policy's tunnel endpoint 198.51.100.1, the NAT's public address)
ad_up nat
[ "$(ia_sa_value ini nat-local)" = yes ] || vm_fail "nat: strongSwan did not detect its NAT: $(ia_list_sas ini)"
s=$(ip -n "$rns" xfrm state)
[ "$(grep -c 'encap type espinudp sport 4500 dport 4500' <<<"$s")" = 2 ] || vm_fail "nat: answerd's SAs are not ESP in UDP 4500: $s"
[ "$(ad_ctl -j sa list | jq -r '(.ike_sas // .result.ike_sas)[0].remote.addr')" = 198.51.100.1 ] ||
  vm_fail "nat: answerd does not see the NAT's address: $(ad_ctl sa list)"
ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
ad_tcp lh rh 10.2.0.2 10.1.0.2 $((1024 * 1024))
ad_check_counters nat ini 10.0.0.2 $((1024 * 1024 / 1400)) 6

# --- NAT rebinding (RFC 7296 2.23): the NAT forgets its mappings (conntrack -F) and
# maps port 4500 into 40000-40999 from now on. answerd's ESP to the old port dies
# there; strongSwan's next authenticated request (its DPD, dpd_delay = 2s, once no
# ESP comes back) arrives through the new mapping, and answerd moves both ESP-in-UDP
# SAs there. (ESP-driven moves, the kernel's XFRM_MSG_MAPPING, are not handled.)
command -v conntrack >/dev/null || vm_fail "nat: conntrack (Debian package conntrack) is missing"
nat_dev=$(ia_ifname nat resp)
ia_ns_exec nat nft -f - <<NFT || vm_fail "nat: nft could not change the masquerade rule"
flush chain ip ia_nat post
add rule ip ia_nat post oifname "$nat_dev" meta l4proto udp masquerade to :40000-40999
add rule ip ia_nat post oifname "$nat_dev" masquerade
NFT
ia_ns_exec nat conntrack -F >/dev/null 2>&1
ia_ns_exec lh ping -q -c 2 -i 0.2 -W 1 10.2.0.2 >/dev/null 2>&1 || true  # ESP in through the new mapping
nat_moved() { [ "$(ip -n "$rns" xfrm state | grep -cE 'encap type espinudp sport (4500 dport 40[0-9]{3}|40[0-9]{3} dport 4500)')" = 2 ]; }
ia_wait_until 20 nat_moved ||
  vm_fail "nat: answerd's SAs did not follow the new NAT mapping: $(ip -n "$rns" xfrm state | grep encap)"
grep -q 'remote host is behind NAT, mapping moved from 198.51.100.1:4500 to 198.51.100.1:40' "$AD_LOG" ||
  vm_fail "nat: answerd did not log the mapping change: $(grep -i nat "$AD_LOG" | tail -5)"
vm_expect_ge "nat: nat_mapping_updates" "$(ad_stat nat_mapping_updates)" 1
ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
ad_down nat
[ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "nat: resp kept SAs/policies: $(ip -n "$rns" xfrm state)"

ia_bg_running answerd || vm_fail "answerd exited"
[ "$(ad_stat dataplane_errors)" = 0 ] || vm_fail "answerd counted $(ad_stat dataplane_errors) dataplane errors"
echo "answerd_routes: route-based (xfrm interface if_id 42, routes through xi0, no leak off it) and NAT-T (ESP in UDP 4500 through masquerade; a new NAT mapping moves answerd's SAs) with answerd's kernel SAs; counters agree; removed on DELETE"
