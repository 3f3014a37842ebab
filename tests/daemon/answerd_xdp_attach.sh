#!/usr/bin/env bash
# answerd drives the XDP filter (needs root): in a fresh network and mount namespace
# with a veth pair and a bpffs of its own, answerd started with
# `xdp { interfaces = xa0 }` must attach the filter (daemon status, pinned link,
# bpftool's view of the device), write the config map from the configuration (ports,
# init_rate, init_burst, allowlist flag) and the allowlist from remote_addrs, rewrite
# both on SIGHUP, and leave the link attached when it stops. Attaching to a missing
# interface must be a startup error naming it.
set -euo pipefail
build=${ANSWERD_BUILD_DIR:?ANSWERD_BUILD_DIR not set}
answerd=$build/userspace/daemon/answerd
answerctl=$build/tools/answerctl/answerctl
if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root (netns, veth, bpffs, XDP)"; exit 77; fi
for b in "$answerd" "$answerctl"; do
  [ -x "$b" ] || { echo "skipped: $b not built (needs the config, bpf, daemon and answerctl areas)"; exit 77; }
done
command -v bpftool > /dev/null || { echo "skipped: bpftool not installed"; exit 77; }
if [ "${ANSWERD_XDP_IN_NS:-}" != 1 ]; then
  exec unshare --net --mount --propagation private env ANSWERD_XDP_IN_NS=1 "$0" "$@"
fi
ip link set lo up
# shellcheck source=../interop/lib/interop.sh
. "$(dirname "$0")/../interop/lib/interop.sh"  # ia_answerd_conf
ip link add xa0 type veth peer name xb0
ip link set xa0 up && ip link set xb0 up
ip addr add 198.51.100.1/24 dev xa0

tmp=$(mktemp -d /tmp/answerd-xdp.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; umount -l "$tmp/bpffs" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/bpffs" && mount -t bpf bpf "$tmp/bpffs"
sock=$tmp/answerd.sock
fail() { echo "FAIL: $*"; [ -f "$tmp/answerd.log" ] && tail -20 "$tmp/answerd.log"; exit 1; }
write_config() {  # $1 interfaces, $2 init_rate, $3 remote_addrs
  ia_answerd_conf local_addrs=198.51.100.1 remote_addrs="$3" local_id=hub.example \
    secret="a long random pre-shared key for the test" control_socket="$sock" bpffs="$tmp/bpffs" \
    xdp="interfaces = $1;mode = generic;init_rate = $2;init_burst = 11" > "$tmp/answerd.conf"
}
ctl() { "$answerctl" --socket "$sock" --bpffs "$tmp/bpffs" "$@"; }
# The config map as JSON {ike_port, natt_port, flags, init_rate, init_burst}.
config_map() {
  local pin; pin=$(ls -d "$tmp"/bpffs/v*/config)
  bpftool -j map dump pinned "$pin" | python3 -c '
import json, struct, sys
e = json.load(sys.stdin)[0]
raw = bytes(int(b, 16) for b in e["value"]) if "value" in e else None
if raw is None: print(json.dumps(e["formatted"]["value"])); sys.exit()
ike, natt, flags, rate, burst = struct.unpack_from("<HHIII", raw)
print(json.dumps({"ike_port": ike, "natt_port": natt, "flags": flags, "init_rate": rate, "init_burst": burst}))'
}
allow_count() { bpftool -j map dump pinned "$(ls -d "$tmp"/bpffs/v*/allow)" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
wait_socket() { for _ in $(seq 100); do [ -S "$sock" ] && return 0; kill -0 "$pid" 2>/dev/null || return 1; sleep 0.1; done; return 1; }

# A missing interface: startup fails and says which one.
write_config nosuch0 77 "192.0.2.0/24"
rc=0; timeout 20 "$answerd" -c "$tmp/answerd.conf" 2> "$tmp/missing.log" || rc=$?
[ "$rc" -ne 0 ] || fail "answerd started with xdp interface nosuch0"
grep -q "nosuch0" "$tmp/missing.log" || { cat "$tmp/missing.log"; fail "no message naming nosuch0"; }

# 192.0.2.0/24 and the range 10.9.0.1-10.9.0.6 (= .1/32 .2/31 .4/31 .6/32): 5 prefixes.
write_config xa0 77 "192.0.2.0/24, 10.9.0.1-10.9.0.6"
"$answerd" -c "$tmp/answerd.conf" > "$tmp/answerd.log" 2>&1 &
pid=$!
wait_socket || fail "answerd did not start"
status=$(ctl -j daemon status)
echo "$status" | python3 -c '
import json, sys
x = json.load(sys.stdin)["xdp"]
assert x["attached"] == [{"ifname": "xa0", "mode": "generic"}], x
assert x["allowlist"] is True and x["allow_prefixes"] == 5, x
assert x["init_rate"] == 77 and x["init_burst"] == 11 and x["ports"] == [500, 4500], x
assert x["bpffs"].startswith(sys.argv[1]), x' "$tmp/bpffs" || fail "daemon status xdp: $status"
ls "$tmp"/bpffs/v*/links/xa0 > /dev/null || fail "no pinned link for xa0"
ip -d link show xa0 | grep -q "xdpgeneric" || fail "xa0 has no generic XDP program: $(ip -d link show xa0)"
ctl -j xdp status | grep -q '"xa0"' || fail "answerctl xdp status does not list xa0"
cfg=$(config_map)
[ "$(echo "$cfg" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["ike_port"], c["natt_port"], c["flags"] & 1, c["init_rate"], c["init_burst"])')" = "500 4500 1 77 11" ] \
  || fail "config map $cfg"
[ "$(allow_count)" = 5 ] || fail "allow map has $(allow_count) entries, want 5"

# SIGHUP: remote_addrs %any turns the allowlist off and empties it; the rate follows.
write_config xa0 33 "%any"
kill -HUP "$pid"
for _ in $(seq 50); do [ "$(config_map | python3 -c 'import json,sys; print(json.load(sys.stdin)["init_rate"])')" = 33 ] && break; sleep 0.1; done
cfg=$(config_map)
[ "$(echo "$cfg" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["flags"] & 1, c["init_rate"])')" = "0 33" ] || fail "config map after reload $cfg"
[ "$(allow_count)" = 0 ] || fail "allow map not emptied on reload"
ctl -j daemon status | grep -q '"allowlist": *false' || fail "daemon status after reload: $(ctl -j daemon status)"

# Clean stop: the pinned link stays (the filter keeps protecting across a restart).
kill -TERM "$pid"; wait "$pid" || fail "answerd exit status $?"
pid=
ls "$tmp"/bpffs/v*/links/xa0 > /dev/null || fail "pinned link removed at shutdown"
ip -d link show xa0 | grep -q "xdpgeneric" || fail "XDP detached from xa0 at shutdown"
# A restart re-adopts the link; `answerctl xdp detach` removes it.
"$answerd" -c "$tmp/answerd.conf" > "$tmp/answerd.log" 2>&1 &
pid=$!
wait_socket || fail "answerd did not restart over the pinned link"
ctl -j daemon status | grep -q '"xa0"' || fail "restart: xa0 not attached"
kill -TERM "$pid"; wait "$pid"; pid=
ctl xdp detach xa0 > /dev/null
ip -d link show xa0 | grep -q "xdpgeneric" && fail "answerctl xdp detach left the program on xa0"
echo "PASS"
