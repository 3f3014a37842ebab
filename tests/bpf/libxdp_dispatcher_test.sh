#!/usr/bin/env bash
# answer_xdp beside another XDP program through libxdp's multi-program dispatcher
# (xdp-tools 1.3.1 from Debian: xdp-filter as the other program, xdp-loader for
# answer_xdp.bpf.o with its maps pinned by name under a bpffs folder of our own).
# On a veth in a namespace:
#  1. both programs are attached through one xdp_dispatcher (xdp-filter at its
#     priority 10 first, answer_xdp at the default 50 after it); answer_xdp drops
#     crafted role-violating IKE packets and counts them in its pinned global
#     counters, and xdp-filter counts what it passed on.
#  2. the documented procedure with answerd (docs/operation.md "Other XDP
#     programs"), when answerd and answerctl are built: answerd attaches its own
#     copy to a dummy device only, so that it creates, fills and maintains the
#     pinned maps (config, allowlist, inflight, outstanding); xdp-loader loads
#     answer_xdp.bpf.o into the dispatcher on the real interface with those maps
#     (-p <bpffs>/v1). The dispatcher's copy must apply answerd's allowlist
#     (unknown_peer) and IKE_SA_INIT rate (rate_limited), and pass IKE to answerd.
#   tests/bpf/libxdp_dispatcher_test.sh [BUILD_DIR]
# Skips (77) when the kernel refuses the freplace (BPF_PROG_TYPE_EXT) programs the
# dispatcher is made of: libxdp then falls back to a single program, which is no
# coexistence. Run inside the VM (Debian's kernel) with
#   tests/vm/run-vm tests/bpf/libxdp_dispatcher_test.sh
set -euo pipefail
# ia_answerd_conf: answerd's configuration, written as the interop tests write it.
# shellcheck source=../interop/lib/interop.sh
. "$(dirname "$0")/../interop/lib/interop.sh"
build=${1:-${ANSWERD_BUILD_DIR:-build}}
obj=$build/bpf/answer_xdp.bpf.o
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root: namespaces, XDP"
for c in xdp-loader xdp-filter bpftool python3; do
  command -v "$c" >/dev/null || skip "needs $c (xdp-tools, bpftool: scripts/deps.d)"
done
[ -f "$obj" ] || skip "$obj not built (bpf area)"

