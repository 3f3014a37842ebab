#!/usr/bin/env bash
# VM scenario answerd_site: answerd itself (dataplane = xfrm) is the responder for a
# strongSwan initiator with kernel ESP, and the kernel carries the traffic through
# the SAs and policies answerd installed (topology in answerd_lib.sh). Cases:
#   site   IPv4 site-to-site tunnel 10.1.0.0/24 <-> 10.2.0.0/24 between hosts behind
#          the gateways (answerd's in/out/fwd policies): pings both ways and an
#          ${AD_SITE_MB:-8} MiB TCP transfer lh -> rh;
#   v6     IPv6 outer (2001:db8::/64) and inner (fd01::/64 <-> fd02::/64) tunnel:
#          pings and a 512 KiB TCP transfer;
#   tr     transport mode between the gateways themselves (IPv4), pings and 128 KiB TCP;
#   tr6    transport mode over IPv6.
# Each case: answerctl's byte and packet counters of both SAs equal the kernel's
# (`ip -s xfrm state`) and the peer kernel's (sent = received), no replay/integrity
# failures, SA/policy counts as expected, and everything gone after the peer's DELETE.
. "$(dirname "$0")/answerd_lib.sh"
ad_init answerd_site
ad_topology

AD_INI_IDS="ini.answerd.test ini6.answerd.test tr.answerd.test tr6.answerd.test"
ad_answerd_conf "$(
  ad_conn site ini.answerd.test 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24
  ad_conn v6 ini6.answerd.test 2001:db8::2 2001:db8::1 fd02::/64 fd01::/64
  ad_conn tr tr.answerd.test 192.0.2.2 192.0.2.1 dynamic dynamic "mode = transport"
  ad_conn tr6 tr6.answerd.test 2001:db8::2 2001:db8::1 dynamic dynamic "mode = transport"
)"
ad_answerd_start
{
  ad_ini_conn site ini.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24
  ad_ini_conn v6 ini6.answerd.test 2001:db8::1 2001:db8::2 fd01::/64 fd02::/64
  ad_ini_conn tr tr.answerd.test 192.0.2.1 192.0.2.2 dynamic dynamic mode=transport
  ad_ini_conn tr6 tr6.answerd.test 2001:db8::1 2001:db8::2 dynamic dynamic mode=transport
} >"$IA_WORK/ini.conf"
ad_initiator_start <"$IA_WORK/ini.conf"
[ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "resp has SAs or policies before any negotiation: $(ad_xfrm_count resp)"
vm_log "answerd and strongSwan up"

# expect_xfrm CASE "SAS POLICIES" MODE: answerd's kernel holds exactly these.
expect_xfrm() {
  local got s
  got=$(ad_xfrm_count resp)
  [ "$got" = "$2" ] || vm_fail "$1: resp has $got SAs/policies, want $2: $(ip -n "$(ia_ns resp)" xfrm policy)"
  s=$(ip -n "$(ia_ns resp)" xfrm state)
  [ "$(grep -c "mode $3" <<<"$s")" = 2 ] || vm_fail "$1: resp's SAs are not mode $3: $s"
}

# --- site-to-site, IPv4
mb=${AD_SITE_MB:-8}
ad_up site
expect_xfrm site "2 3" tunnel
ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
ad_tcp lh rh 10.2.0.2 10.1.0.2 $((mb * 1024 * 1024))
site_secs=$AD_TCP_SECS
ad_check_counters site ini 192.0.2.1 $((mb * 1024 * 1024 / 1400)) 100
bin=$(ad_children | awk '{print $7}')
vm_expect_ge "site: bytes in" "$bin" $((mb * 1024 * 1024))
ad_down site
expect_none() { [ "$(ad_xfrm_count resp)" = "0 0" ] || vm_fail "$1: resp kept SAs/policies: $(ip -n "$(ia_ns resp)" xfrm state)"; }
expect_none site

# --- IPv6 outer and inner
ad_up v6
expect_xfrm v6 "2 3" tunnel
ad_ping lh fd02::2
ad_ping rh fd01::2
ad_tcp lh rh fd02::2 fd01::2 $((512 * 1024))
ad_check_counters v6 ini 2001:db8::1 $((512 * 1024 / 1400)) 20
ad_down v6
expect_none v6

# --- transport mode, IPv4 and IPv6: the gateways' own traffic
for c in "tr 192.0.2.2 192.0.2.1" "tr6 2001:db8::2 2001:db8::1"; do
  read -r name raddr iaddr <<<"$c"
  ad_up "$name"
  expect_xfrm "$name" "2 2" transport
  ad_ping ini "$raddr"
  ad_ping resp "$iaddr"
  ad_tcp ini resp "$raddr" "$iaddr" $((128 * 1024))
  [ "$(ad_children | awk '{print $4}')" = transport ] || vm_fail "$name: answerctl does not say transport"
  ad_check_counters "$name" ini "$iaddr" $((128 * 1024 / 1500)) 6
  ad_down "$name"
  expect_none "$name"
done

ia_bg_running answerd || vm_fail "answerd exited"
[ "$(ad_stat dataplane_errors)" = 0 ] || vm_fail "answerd counted $(ad_stat dataplane_errors) dataplane errors"
echo "answerd_site: answerd installed kernel ESP for strongSwan: IPv4 site-to-site ($mb MiB TCP in ${site_secs}s), IPv6 tunnel, transport over IPv4 and IPv6; answerctl counters = kernel = peer; all removed on DELETE"
