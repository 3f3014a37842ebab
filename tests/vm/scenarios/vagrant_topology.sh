#!/usr/bin/env bash
# VM scenario vagrant_topology: the Vagrant lab (vagrant/Vagrantfile) in network
# namespaces, set up by the very role scripts the Vagrant provisioners run
# (vagrant/provision/lan.sh, hub-up.sh, spoke-up.sh, check-hub.sh, check-spoke.sh)
# with the Vagrantfile's addresses. Namespaces hub, spoke1 and spoke2 stand for the
# VMs; their eth1 are joined by a bridge in namespace "lan" (the private network):
#
#   spoke1 192.168.56.11 (10.11.0.0/24) --\
#                                          br0 -- hub 192.168.56.10 (10.10.0.0/24): answerd, dataplane xfrm
#   spoke2 192.168.56.12 (10.12.0.0/24) --/
#
# Checks: both strongSwan spokes establish through answerd (XDP filter attached,
# generic mode, on the hub's eth1); pings from each spoke's subnet to the hub's
# subnet and to the other spoke's subnet (through the hub) cross ESP (the spoke's
# outbound SA counts them; the hub's inbound SA from each spoke too);
# `answerctl -j sa list` shows two IKE SAs; `answerctl -j peer show` counted each
# spoke's IKE_SA_INIT and IKE_AUTH; the SA engine never built a request it must not
# send (stats); IKE from a host on the network that is no spoke is dropped by XDP
# (unknown_peer) before answerd sees it; and a capture of the hub's IKE traffic
# shows that answerd sent only responses (no IKE_SA_INIT or CREATE_CHILD_SA request).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
vm_init vagrant_topology

prov=$ANSWERD_SOURCE_DIR/vagrant/provision
answerd=${ANSWERD_BUILD_DIR:-}/userspace/daemon/answerd
answerctl=${ANSWERD_BUILD_DIR:-}/tools/answerctl/answerctl
if [ ! -x "$answerd" ] || [ ! -x "$answerctl" ]; then
  vm_skip "answerd/answerctl not built in ANSWERD_BUILD_DIR=${ANSWERD_BUILD_DIR:-} (daemon, sa, xfrm, bpf, answerctl areas)"
fi
if [ ! -x /usr/lib/ipsec/charon ] || ! command -v swanctl >/dev/null; then
  vm_skip "needs strongSwan (strongswan-charon, strongswan-swanctl)"
fi
command -v tcpdump >/dev/null || vm_skip "needs tcpdump"

# The Vagrantfile's addresses (HUB, SPOKES there).
hub=192.168.56.10 s1=192.168.56.11 s2=192.168.56.12
psk="answerd lab pre-shared key: vagrant_topology"
spokes=(--spoke "spoke1,$s1,10.11.0.0/24" --spoke "spoke2,$s2,10.12.0.0/24")
W=/tmp/vagrant-topology
mkdir -p "$W"
out=$ANSWERD_VM_OUT

vm_ns lan hub spoke1 spoke2
ip -n lan link add br0 type bridge || vm_fail "bridge br0"
ip -n lan link set br0 up
for n in "hub $hub" "spoke1 $s1" "spoke2 $s2"; do
  read -r ns a <<<"$n"
  ip link add eth1 netns "$ns" type veth peer name "$ns" netns lan || vm_fail "veth $ns"
  ip -n lan link set "$ns" master br0 up
  ip -n "$ns" addr add "$a/24" dev eth1
  ip -n "$ns" link set eth1 up
done
ip netns exec hub "$prov/lan.sh" 10.10.0.1/24
ip netns exec spoke1 "$prov/lan.sh" 10.11.0.1/24
ip netns exec spoke2 "$prov/lan.sh" 10.12.0.1/24
vm_log "topology up"

# `ip netns exec` mounts its own /sys: answerd's maps go to a bpffs of the scenario.
mkdir -p "$W/bpffs" && mount -t bpf bpf "$W/bpffs"
ip netns exec hub tcpdump -i eth1 -U -s 0 -w "$out/hub-ike.pcap" 'udp port 500 or udp port 4500' \
  >"$W/tcpdump.log" 2>&1 &
tcpdump_pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$W/tcpdump.log" && break; sleep 0.1; done

ip netns exec hub "$prov/hub-up.sh" --addr $hub --lan 10.10.0.0/24 "${spokes[@]}" --psk "$psk" \
  --dir "$W/hub" --log "$out/answerd.log" --answerd "$answerd" --socket "$W/hub/answerd.sock" \
  --bpffs "$W/bpffs" --log-level debug || vm_fail "hub-up.sh"
vm_log "answerd up on the hub"

# spoke_up NAME ADDR LAN REMOTE: spoke-up.sh in the spoke's namespace, in a mount
# namespace with its own /run (charon's pid file), vici socket in its folder.
spoke_up() {
  ip netns exec "$1" unshare -m --propagation private \
    bash -c 'mount -t tmpfs run /run && exec "$@"' spoke-up "$prov/spoke-up.sh" \
    --name "$1" --addr "$2" --lan "$3" --hub $hub --remote "$4" --psk "$psk" \
    --dir "$W/$1" --vici "$W/$1/charon.vici" --timeout 60 ||
    { cp "$W/$1/charon.log" "$out/charon-$1.log" 2>/dev/null; vm_fail "spoke-up.sh $1"; }
}
# Both at once, as two VMs would (each charon takes a while to start under TCG).
spoke_up spoke1 $s1 10.11.0.0/24 10.10.0.0/24,10.12.0.0/24 &
p1=$!
spoke_up spoke2 $s2 10.12.0.0/24 10.10.0.0/24,10.11.0.0/24 &
p2=$!
wait "$p1" || vm_fail "spoke1 did not establish"
wait "$p2" || vm_fail "spoke2 did not establish"
for s in spoke1 spoke2; do cp "$W/$s/charon.log" "$out/charon-$s.log"; done
vm_log "both spokes established"

