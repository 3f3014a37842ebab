#!/usr/bin/env bash
# answerctl over the XDP maps and links, end to end: in private mount and network
# namespaces (own bpffs on /sys/fs/bpf, own veth pair), `answerctl xdp attach`,
# real UDP from a peer namespace, `peer show`, `stats show`, `peer reset`,
# `xdp status`, `xdp detach`, and answerctl with nothing loaded.
#   tests/bpf/answerctl_xdp_test.sh [ANSWERCTL]
set -uo pipefail
actl=${1:-${ANSWERD_BUILD_DIR:-build}/tools/answerctl/answerctl}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (bpffs, XDP, namespaces)"; exit 77; }
[ -x "$actl" ] || { echo "SKIP: no answerctl at $actl (build the answerctl area)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: needs python3 to send UDP"; exit 77; }
if [ "${ANSWERCTL_XDP_INNER:-}" != 1 ]; then
  exec env ANSWERCTL_XDP_INNER=1 unshare -m -n bash "$0" "$(realpath "$actl")"
fi

fail() { echo "FAIL: $*"; exit 1; }
mount --make-rprivate / && mount -t bpf bpf /sys/fs/bpf || fail "private bpffs"
ip link set lo up
peer=axp$$
ip netns add "$peer" || fail "netns"
trap 'ip netns del "$peer" 2>/dev/null' EXIT
ip link add ans0 type veth peer name peer0 netns "$peer"
ip addr add 198.18.1.1/24 dev ans0 && ip link set ans0 up
ip -n "$peer" addr add 198.18.1.2/24 dev peer0 && ip -n "$peer" link set peer0 up

out=$("$actl" -j peer show 2>&1) && fail "peer show with nothing pinned succeeded: $out"
echo "$out" | grep -q '"error"' || fail "no JSON error: $out"
"$actl" xdp status | grep -q "not attached" || fail "status before attach"

"$actl" xdp attach ans0 mode native || fail "attach"
"$actl" -j xdp status | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["maps_pinned"] and d["links"][0]["dev"] == "ans0" and d["links"][0]["mode"] == "native", d
' || fail "status after attach"

# IKE_SA_INIT (I flag) twice, and one message with the I flag clear (role violation).
ip netns exec "$peer" python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.2", 5500))
def ike(spi, exch, flags, mid, spi_r=0):
    return struct.pack("!QQBBBBII", spi, spi_r, 33, 0x20, exch, flags, mid, 28)
for m in (ike(1, 34, 0x08, 0), ike(2, 34, 0x08, 0), ike(3, 35, 0x00, 1, 9)):
    s.sendto(m, ("198.18.1.1", 500))
PY
sleep 0.5
"$actl" -j peer show 198.18.1.2 | python3 -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]
assert p["addr"] == "198.18.1.2" and p["ike_sa_init"] == 2 and p["role_violation"] == 1, p
assert p["bytes"] == 3 * (14 + 20 + 8 + 28) and p["last_seen_ns"] >= p["first_seen_ns"] > 0, p
' || fail "peer show counters"
"$actl" peer sh | grep -q "role_violation 1" || fail "plain peer show (abbreviated)"
"$actl" -j stats show | python3 -c '
import json, sys
x = json.load(sys.stdin)["xdp"]
assert x["ike_sa_init"] == 2 and x["dropped"] == 1 and x["passed"] == 2 and x["peers"] == 1, x
' || fail "stats show"
"$actl" peer reset 198.18.1.2 | grep -q "1 peer" || fail "peer reset ADDR"
"$actl" -j peer show | grep -q '"peers":\[\]' || fail "peers left after reset"
"$actl" xdp detach ans0 || fail "detach"
"$actl" xdp status | grep -q "not attached" || fail "status after detach"
out=$("$actl" xdp detach ans0 2>&1) && fail "second detach succeeded"
echo "$out" | grep -q "no answerd XDP link" || fail "second detach: $out"
echo "answerctl xdp/peer/stats: ok"
