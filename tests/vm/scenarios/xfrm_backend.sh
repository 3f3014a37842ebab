#!/usr/bin/env bash
# VM scenario xfrm_backend: answerd's XFRM backend (userspace/kernel/xfrm) programs
# real kernel ESP. xfrm_tool (tests/kernel/xfrm) installs SAs and policies through
# the backend on the left gateway, and on the right one either `ip xfrm` (an
# independent implementation of the same messages) or xfrm_tool again:
#
#   lhost 10.1.0.2 -- left 172.16.0.1 ==ESP== 172.16.0.2 right -- 10.2.0.2 rhost
#   (fd01::2)           (fd00:172::1)           (fd00:172::2)       (fd02::2)
#
# Cases: the probe finds ESP; tunnels with AES-GCM-16, AES-CBC + HMAC-SHA-256 (ESN,
# 128-packet window), ChaCha20-Poly1305, 4-in-6 and 6-in-4; a route-based xfrm
# interface (if_id); NAT-T (ESP in UDP 4500); soft and hard packet lifetimes reported
# as events; and the flush of owned entries by reqid, which leaves another daemon's
# SA and policy alone. In each traffic case: pings cross, packet counters of
# `ip -s xfrm state` match on both gateways and match GETSA through the backend,
# and removal through the backend brings the SAD and SPD back to empty.
. "$(dirname "$0")/lib.sh"
vm_init xfrm_backend

tool=${ANSWERD_BUILD_DIR:-}/tests/kernel/xfrm/xfrm_tool
[ -x "$tool" ] || vm_skip "xfrm_tool is not built ($tool): build the xfrm area first"

vm_topology_gateways

REQID=0xa5d00001  # in answerd's owned range
hexkey() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
xt() { local ns=$1; shift; ip netns exec "$ns" "$tool" "$@"; }
states() { ip -n "$1" -o xfrm state | wc -l; }
policies() { ip -n "$1" -o xfrm policy | wc -l; }

# keys ALG: sets KO KI (and IO II for CBC+HMAC): fresh keys for both directions.
keys() {
  IO="" II=""
  case $1 in
    aes128gcm16) KO=$(hexkey 20) KI=$(hexkey 20) ;;
    aes256gcm16|chacha20poly1305) KO=$(hexkey 36) KI=$(hexkey 36) ;;
    aes128-sha256) KO=$(hexkey 16) KI=$(hexkey 16) IO=$(hexkey 32) II=$(hexkey 32) ;;
    *) vm_fail "no keys for $1" ;;
  esac
}

# ipxfrm_args ALG KEY [IKEY]: the same algorithm in ip-xfrm words.
ipxfrm_args() {
  case $1 in
    aes*gcm16) echo "aead rfc4106(gcm(aes)) 0x$2 128" ;;
    chacha20poly1305) echo "aead rfc7539esp(chacha20,poly1305) 0x$2 128" ;;
    aes128-sha256) echo "enc cbc(aes) 0x$2 auth-trunc hmac(sha256) 0x$3 128" ;;
  esac
}

# counters_match CASE L R SPI_LR SPI_RL MIN: `ip -s xfrm state` packets equal on
# sender and receiver, at least MIN, equal to GETSA through the backend, no failures.
counters_match() {
  local c=$1 l=$2 r=$3 s_lr=$4 s_rl=$5 min=$6 tx rx via
  tx=$(vm_sa_counter left "$l" "$r" "$s_lr" packets)
  rx=$(vm_sa_counter right "$l" "$r" "$s_lr" packets)
  vm_expect_ge "$c: left->right packets" "$tx" "$min"
  [ "$tx" = "$rx" ] || vm_fail "$c: left encrypted $tx packets, right decrypted $rx"
  via=$(xt left sa get "$l" "$r" "$s_lr" | awk '{print $4}')
  [ "$via" = "$tx" ] || vm_fail "$c: GETSA through the backend says $via packets, ip -s xfrm state $tx"
  tx=$(vm_sa_counter right "$r" "$l" "$s_rl" packets)
  rx=$(vm_sa_counter left "$r" "$l" "$s_rl" packets)
  vm_expect_ge "$c: right->left packets" "$tx" "$min"
  [ "$tx" = "$rx" ] || vm_fail "$c: right encrypted $tx packets, left decrypted $rx"
  via=$(xt left sa get "$r" "$l" "$s_rl" | awk '{print $4}')
  [ "$via" = "$rx" ] || vm_fail "$c: GETSA says $via packets on left's inbound SA, ip says $rx"
  [ "$(vm_sa_errors left "$r" "$l" "$s_rl")" = 0 ] || vm_fail "$c: failures on left"
  [ "$(vm_sa_errors right "$l" "$r" "$s_lr")" = 0 ] || vm_fail "$c: failures on right"
  vm_log "$c: $tx packets each way, GETSA agrees"
}

