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
