#!/usr/bin/env bash
# lan.sh CIDR [DEV]: give this machine the protected subnet it stands for, as the
# gateway address CIDR (e.g. 10.11.0.1/24) on a dummy interface DEV (default lan0),
# and turn on IPv4 forwarding so that it can route between its tunnels and that
# subnet. Idempotent. Run by the Vagrant provisioners and, inside each namespace,
# by tests/vm/scenarios/vagrant_topology.sh.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cidr=${1:-}
dev=${2:-lan0}
pv_need cidr "$cidr"
ip link show "$dev" >/dev/null 2>&1 || ip link add "$dev" type dummy
ip addr replace "$cidr" dev "$dev"
ip link set "$dev" up
sysctl -qw net.ipv4.ip_forward=1
pv_log "$dev: $cidr, forwarding on"
