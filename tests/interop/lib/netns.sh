# shellcheck shell=bash
# shellcheck disable=SC2034  # IA_* globals are set here for the tests that source this
# interop harness, network part: namespaces joined by veth pairs, NAT in a middle
# namespace, packet captures. Namespace names are "$IA_PREFIX-<short name>", so a
# test refers to them by short name ("ini", "resp", "nat") and runs never collide.

# ia_ns NAME: print the full namespace name for short name NAME.
ia_ns() { echo "$IA_PREFIX-$1"; }

# ia_ns_exec NAME CMD [ARGS...]: run a command inside namespace NAME.
ia_ns_exec() {
  local ns
  ns=$(ia_ns "$1")
  shift
  ip netns exec "$ns" "$@"
}

# ia_ns_create NAME...: create namespaces with loopback up; deleted at exit.
ia_ns_create() {
  local n ns
  for n in "$@"; do
    ns=$(ia_ns "$n")
    ip netns add "$ns" || ia_fail "ip netns add $ns"
    ia_on_exit ia_ns_delete "$n"
    ip -n "$ns" link set lo up
  done
}

# ia_ns_delete NAME: kill what still runs in namespace NAME and delete it.
ia_ns_delete() {
  local ns pids
  ns=$(ia_ns "$1")
  pids=$(ip netns pids "$ns" 2>/dev/null)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  ip netns del "$ns" 2>/dev/null
}

# ia_link A CIDR_A B CIDR_B: join namespaces A and B with a veth pair. The device
# in A is named "to-B" and the one in B "to-A" (use ia_ifname A B). CIDR_* are
# addresses with prefix length, e.g. 192.0.2.1/24; "-" leaves a side unaddressed.
ia_link() {
  local a=$1 ca=$2 b=$3 cb=$4 ifa ifb
  ifa=$(ia_ifname "$a" "$b")
  ifb=$(ia_ifname "$b" "$a")
  ip link add "$ifa" netns "$(ia_ns "$a")" type veth peer name "$ifb" netns "$(ia_ns "$b")" ||
    ia_fail "veth $a<->$b"
  [ "$ca" = - ] || ia_addr_add "$a" "$ca" "$ifa"
  [ "$cb" = - ] || ia_addr_add "$b" "$cb" "$ifb"
  ip -n "$(ia_ns "$a")" link set "$ifa" up
  ip -n "$(ia_ns "$b")" link set "$ifb" up
}

# ia_ifname A B: print the name of the veth device in namespace A that leads to B.
ia_ifname() { echo "to-$2" | cut -c1-15; }

# ia_addr_add NAME CIDR [DEV]: add an address in namespace NAME (default on lo),
# e.g. the inner address that tunnel traffic is sourced from.
# IPv6 addresses skip duplicate address detection (usable at once).
ia_addr_add() {
  local nodad=()
  [[ $2 != *:* ]] || nodad=(nodad)
  ip -n "$(ia_ns "$1")" addr add "$2" dev "${3:-lo}" "${nodad[@]}"
}

# ia_route_add NAME ROUTE...: add a route in namespace NAME, e.g. ia_route_add ini default via 10.0.0.1
ia_route_add() {
  local n=$1
  shift
  ip -n "$(ia_ns "$n")" route add "$@"
}

# ia_nat NAME OUT_DEV: make namespace NAME a router that masquerades (source NAT)
# everything leaving through OUT_DEV, with nftables, or iptables when nft is missing.
ia_nat() {
  local n=$1 dev=$2
  ia_ns_exec "$n" sysctl -qw net.ipv4.ip_forward=1
  if command -v nft >/dev/null 2>&1; then
    ia_ns_exec "$n" nft -f - <<NFT || ia_fail "nft masquerade in $n"
table ip ia_nat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "$dev" masquerade
  }
}
NFT
  else
    ia_ns_exec "$n" iptables -t nat -A POSTROUTING -o "$dev" -j MASQUERADE ||
      ia_fail "iptables masquerade in $n"
  fi
}

# Both topologies set: IA_INI_ADDR, IA_RESP_ADDR (outer addresses the peers use),
# IA_RESP_DEV (the responder's device toward the initiator: capture there),
# IA_INI_NET/IA_RESP_NET (traffic selectors) and IA_INI_INNER/IA_RESP_INNER (an
# address of each net on lo, to ping through the tunnel).
ia_topology_inner() {
  IA_INI_NET=10.1.0.0/24 IA_RESP_NET=10.2.0.0/24
  IA_INI_INNER=10.1.0.1 IA_RESP_INNER=10.2.0.1
  ia_addr_add ini "$IA_INI_INNER/32"
  ia_addr_add resp "$IA_RESP_INNER/32"
}

# ia_topology_direct: namespaces "ini" (192.0.2.1) and "resp" (192.0.2.2) on one
# veth, plus inner addresses for tunnel traffic on lo: ini 10.1.0.1, resp 10.2.0.1.
ia_topology_direct() {
  ia_ns_create ini resp
  ia_link ini 192.0.2.1/24 resp 192.0.2.2/24
  IA_INI_ADDR=192.0.2.1 IA_RESP_ADDR=192.0.2.2 IA_RESP_DEV=$(ia_ifname resp ini)
  ia_topology_inner
}