tag=lx$$
work=$(mktemp -d "${TMPDIR:-/tmp}/libxdp-dispatcher.XXXXXX")
cleanup() {
  ip netns exec "$tag-b" xdp-loader unload --all "$tag-b" >/dev/null 2>&1 || true
  ip netns del "$tag-a" 2>/dev/null || true
  ip netns del "$tag-b" 2>/dev/null || true
  umount -l "$work/bpffs" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$tag-a" && ip netns add "$tag-b"
ip link add "$tag-a" netns "$tag-a" type veth peer name "$tag-b" netns "$tag-b"
ip -n "$tag-a" addr add 192.0.2.1/24 dev "$tag-a"
ip -n "$tag-b" addr add 192.0.2.2/24 dev "$tag-b"
ip -n "$tag-a" link set "$tag-a" up
ip -n "$tag-b" link set "$tag-b" up
# `ip netns exec` mounts a fresh /sys: libxdp finds its bpffs through LIBXDP_BPFFS.
mkdir -p "$work/bpffs" && mount -t bpf bpf "$work/bpffs"
export LIBXDP_BPFFS=$work/bpffs
pins=$work/bpffs/answerd/v1
mkdir -p "$pins"
inb() { ip netns exec "$tag-b" "$@"; }

inb xdp-filter load -v -m native "$tag-b" >"$work/filter.log" 2>&1 || fail "xdp-filter load: $(cat "$work/filter.log")"
if ! inb xdp-loader status "$tag-b" | grep -q xdp_dispatcher; then
  reason=$(grep -h -m2 -i 'failed to load program\|compatibility check' "$work/filter.log" | tr -s ' \n' ' ' || true)
  skip "libxdp could not build a dispatcher on kernel $(uname -r) (${reason:-see xdp-loader load -vv}); xdp-filter was attached alone"
fi
inb xdp-loader load -v -m native -p "$pins" "$tag-b" "$obj" >"$work/loader.log" 2>&1 ||
  fail "xdp-loader load answer_xdp: $(tail -5 "$work/loader.log")"
status=$(inb xdp-loader status "$tag-b")
echo "$status"
if ! grep -q answer_xdp <<<"$status" || ! grep -q xdpfilt <<<"$status"; then
  fail "the dispatcher does not hold both programs"
fi
[ -e "$pins/global_stats" ] || fail "answer_xdp's maps not pinned under $pins"

# Five role-violating IKE headers (Initiator flag clear) and five other datagrams.
for _ in 1 2 3 4 5; do
  ip netns exec "$tag-a" bash -c "printf '\\x11\\x22\\x33\\x44\\x55\\x66\\x77\\x88\\x99\\xaa\\xbb\\xcc\\xdd\\xee\\xff\\x00\\x00\\x20\\x23\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x1c' >/dev/udp/192.0.2.2/500"
  ip netns exec "$tag-a" bash -c "echo hello >/dev/udp/192.0.2.2/9"
done
sleep 0.3
# global_stats: per-CPU values; field 2 (after malformed, unknown_peer) is role_violation.
role=$(bpftool -j map dump pinned "$pins/global_stats" | python3 -c '
import json, sys
print(sum(c["value"]["role_violation"] for e in json.load(sys.stdin) for c in e["formatted"]["values"]))')
[ "$role" -ge 5 ] || fail "answer_xdp counted $role role violations, want >= 5"
passed=$(inb xdp-filter status | awk '/XDP_PASS/ {print $2; exit}')
[ "${passed:-0}" -ge 5 ] || fail "xdp-filter saw ${passed:-0} passed packets, want >= 5: $(inb xdp-filter status)"
echo "libxdp_dispatcher: answer_xdp dropped $role role violations and xdp-filter passed $passed packets in one dispatcher"

answerd=$build/userspace/daemon/answerd answerctl=$build/tools/answerctl/answerctl
if [ ! -x "$answerd" ] || [ ! -x "$answerctl" ]; then
  echo "libxdp_dispatcher: answerd/answerctl not built in $build: procedure with answerd not run"
  exit 0
fi
inb xdp-loader unload --all "$tag-b" >/dev/null
ip -n "$tag-a" addr add 192.0.2.3/24 dev "$tag-a"
inb ip link add answerd-maps type dummy
inb ip link set answerd-maps up
sock=$work/answerd.sock
ia_answerd_conf local_addrs=192.0.2.2 remote_addrs=192.0.2.1 local_id=hub.example remote_id=%any child= \
  secret="libxdp dispatcher test key" control_socket="$sock" bpffs="$work/bpffs/answerd" \
  xdp="interfaces = answerd-maps;mode = generic;init_rate = 1;init_burst = 1" >"$work/answerd.conf"
(exec ip netns exec "$tag-b" "$answerd" -c "$work/answerd.conf") </dev/null >"$work/answerd.log" 2>&1 &
answerd_pid=$!
trap 'kill $answerd_pid 2>/dev/null; wait $answerd_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
[ -S "$sock" ] || fail "answerd did not start: $(cat "$work/answerd.log")"
inb xdp-filter load -m native "$tag-b" >/dev/null 2>&1 || fail "xdp-filter load (procedure)"
inb xdp-loader load -m native -p "$work/bpffs/answerd/v1" "$tag-b" "$obj" >"$work/loader2.log" 2>&1 ||
  fail "xdp-loader load with answerd's maps: $(tail -5 "$work/loader2.log")"
inb xdp-loader status "$tag-b"
# SOURCE SPI-BYTE...: bare IKE_SA_INIT request headers, back to back from one
# process (one python start per packet under TCG can outlast the 1/s refill).
ike_sa_init() {
  ip netns exec "$tag-a" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0))
for spi in sys.argv[2:]:
    h = bytes([int(spi)] * 8) + bytes(8) + bytes([0, 0x20, 34, 0x08]) + bytes(4) + (28).to_bytes(4, "big")
    s.sendto(h, ("192.0.2.2", 500))' "$@"
}
ike_sa_init 192.0.2.1 1 2 3 4
ike_sa_init 192.0.2.3 9
sleep 0.3
ip netns exec "$tag-b" "$answerctl" -j --socket "$sock" --bpffs "$work/bpffs/answerd" stats show >"$work/stats.json"
python3 - "$work/stats.json" <<'PY' || fail "the dispatcher's answer_xdp did not apply answerd's maps: $(cat "$work/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
x, d = s["xdp"], s["daemon"]
d = d.get("daemon", d)
assert x["unknown_peer"] >= 1, "allowlist written by answerd not applied"
assert x["rate_limited"] >= 1 and x["ike_sa_init"] >= 1, "init_rate written by answerd not applied"
assert d["ike"]["received"] >= 1, "nothing reached answerd"
print(f"procedure: unknown_peer {x['unknown_peer']}, rate_limited {x['rate_limited']}, ike_sa_init {x['ike_sa_init']},"
      f" answerd received {d['ike']['received']}")
PY
