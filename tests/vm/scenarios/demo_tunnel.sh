#!/usr/bin/env bash
# VM scenario demo_tunnel: the tunnel part of scripts/demo. answerd (dataplane = xfrm)
# answers a strongSwan initiator with kernel ESP, then the hosts behind both
# gateways talk through the ESP SAs answerd installed (topology in answerd_lib.sh):
#   lh 10.1.0.2 -- ini 192.0.2.1 ==ESP== 192.0.2.2 resp (answerd) -- rh 10.2.0.2
# It prints what an operator would look at (answerctl sa list, ip -s xfrm state) and
# fails unless the pings and a 1 MiB TCP transfer arrive and answerctl's counters
# equal the kernel's on both sides. Run by scripts/demo through tests/vm/run-vm, and
# by CTest (vm_demo_tunnel) so that the demo stays true.
. "$(dirname "$0")/answerd_lib.sh"
ad_init demo_tunnel
ad_topology

ad_answerd_conf "$(ad_conn site ini.answerd.test 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24)"
ad_answerd_start
ad_ini_conn site ini.answerd.test 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 | ad_initiator_start
ad_up site
vm_log "strongSwan established site-net with answerd; answerd installed:"
ip -n "$(ia_ns resp)" xfrm policy | awk '/^src/ {s = $0} /^\tdir/ && s !~ /0\.0\.0\.0\/0/ {print "    " s $1 " " $2}'

ad_ping lh 10.2.0.2
ad_ping rh 10.1.0.2
vm_log "pings between 10.1.0.2 and 10.2.0.2 answered through the tunnel"
ad_tcp lh rh 10.2.0.2 10.1.0.2 $((1024 * 1024))
ad_check_counters demo ini 192.0.2.1 700 10

echo
echo "== answerctl sa list (answerd's view, counters from the kernel)"
ad_ctl sa list
echo
echo "== ip -s xfrm state (answerd's namespace)"
# (keys masked: a demo prints no secrets)
ip -n "$(ia_ns resp)" -s xfrm state | grep -E '^src|proto esp|aead|enc |auth|bytes\)' | grep -v limit |
  sed -E 's/0x[0-9a-f]{16,}/<key>/; s/^/    /'
[ "$(ad_stat invariant_dropped)" = 0 ] || vm_fail "answerd built a request other than INFORMATIONAL"
ad_down site
vm_log "tunnel demo done: traffic through answerd's SAs, counters agree, SAs removed after the peer's DELETE"
