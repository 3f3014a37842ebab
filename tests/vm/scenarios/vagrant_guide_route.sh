#!/usr/bin/env bash
# VM scenario vagrant_guide_route: docs/guide-route-based.md, run as written. The
# hub's answerd.conf is the guide's ```conf block, its xfrm interfaces and routes are
# the guide's `ip` commands, and the two branches are strongSwan with the guide's
# branch configuration (branch2 derived from branch1 by its name, address and
# subnet). Namespaces joined by a bridge in "wan"; outer addresses on-link:
#
#   branch1 203.0.113.11 (10.11.0.0/24, xi0 if_id 42) --\
#                                                        br0 -- hub 198.51.100.1 eth0 (10.10.0.0/24; xi11, xi12)
#   branch2 203.0.113.12 (10.12.0.0/24, xi0 if_id 42) --/
#
# Checks: both branches establish; pings from each branch's LAN to the hub's LAN and
# to the other branch's LAN (routed xi11 <-> xi12 on the hub) succeed; the packets
# are counted on the hub's xfrm interfaces; the hub's ESP SAs carry if_id 11 and 12;
# answerctl lists two IKE SAs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
vm_init vagrant_guide_route
guide=$ANSWERD_SOURCE_DIR/docs/guide-route-based.md
answerd=${ANSWERD_BUILD_DIR:-}/userspace/daemon/answerd
answerctl=${ANSWERD_BUILD_DIR:-}/tools/answerctl/answerctl
if [ ! -x "$answerd" ] || [ ! -x "$answerctl" ]; then
  vm_skip "answerd/answerctl not built in ANSWERD_BUILD_DIR=${ANSWERD_BUILD_DIR:-}"
fi
ia_dir="$(dirname "$0")/../../interop/lib"
# shellcheck source=../../interop/lib/interop.sh
. "$ia_dir/interop.sh"
ia_init vagrant_guide_route
ia_require_strongswan openssl vici socket-default kernel-netlink
W=$IA_WORK
out=$ANSWERD_VM_OUT

# The guide's code blocks: the ```conf one, and the plain ones by what they hold.
python3 - "$guide" "$W" <<'PY' || vm_fail "cannot find the guide's blocks"
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
def pick(name, pred):
    found = [b for lang, b in blocks if pred(lang, b)]
    assert len(found) == 1, (name, len(found))
    open(f"{sys.argv[2]}/{name}", "w").write(found[0])
pick("hub.conf", lambda l, b: l == "conf")
pick("hub.sh", lambda l, b: l == "" and "ip link add xi11" in b)
pick("branch.sh", lambda l, b: l == "" and "ip link add xi0" in b)
pick("branch.swanctl", lambda l, b: l == "" and b.startswith("connections {"))
PY

ia_ns_create wan hub branch1 branch2
ns() { ia_ns "$1"; }
ip -n "$(ns wan)" link add br0 type bridge && ip -n "$(ns wan)" link set br0 up
for n in "hub 198.51.100.1/24 203.0.113.0/24" "branch1 203.0.113.11/24 198.51.100.0/24" \
  "branch2 203.0.113.12/24 198.51.100.0/24"; do
  read -r name cidr other <<<"$n"
  ip link add eth0 netns "$(ns "$name")" type veth peer name "$name" netns "$(ns wan)" || vm_fail "veth $name"
  ip -n "$(ns wan)" link set "$name" master br0 up
  ip -n "$(ns "$name")" addr add "$cidr" dev eth0
  ip -n "$(ns "$name")" link set eth0 up
  ip -n "$(ns "$name")" route add "$other" dev eth0   # on-link: one bridge for both ranges
done
lan() { ip -n "$(ns "$1")" link add lan0 type dummy && ip -n "$(ns "$1")" addr add "$2" dev lan0 && ip -n "$(ns "$1")" link set lan0 up; }
lan hub 10.10.0.1/24
lan branch1 10.11.0.1/24
lan branch2 10.12.0.1/24
vm_log "topology up"