ctl() { ip netns exec hub "$answerctl" --socket "$W/hub/answerd.sock" --bpffs "$W/bpffs" "$@"; }
# hub_in_packets SRC: packets the hub received on its ESP SA(s) from SRC.
hub_in_packets() {
  ip -n hub -s xfrm state list src "$1" dst $hub proto esp |
    awk '/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ { gsub(/[(),a-z]/, " "); n += $2 } END { print n + 0 }'
}
in1=$(hub_in_packets $s1) in2=$(hub_in_packets $s2)
ip netns exec spoke1 "$prov/check-spoke.sh" --addr $s1 --hub $hub --from 10.11.0.1 \
  --ping 10.10.0.1,10.12.0.1 || vm_fail "check-spoke.sh spoke1"
ip netns exec spoke2 "$prov/check-spoke.sh" --addr $s2 --hub $hub --from 10.12.0.1 \
  --ping 10.10.0.1,10.11.0.1 || vm_fail "check-spoke.sh spoke2"
# Each spoke sent 6 echo requests into its tunnel and the hub relayed the other
# spoke's 3 replies into it: at least 6 in on each inbound SA of the hub.
vm_expect_ge "hub: packets in from spoke1" $(($(hub_in_packets $s1) - in1)) 6
vm_expect_ge "hub: packets in from spoke2" $(($(hub_in_packets $s2) - in2)) 6
n=$(ip -n hub -o xfrm state | grep -c 'proto esp' || true)
[ "$n" -eq 4 ] || vm_fail "hub: $n ESP SAs in the kernel, want 4: $(ip -n hub xfrm state)"
vm_log "pings hub<->spokes and spoke1<->spoke2 through ESP"

ip netns exec hub "$prov/check-hub.sh" --addr $hub "${spokes[@]}" --answerctl "$answerctl" \
  --socket "$W/hub/answerd.sock" --bpffs "$W/bpffs" || vm_fail "check-hub.sh"
n=$(ctl -j sa list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ike_sas"]))')
[ "$n" -eq 2 ] || vm_fail "answerctl sa list: $n IKE SAs, want 2"
ctl stats show

# A host on the private network that is no spoke: its IKE_SA_INIT requests (bare
# 28-byte headers) are dropped by XDP as unknown_peer and never reach answerd.
ip -n lan addr add 192.168.56.99/24 dev br0
ike_received() {
  ctl -j stats show | python3 -c 'import json,sys; d=json.load(sys.stdin)["daemon"]; print(d.get("daemon", d)["ike"]["received"])'
}
received=$(ike_received)
for _ in 1 2 3; do
  ip netns exec lan bash -c "printf '\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\0\\0\\0\\0\\0\\0\\0\\0\\x21\\x20\\x22\\x08\\0\\0\\0\\0\\0\\0\\0\\x1c' >/dev/udp/$hub/500"
done
sleep 0.5
unknown=$(ctl -j peer show 192.168.56.99 | python3 -c 'import json,sys; p=json.load(sys.stdin)["peers"]; print(p[0]["unknown_peer"] if p else 0)')
vm_expect_ge "XDP unknown_peer drops for 192.168.56.99" "$unknown" 3
[ "$(ike_received)" = "$received" ] || vm_fail "IKE from a host that is no spoke reached answerd ($received -> $(ike_received))"
vm_log "XDP dropped $unknown IKE_SA_INIT from a host that is no spoke (unknown_peer)"

# What answerd put on the wire: responses only, and at least the four answers of
# two IKE_SA_INIT + IKE_AUTH exchanges.
sleep 0.5
{ kill -INT "$tcpdump_pid"; wait "$tcpdump_pid"; } || true
ctl -j ike decode --pcap "$out/hub-ike.pcap" >"$W/decoded.json" || vm_fail "answerctl ike decode --pcap"
python3 - "$W/decoded.json" "$hub" <<'PY' || vm_fail "answerd's IKE traffic (above)"
import json, sys
msgs = json.load(open(sys.argv[1]))["messages"]
hub = sys.argv[2]
sent = [m for m in msgs if m["source"].split(":")[0] == hub]
bad = [m for m in sent if not m["response"] and m["exchange"] != "INFORMATIONAL"]
answers = {e: len([m for m in sent if m["response"] and m["exchange"] == e]) for e in ("IKE_SA_INIT", "IKE_AUTH")}
got = [m for m in msgs if m["source"].split(":")[0] != hub]
inits = len([m for m in got if m["exchange"] == "IKE_SA_INIT" and not m["response"]])
print(f"capture: {len(msgs)} IKE messages, {len(sent)} from answerd, answers {answers}, {inits} IKE_SA_INIT requests from spokes")
if bad:
    sys.exit(f"answerd sent requests it must never send: {[(m['exchange'], m['frame']) for m in bad]}")
if answers["IKE_SA_INIT"] < 2 or answers["IKE_AUTH"] < 2:
    sys.exit(f"want at least 2 IKE_SA_INIT and 2 IKE_AUTH responses from answerd: {answers}")
PY
kill -0 "$(cat "$W/hub/answerd.pid")" 2>/dev/null || vm_fail "answerd exited"
echo "vagrant_topology: two strongSwan spokes through answerd (xfrm, XDP on eth1), pings hub<->spokes and spoke<->spoke through ESP, answerd sent only responses"