# ia_topology_direct6: as ia_topology_direct over IPv6: ini 2001:db8::1, resp
# 2001:db8::2 (the inner nets stay IPv4: IPv4 tunnelled over IPv6).
ia_topology_direct6() {
  ia_ns_create ini resp
  ia_link ini 2001:db8::1/64 resp 2001:db8::2/64
  IA_INI_ADDR=2001:db8::1 IA_RESP_ADDR=2001:db8::2 IA_RESP_DEV=$(ia_ifname resp ini)
  ia_topology_inner
}

# ia_topology_nat: "ini" (10.0.0.2) behind "nat" (10.0.0.1 | 198.51.100.1, masquerade
# toward resp) talking to "resp" (198.51.100.2); inner addresses as in
# ia_topology_direct. The responder sees the initiator as 198.51.100.1: NAT-T.
ia_topology_nat() {
  ia_ns_create ini nat resp
  ia_link ini 10.0.0.2/24 nat 10.0.0.1/24
  ia_link nat 198.51.100.1/24 resp 198.51.100.2/24
  ia_route_add ini default via 10.0.0.1
  ia_nat nat "$(ia_ifname nat resp)"
  IA_INI_ADDR=10.0.0.2 IA_RESP_ADDR=198.51.100.2 IA_RESP_DEV=$(ia_ifname resp nat)
  ia_topology_inner
}

# ia_bg_start [--private-run] NAME NS LOG CMD [ARGS...]: run CMD in the background
# in namespace NS (short name), stdout and stderr to LOG; its pid (CMD's own, exec
# all the way down) goes to IA_BG_PID[NAME]; stopped at exit. --private-run gives it
# a mount namespace of its own with a fresh tmpfs on /run (pid files, sockets), as
# daemons that insist on /run/... need when several run side by side.
ia_bg_start() {
  local private=0 name ns log
  if [ "$1" = --private-run ]; then private=1; shift; fi
  name=$1 ns=$2 log=$3
  shift 3
  if [ "$private" = 1 ]; then
    (exec ip netns exec "$(ia_ns "$ns")" unshare -m --propagation private \
      sh -c 'mount -t tmpfs tmp /run && exec "$@"' sh "$@") </dev/null >"$log" 2>&1 &
  else
    (exec ip netns exec "$(ia_ns "$ns")" "$@") </dev/null >"$log" 2>&1 &
  fi
  IA_BG_PID[$name]=$!
  ia_on_exit ia_bg_stop "$name"
  ia_log_file "$log"
}

# ia_bg_running NAME: true while the process started as NAME runs.
ia_bg_running() {
  local pid=${IA_BG_PID[$1]:-}
  [ -n "$pid" ] && ! ia_pid_gone "$pid"
}

# ia_bg_stop NAME [TIMEOUT_S]: SIGTERM, SIGKILL after TIMEOUT_S (default 5), reap.
# Returns the process's exit status (0 if it was not running). Idempotent.
ia_bg_stop() {
  local pid=${IA_BG_PID[$1]:-} rc=0
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  ia_wait_until "${2:-5}" ia_pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || rc=$?
  unset "IA_BG_PID[$1]"
  return "$rc"
}

# ia_pid_gone PID: true when PID has exited (a zombie awaiting its reaper counts).
ia_pid_gone() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$st" ] || [ "$st" = Z ]
}

# ia_wait_udp NAME PORT [TIMEOUT_S]: wait until something listens on UDP PORT in
# namespace NAME (default 10 s), e.g. a responder daemon's IKE socket.
ia_wait_udp() {
  ia_wait_until "${3:-10}" ia_udp_listening "$1" "$2"
}
ia_udp_listening() { ia_ns_exec "$1" ss -Hnlu "sport = :$2" | grep -q .; }

# ia_capture_start NAME DEV FILE [FILTER]: run tcpdump in namespace NAME on DEV,
# writing classic pcap to FILE (default filter: UDP 500 and 4500), until
# ia_capture_stop FILE. Returns once tcpdump is listening.
ia_capture_start() {
  local n=$1 dev=$2 file=$3 filter=${4:-udp port 500 or udp port 4500} pid
  local err
  err="$IA_WORK/tcpdump.$(basename "$file").err"
  # exec: the recorded pid is tcpdump's (a background bash would ignore SIGINT).
  (exec ip netns exec "$(ia_ns "$n")" tcpdump -i "$dev" --immediate-mode -U -s 0 -w "$file" "$filter") >/dev/null 2>"$err" &
  pid=$!
  IA_CAPTURE_PID["$file"]=$pid
  ia_on_exit kill "$pid"
  ia_wait_until 10 grep -q 'listening on' "$err" || ia_fail "tcpdump did not start: $(cat "$err")"
}

# ia_capture_stop FILE: stop the capture writing FILE and wait until it is flushed.
ia_capture_stop() {
  local pid=${IA_CAPTURE_PID[$1]:-}
  [ -n "$pid" ] || return 0
  sleep 0.3  # let the last packets reach the socket buffer
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  unset "IA_CAPTURE_PID[$1]"
}

# ia_ike_pcap FILE: one line per UDP 500/4500 datagram of the capture FILE:
#   SRC SPORT DST DPORT ike EXCHANGE I|- R|- MSGID SPIi SPIr LEN   (RFC 7296 3.1 header)
#   SRC SPORT DST DPORT keepalive|esp|short                       (4500: RFC 3948)
ia_ike_pcap() { python3 "$IA_LIB/ike_pcap.py" "$1"; }

declare -gA IA_CAPTURE_PID=() IA_BG_PID=()