# all_gone CASE: SAD and SPD empty on both gateways.
all_gone() {
  local ns
  for ns in left right; do
    [ "$(states "$ns")" = 0 ] || vm_fail "$1: $ns still has SAs: $(ip -n "$ns" xfrm state)"
    [ "$(policies "$ns")" = 0 ] || vm_fail "$1: $ns still has policies: $(ip -n "$ns" xfrm policy)"
  done
}

# --- the root tests of the backend, now on a kernel with ESP (the probe succeeds)
ktest=${ANSWERD_BUILD_DIR}/tests/kernel/xfrm/xfrm_kernel_test
if [ -x "$ktest" ]; then
  "$ktest" --gtest_brief=1 >/tmp/xfrm_kernel_test.log 2>&1 ||
    vm_fail "xfrm_kernel_test in the VM: $(tail -30 /tmp/xfrm_kernel_test.log)"
  vm_log "xfrm_kernel_test: $(grep -E '^\[  PASSED|SKIPPED \]' /tmp/xfrm_kernel_test.log | tr '\n' ' ')"
fi

# --- the probe inside a namespace: ESP, the algorithms and xfrm interfaces
probe=$(xt left probe) || vm_fail "probe failed in the VM: $probe"
grep -q '^esp yes' <<<"$probe" || vm_fail "probe: $probe"
grep -q '^encr.* 20' <<<"$probe" || vm_fail "probe found no AES-GCM-16: $probe"
grep -q '^encr.* 28' <<<"$probe" || vm_fail "probe found no ChaCha20-Poly1305: $probe"
grep -q '^xfrm_interfaces yes' <<<"$probe" || vm_fail "probe found no xfrm interfaces: $probe"
all_gone "after the probe"
vm_log "probe: $(tr '\n' ' ' <<<"$probe")"

# tunnel_case NAME ALG PEER(ip|tool) L R LNET RNET PING_FROM_L PING_FROM_R [OPTIONS...]
tunnel_case() {
  local name=$1 a=$2 peer=$3 l=$4 r=$5 ln=$6 rn=$7 pl=$8 pr=$9
  shift 9
  local so=0xc0001$((++CASE_N))01 si=0xc0001${CASE_N}02 dir upd=()
  if [ "${ALLOC_IN:-}" = 1 ]; then
    # The responder's way: ALLOCSPI for the inbound SA, then UPDSA fills it in.
    si=$(xt left spi "$r" "$l" "$REQID") || vm_fail "$name: ALLOCSPI"
    ip -n left xfrm state get src "$r" dst "$l" proto esp spi "$si" >/dev/null || vm_fail "$name: no larval SA $si"
    upd=(--update-in 1)
  fi
  keys "$a"
  # shellcheck disable=SC2086
  xt left tunnel up "$l" "$r" "$ln" "$rn" "$so" "$si" "$REQID" "$a" "$KO" "$KI" $IO $II "$@" "${upd[@]}" ||
    vm_fail "$name: left tunnel up"
  if [ "$peer" = tool ]; then
    # shellcheck disable=SC2086
    xt right tunnel up "$r" "$l" "$rn" "$ln" "$si" "$so" "$REQID" "$a" "$KI" "$KO" $II $IO "$@" ||
      vm_fail "$name: right tunnel up"
  else
    # shellcheck disable=SC2046
    ip -n right xfrm state add src "$l" dst "$r" proto esp spi "$so" reqid 7 mode tunnel \
      replay-window 64 $(ipxfrm_args "$a" "$KO" "$IO") || vm_fail "$name: ip xfrm state (in)"
    # shellcheck disable=SC2046
    ip -n right xfrm state add src "$r" dst "$l" proto esp spi "$si" reqid 7 mode tunnel \
      $(ipxfrm_args "$a" "$KI" "$II") || vm_fail "$name: ip xfrm state (out)"
    ip -n right xfrm policy add src "$rn" dst "$ln" dir out tmpl src "$r" dst "$l" proto esp reqid 7 mode tunnel
    for dir in in fwd; do
      ip -n right xfrm policy add src "$ln" dst "$rn" dir "$dir" tmpl src "$l" dst "$r" proto esp reqid 7 mode tunnel
    done
  fi
  vm_ping lhost "$pl"
  vm_ping rhost "$pr"
  counters_match "$name" "$l" "$r" "$so" "$si" 6
  case " $* " in
    *" --encap "*)
      grep -q 'encap type espinudp sport 4500 dport 4500' <<<"$(ip -n right xfrm state get src "$l" dst "$r" proto esp spi "$so")" ||
        vm_fail "$name: right's inbound SA is not ESP-in-UDP" ;;
  esac
  xt left tunnel down "$l" "$r" "$ln" "$rn" "$so" "$si" "$REQID" "$a" "$KO" "$KI" "$@" ||
    vm_fail "$name: left tunnel down"
  if [ "$peer" = tool ]; then
    xt right tunnel down "$r" "$l" "$rn" "$ln" "$si" "$so" "$REQID" "$a" "$KI" "$KO" "$@" ||
      vm_fail "$name: right tunnel down"
  else
    ip -n right xfrm state flush
    ip -n right xfrm policy flush
  fi
  all_gone "$name"
}
CASE_N=0

