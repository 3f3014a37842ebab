# shellcheck shell=bash
# VM scenario helpers: the guard that a scenario runs inside the VM, logging and
# failing, namespaces on veth, and reading XFRM state counters. Sourced by the
# scenarios in this folder (functions vm_*). Namespaces die with the VM, so
# scenarios need no cleanup.

# vm_init NAME: name the scenario for log lines, stop on errors, and skip (77)
# unless running inside the VM that tests/vm/run-vm boots.
vm_init() {
  VM_NAME=$1
  set -euo pipefail
  [ "${ANSWERD_VM:-}" = 1 ] ||
    vm_skip "runs inside the VM: tests/vm/run-vm tests/vm/scenarios/$VM_NAME.sh"
  VM_T0=$(date +%s.%N)
}

vm_log() {
  local now
  now=$(date +%s.%N)
  printf '[%s +%5.1fs] %s\n' "${VM_NAME:-vm}" "$(awk -v a="$VM_T0" -v b="$now" 'BEGIN{print b-a}')" "$*"
}
vm_fail() { echo "[${VM_NAME:-vm}] FAIL: $*" >&2; exit 1; }
vm_skip() { echo "[${VM_NAME:-vm}] SKIP: $*" >&2; exit 77; }

# vm_ns NAME...: create namespaces with loopback up.
vm_ns() {
  local n
  for n in "$@"; do
    ip netns add "$n" || vm_fail "ip netns add $n"
    ip -n "$n" link set lo up
  done
}

# vm_link A IF_A CIDR_A B IF_B CIDR_B: veth pair between namespaces A and B,
# addressed ("-" leaves a side without address) and up. IPv6 addresses skip DAD.
vm_link() {
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || vm_fail "veth $1<->$4"
  vm_addr "$1" "$3" "$2"
  vm_addr "$4" "$6" "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}

# vm_addr NS CIDR DEV: add an address ("-": none; IPv6 without DAD).
vm_addr() {
  case $2 in
    -) ;;
    *:*) ip -n "$1" addr add "$2" dev "$3" nodad ;;
    *) ip -n "$1" addr add "$2" dev "$3" ;;
  esac
}

# vm_router NS: enable IPv4 and IPv6 forwarding in NS.
vm_router() {
  ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# vm_sa_counter NS SRC DST SPI FIELD: the current packets or bytes (FIELD) of an
# ESP SA, from `ip -s xfrm state get` ("lifetime current: B(bytes), P(packets)").
vm_sa_counter() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
    awk -v f="$5" '/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ && !n++ {
      gsub(/[(),a-z]/, " "); print (f == "bytes" ? $1 : $2) }'
}

# vm_sa_errors NS SRC DST SPI: replay + integrity + other failures of an ESP SA
# ("stats: replay-window N replay N failed N").
vm_sa_errors() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
    awk '/stats:/ { for (i = 1; i <= NF; i++) if ($i == "replay" || $i == "failed") s += $(i + 1) }
         END { print s + 0 }'
}

# vm_expect_ge WHAT VALUE MIN: fail unless VALUE >= MIN.
vm_expect_ge() {
  [ -n "$2" ] && [ "$2" -ge "$3" ] || vm_fail "$1 is '${2}', want at least $3"
}

# vm_ping NS ARGS...: three pings that must all be answered (TCG is slow: 5 s each).
vm_ping() {
  local ns=$1
  shift
  ip netns exec "$ns" ping -q -c 3 -i 0.2 -W 5 "$@" >/dev/null ||
    vm_fail "ping $* from $ns got no answer"
}

# vm_topology_gateways: two hosts behind two gateways, the gateways' link being
# where ESP runs; IPv4 and IPv6 everywhere, routes in place, no SAs yet:
#   lhost 10.1.0.2 -- 10.1.0.1 left 172.16.0.1 ==ESP== 172.16.0.2 right 10.2.0.1 -- 10.2.0.2 rhost
#   (fd01::2)          (fd01::1)   (fd00:172::1)        (fd00:172::2)   (fd02::1)       (fd02::2)
vm_topology_gateways() {
  vm_ns lhost left right rhost
  vm_link lhost lh0 10.1.0.2/24 left lgw-in 10.1.0.1/24
  vm_link left lgw-out 172.16.0.1/24 right rgw-out 172.16.0.2/24
  vm_link right rgw-in 10.2.0.1/24 rhost rh0 10.2.0.2/24
  vm_addr lhost fd01::2/64 lh0
  vm_addr left fd01::1/64 lgw-in
  vm_addr left fd00:172::1/64 lgw-out
  vm_addr right fd00:172::2/64 rgw-out
  vm_addr right fd02::1/64 rgw-in
  vm_addr rhost fd02::2/64 rh0
  vm_router left
  vm_router right
  ip -n lhost route add default via 10.1.0.1
  ip -n lhost -6 route add default via fd01::1
  ip -n rhost route add default via 10.2.0.1
  ip -n rhost -6 route add default via fd02::1
  ip -n left route add 10.2.0.0/24 via 172.16.0.2
  ip -n left -6 route add fd02::/64 via fd00:172::2
  ip -n right route add 10.1.0.0/24 via 172.16.0.1
  ip -n right -6 route add fd01::/64 via fd00:172::1
}
