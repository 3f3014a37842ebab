#!/usr/bin/env bash
# check-spoke.sh: from a spoke, ping addresses behind the hub from the spoke's own
# subnet and assert that the pings went through ESP: the packet counter of the
# spoke's outbound SA (ADDR -> HUB_ADDR, `ip -s xfrm state`) grows by at least
# the pings sent. Prints the spoke's SAs as the kernel sees them.
#
#   check-spoke.sh --addr ADDR --hub HUB_ADDR --from SRC --ping ADDR[,ADDR...] [--quiet]
#
# SRC is the spoke's address inside its protected subnet (e.g. 10.11.0.1).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
addr="" hub="" from="" targets="" quiet=0
while [ $# -gt 0 ]; do
  case $1 in
    --addr) addr=$2 ;;
    --hub) hub=$2 ;;
    --from) from=$2 ;;
    --ping) targets=$2 ;;
    --quiet) quiet=1; shift; continue ;;
    *) pv_fail "unknown option $1" ;;
  esac
  shift 2 || pv_fail "option $1 needs a value"
done
for o in addr hub from targets; do pv_need "$o" "${!o}"; done

# out_packets: packets the kernel sent on the ESP SA(s) from ADDR to HUB_ADDR.
out_packets() {
  local s
  s=$(ip -s xfrm state list src "$addr" dst "$hub" proto esp)
  awk '/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ { gsub(/[(),a-z]/, " "); n += $2 } END { print n + 0 }' <<<"$s"
}
grep -q . <<<"$(ip xfrm state list src "$addr" dst "$hub" proto esp)" ||
  pv_fail "no ESP SA from $addr to $hub in the kernel"
before=$(out_packets)
sent=0
IFS=, read -r -a list <<<"$targets"
for t in "${list[@]}"; do
  ping -q -c 3 -i 0.2 -W 5 -I "$from" "$t" >/dev/null || pv_fail "ping $t from $from: no answer through the tunnel"
  sent=$((sent + 3))
done
after=$(out_packets)
[ $((after - before)) -ge "$sent" ] ||
  pv_fail "the ESP SA $addr -> $hub carried $((after - before)) packets for $sent pings: not through ESP"
[ "$quiet" = 1 ] || ip -s xfrm state list src "$addr" dst "$hub" proto esp
pv_log "$from reached ${targets//,/ } through ESP ($addr -> $hub: $before -> $after packets)"