# Hub: the guide's commands, then answerd with the guide's file (its bpffs and
# control socket at their defaults, in a mount namespace of its own).
ip netns exec "$(ns hub)" bash -e "$W/hub.sh" || vm_fail "the guide's hub commands failed: $(cat "$W/hub.sh")"
cp "$W/hub.conf" "$W/answerd.conf"
"$answerd" --check-config -c "$W/answerd.conf" >/dev/null || vm_fail "answerd rejects the guide's config"
vm_log "the guide's hub commands done, config accepted; starting answerd at $(date +%T)"
mkdir -p /run/answerd
# shellcheck disable=SC2016  # expanded by the inner sh
ia_bg_start answerd hub "$out/answerd-route.log" unshare -m --propagation private \
  sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$0" "$@"' "$answerd" -c "$W/answerd.conf" --foreground
ia_wait_until 240 test -S /run/answerd/answerd.sock || vm_fail "answerd did not start: $(tail "$out/answerd-route.log")"
vm_log "hub: xfrm interfaces and answerd up"

# Branches: the guide's commands and swanctl.conf (branch2: its name, address, subnet).
for b in branch1 branch2; do
  n=${b#branch}
  sed "s/branch1/$b/g; s/203\.0\.113\.11/203.0.113.1$n/g; s/10\.12\.0\.0/10.1$((3 - n)).0.0/g" \
    "$W/branch.sh" >"$W/$b.sh"
  sed "s/branch1/$b/g; s/203\.0\.113\.11/203.0.113.1$n/g" "$W/branch.swanctl" >"$W/$b.swanctl"
  secret=$(awk -v b="$b" '$0 ~ "ike-" b " {" {f=1} f && $1 == "secret" {print $3; exit}' "$W/hub.conf")
  printf 'secrets {\n  ike-hub {\n    id-hub = hub.example.net\n    id-b = %s.example.net\n    secret = %s\n  }\n}\n' \
    "$b" "$secret" >>"$W/$b.swanctl"
  ip netns exec "$(ns "$b")" bash -e "$W/$b.sh" || vm_fail "$b: the guide's branch commands failed"
  ia_charon_setup "$b" "$b" --kernel netlink --conf "install_routes = no"
  ia_swanctl_conf "$b" <"$W/$b.swanctl"
  ia_charon_start "$b"
  ia_swanctl_load "$b"
  ia_on_exit cp "$(ia_charon_log "$b")" "$out/charon-route-$b.log"
done
for b in branch1 branch2; do
  ia_wait_until 60 ia_ike_count_is "$b" 1 ESTABLISHED ||
    vm_fail "$b did not establish: $(ia_list_sas "$b"; tail "$(ia_charon_log "$b")")"
done
vm_log "both branches established"

vm_ping "$(ns branch1)" -I 10.11.0.1 10.10.0.1
vm_ping "$(ns branch2)" -I 10.12.0.1 10.10.0.1
vm_ping "$(ns branch1)" -I 10.11.0.1 10.12.0.1
vm_ping "$(ns hub)" -I 10.10.0.1 10.11.0.1
for x in xi11 xi12; do
  read -r rx tx <<<"$(ip -n "$(ns hub)" -s link show "$x" | awk '/RX:/ {getline; r = $2} /TX:/ {getline; t = $2} END {print r, t}')"
  vm_expect_ge "$x RX packets" "$rx" 6
  vm_expect_ge "$x TX packets" "$tx" 6
  vm_log "$x: $rx packets in, $tx out"
done
ids=$(ip -n "$(ns hub)" xfrm state | awk '$1 == "if_id" {print $2}' | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
[ "$ids" = "0xbx2 0xcx2 " ] || vm_fail "hub ESP SAs by if_id: '$ids', want two with 0xb (11) and two with 0xc (12): $(ip -n "$(ns hub)" xfrm state)"
n=$(ip netns exec "$(ns hub)" "$answerctl" -j sa list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ike_sas"]))')
[ "$n" -eq 2 ] || vm_fail "answerctl sa list: $n IKE SAs, want 2"
echo "vagrant_guide_route: docs/guide-route-based.md as written: two branches on xi11/xi12, pings LAN<->LAN and branch<->branch through the hub's xfrm interfaces"
