#!/usr/bin/env bash
# check-hub.sh: assert, from the hub, that every spoke has its tunnel through
# answerd and that the XDP filter saw it, and print what an operator would look at.
#
#   check-hub.sh --addr HUB_ADDR --spoke NAME,ADDR,NET [--spoke ...]
#                [--answerctl BIN] [--socket PATH] [--bpffs DIR] [--quiet]
#
# Checks: `answerctl -j sa list` has exactly one ESTABLISHED IKE SA per spoke
# (role responder, rekey false) with an INSTALLED Child SA whose remote_ts is the
# spoke's subnet; answerd's XDP filter is attached to the interface of HUB_ADDR;
# `answerctl -j peer show` counted at least one IKE_SA_INIT and one IKE_AUTH from
# each spoke and dropped nothing from it; the daemon's SA engine never refused to
# send a request (invariant_dropped = 0: answerd builds no IKE_SA_INIT or
# CREATE_CHILD_SA request). Then prints `answerctl sa list` and `peer show`.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
addr="" answerctl="" sock=/run/answerd/answerd.sock bpffs=/sys/fs/bpf/answerd quiet=0 spokes=()
while [ $# -gt 0 ]; do
  case $1 in
    --addr) addr=$2 ;;
    --spoke) spokes+=("$2") ;;
    --answerctl) answerctl=$2 ;;
    --socket) sock=$2 ;;
    --bpffs) bpffs=$2 ;;
    --quiet) quiet=1; shift; continue ;;
    *) pv_fail "unknown option $1" ;;
  esac
  shift 2 || pv_fail "option $1 needs a value"
done
pv_need addr "$addr"
[ ${#spokes[@]} -gt 0 ] || pv_fail "no --spoke NAME,ADDR,NET given"
answerctl=${answerctl:-$(command -v answerctl || true)}
[ -x "$answerctl" ] || pv_fail "answerctl binary not found (--answerctl BIN)"
dev=$(pv_iface_of "$addr")
ctl() { "$answerctl" --socket "$sock" --bpffs "$bpffs" "$@"; }

sa=$(ctl -j sa list) || pv_fail "answerctl sa list: $sa"
peers=$(ctl -j peer show) || pv_fail "answerctl peer show: $peers"
xdp=$(ctl -j xdp status) || pv_fail "answerctl xdp status: $xdp"
stats=$(ctl -j stats show) || pv_fail "answerctl stats show: $stats"
python3 - "$dev" "$sa" "$peers" "$xdp" "$stats" "${spokes[@]}" <<'PY' || pv_fail "hub checks failed (above)"
import ipaddress, json, sys
dev, sa, peers, xdp, stats = sys.argv[1], *map(json.loads, sys.argv[2:6])
spokes = [s.split(",") for s in sys.argv[6:]]
bad = []
ike = sa["ike_sas"]
if len(ike) != len(spokes):
    bad.append(f"{len(ike)} IKE SAs, want {len(spokes)} (one per spoke)")
for name, addr, net in spokes:
    mine = [s for s in ike if s["remote"]["addr"] == addr]
    if len(mine) != 1:
        bad.append(f"{name}: {len(mine)} IKE SAs from {addr}, want 1")
        continue
    s = mine[0]
    if s["state"] != "ESTABLISHED" or s["role"] != "responder" or s["rekey"] is not False:
        bad.append(f"{name}: state {s['state']} role {s['role']} rekey {s['rekey']}")
    n = ipaddress.ip_network(net)
    forms = {net, f"{n.network_address}-{n.broadcast_address}"}  # CIDR or range
    kids = [c for c in s["child_sas"] if c["state"] == "INSTALLED" and forms & set(c["remote_ts"])]
    if not kids:
        bad.append(f"{name}: no INSTALLED Child SA for {net}: {s['child_sas']}")
    p = [x for x in peers["peers"] if x["addr"] == addr]
    if not p:
        bad.append(f"{name}: XDP has no counters for {addr}")
        continue
    p = p[0]
    if p["ike_sa_init"] < 1 or p["ike_auth"] < 1:
        bad.append(f"{name}: XDP counted ike_sa_init {p['ike_sa_init']}, ike_auth {p['ike_auth']}")
    drops = {k: p[k] for k in ("malformed", "unknown_peer", "role_violation", "unsolicited_response") if p[k]}
    if drops:
        bad.append(f"{name}: XDP dropped packets of a well-behaved spoke: {drops}")
if dev not in [l["dev"] for l in xdp["links"]]:
    bad.append(f"XDP not attached to {dev}: {xdp['links']}")
d = stats.get("daemon", {})
engine = d.get("daemon", d).get("ike", {}).get("sa", {})
if "invariant_dropped" not in engine:
    bad.append(f"no SA engine counters in stats show: {stats.get('daemon')}")
elif engine["invariant_dropped"] != 0:
    bad.append(f"answerd built {engine['invariant_dropped']} requests it must never send")
for b in bad:
    print("check-hub:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
if [ "$quiet" = 0 ]; then
  ctl sa list
  ctl peer show
fi
pv_log "hub: ${#spokes[@]} spokes ESTABLISHED through answerd, XDP on $dev counted them"