tunnel_case "aes256gcm16 vs ip xfrm" aes256gcm16 ip 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2
tunnel_case "aes128-sha256 vs ip xfrm" aes128-sha256 ip 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2
tunnel_case "chacha20poly1305 vs ip xfrm" chacha20poly1305 ip 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2
ALLOC_IN=1 tunnel_case "aes128gcm16 both backend, inbound SPI from ALLOCSPI" aes128gcm16 tool 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2
tunnel_case "aes128-sha256 esn window 128" aes128-sha256 tool 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2 --esn --replay 128
tunnel_case "4-in-6 aes256gcm16" aes256gcm16 tool fd00:172::1 fd00:172::2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2
tunnel_case "6-in-4 chacha20poly1305" chacha20poly1305 tool 172.16.0.1 172.16.0.2 fd01::/64 fd02::/64 fd02::2 fd01::2

# --- NAT-T (RFC 3948): ESP in UDP 4500. The kernel decapsulates only on a UDP socket
# with the UDP_ENCAP_ESPINUDP option (what answerd's IKE socket on 4500 sets), so
# hold one open in each gateway for the time of the case.
encap_socket() {
  ip netns exec "$1" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
s.setsockopt(17, 100, 2)  # SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP
time.sleep(120)' </dev/null >/dev/null 2>&1 &
}
# udp_bound NS: a socket on UDP 4500 (0x1194) exists in NS.
udp_bound() { ip netns exec "$1" grep -q ':1194 ' /proc/net/udp; }
encap_socket left
enc_l=$!
encap_socket right
enc_r=$!
for i in $(seq 100); do
  udp_bound left && udp_bound right && break
  sleep 0.2
done
udp_bound left && udp_bound right || vm_fail "nat-t: the UDP 4500 encapsulation sockets did not come up"
tunnel_case "nat-t aes256gcm16" aes256gcm16 tool 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 10.2.0.2 10.1.0.2 --encap 4500:4500
kill "$enc_l" "$enc_r" 2>/dev/null || true

# --- xfrm interface: left routes 10.2.0.0/24 into xi0 (if_id 42); its SAs and
# catch-all policies, installed through the backend, carry if_id 42.
ip -n left link add xi0 type xfrm dev lgw-out if_id 42 || vm_fail "ip link add xi0 type xfrm"
ip -n left link set xi0 up
ip -n left route replace 10.2.0.0/24 dev xi0
keys aes256gcm16
xt left tunnel up 172.16.0.1 172.16.0.2 0.0.0.0/0 0.0.0.0/0 0xc0002001 0xc0002002 "$REQID" aes256gcm16 "$KO" "$KI" --if-id 42 ||
  vm_fail "xi: left tunnel up with if_id"
xt right tunnel up 172.16.0.2 172.16.0.1 10.2.0.0/24 10.1.0.0/24 0xc0002002 0xc0002001 "$REQID" aes256gcm16 "$KI" "$KO" ||
  vm_fail "xi: right tunnel up"
grep -q 'if_id 0x2a' <<<"$(ip -n left xfrm state)" || vm_fail "xi: left SAs lack if_id 42: $(ip -n left xfrm state)"
grep -q 'if_id 0x2a' <<<"$(ip -n left xfrm policy)" || vm_fail "xi: left policies lack if_id 42"
vm_ping lhost 10.2.0.2
vm_ping rhost 10.1.0.2
xi_tx=$(ip netns exec left cat /sys/class/net/xi0/statistics/tx_packets)
vm_expect_ge "xi0 tx packets" "$xi_tx" 6
tx=$(vm_sa_counter left 172.16.0.1 172.16.0.2 0xc0002001 packets)
rx=$(vm_sa_counter right 172.16.0.1 172.16.0.2 0xc0002001 packets)
[ "$tx" = "$rx" ] && [ "$tx" -ge 6 ] || vm_fail "xi: left sent $tx, right received $rx"
via=$(xt left sa get 172.16.0.1 172.16.0.2 0xc0002001 | awk '{print $4}')
[ "$via" = "$tx" ] || vm_fail "xi: GETSA $via vs ip $tx"
xt left tunnel down 172.16.0.1 172.16.0.2 0.0.0.0/0 0.0.0.0/0 0xc0002001 0xc0002002 "$REQID" aes256gcm16 x x --if-id 42 ||
  vm_fail "xi: left tunnel down"
xt right tunnel down 172.16.0.2 172.16.0.1 10.2.0.0/24 10.1.0.0/24 0xc0002002 0xc0002001 "$REQID" aes256gcm16 x x ||
  vm_fail "xi: right tunnel down"
all_gone "xfrm interface"
ip -n left link del xi0
ip -n left route replace 10.2.0.0/24 via 172.16.0.2
vm_log "xfrm interface: xi0 tx $xi_tx packets, SAs and policies with if_id 42"

# --- lifetimes: soft limit 3 packets, hard limit 8, on both SAs. The backend's event
# socket reports the soft expiry (answerd only counts it) and the hard one, after
# which the kernel has removed the SA.
ev=/tmp/xfrm_events.log
xt left events 40 >"$ev" &
ev_pid=$!
sleep 1
keys aes128gcm16
xt left tunnel up 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 0xc0003001 0xc0003002 "$REQID" aes128gcm16 "$KO" "$KI" \
  --soft-packets 3 --hard-packets 8 || vm_fail "lifetimes: left tunnel up"
xt right tunnel up 172.16.0.2 172.16.0.1 10.2.0.0/24 10.1.0.0/24 0xc0003002 0xc0003001 "$REQID" aes128gcm16 "$KI" "$KO" ||
  vm_fail "lifetimes: right tunnel up"
ip netns exec lhost ping -q -c 12 -i 0.2 -W 1 10.2.0.2 >/dev/null 2>&1 || true
for i in $(seq 50); do
  grep -q 'expire hard spi 0xc0003001' "$ev" && break
  sleep 0.2
done
kill "$ev_pid" 2>/dev/null || true
grep -q "expire soft spi 0xc0003001 reqid $REQID" "$ev" || vm_fail "lifetimes: no soft expire: $(cat "$ev")"
grep -q "expire hard spi 0xc0003001 reqid $REQID" "$ev" || vm_fail "lifetimes: no hard expire: $(cat "$ev")"
ip -n left xfrm state get src 172.16.0.1 dst 172.16.0.2 proto esp spi 0xc0003001 >/dev/null 2>&1 &&
  vm_fail "lifetimes: the hard-expired SA is still there"
vm_log "lifetimes: $(tr '\n' ';' <"$ev")"
ip -n left xfrm state flush; ip -n left xfrm policy flush
ip -n right xfrm state flush; ip -n right xfrm policy flush

# --- stale entries after a crash: flush_owned() removes what carries answerd's reqids
# (a larval ALLOCSPI SA, a full SA, three policies) and nothing of another daemon's.
ip -n left xfrm state add src 172.16.0.2 dst 172.16.0.1 proto esp spi 0x7777 reqid 7 mode tunnel \
  aead 'rfc4106(gcm(aes))' "0x$(hexkey 20)" 128 || vm_fail "stale: foreign SA"
ip -n left xfrm policy add src 10.7.0.0/24 dst 10.8.0.0/24 dir out tmpl src 172.16.0.1 dst 172.16.0.2 proto esp reqid 7 mode tunnel
spi=$(xt left spi 172.16.0.2 172.16.0.1 "$REQID") || vm_fail "stale: ALLOCSPI"
keys aes256gcm16
xt left tunnel up 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24 0xc0004001 0xc0004002 0xa5d00002 aes256gcm16 "$KO" "$KI" ||
  vm_fail "stale: tunnel up"
[ "$(states left)" = 4 ] && [ "$(policies left)" = 4 ] || vm_fail "stale: setup: $(states left) SAs, $(policies left) policies"
removed=$(xt left flush) || vm_fail "stale: flush"
[ "$removed" = 6 ] || vm_fail "stale: flush removed $removed entries, want 6"
[ "$(states left)" = 1 ] && [ "$(policies left)" = 1 ] || vm_fail "stale: left has $(states left) SAs and $(policies left) policies after the flush"
grep -q 'reqid 7 ' <<<"$(ip -n left xfrm state)" || vm_fail "stale: the foreign SA was removed"
grep -q 'reqid 7 ' <<<"$(ip -n left xfrm policy)" || vm_fail "stale: the foreign policy was removed"
vm_log "stale: flush removed $removed owned entries (larval SPI $spi), kept reqid 7"

echo "xfrm_backend: the XFRM backend carried traffic through kernel ESP (GCM, CBC+HMAC with ESN, ChaCha20-Poly1305, 4-in-6, 6-in-4, NAT-T, xfrm interface), GETSA matched ip -s xfrm, lifetimes raised soft and hard expires, and the owned-reqid flush kept foreign entries"
