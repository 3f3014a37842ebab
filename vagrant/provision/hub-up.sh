#!/usr/bin/env bash
# hub-up.sh: configure and (re)start answerd as a responder-only hub for spokes
# that each protect one subnet (policy-based, dataplane = xfrm), with answerd's XDP
# filter on the interface that carries the hub's address.
#
#   hub-up.sh --addr HUB_ADDR --lan HUB_NET --spoke NAME,ADDR,NET [--spoke ...]
#             --psk PSK [--dir DIR] [--log FILE] [--answerd BIN] [--socket PATH]
#             [--bpffs DIR] [--xdp-mode generic|native] [--log-level LEVEL]
#
# One connection per spoke: remote_addrs is the spoke's address (so the XDP
# allowlist drops every other source), identities NAME.answerd.lab and
# hub.answerd.lab, one Child SA whose local_ts is the hub's subnet and every other
# spoke's (spoke-to-spoke traffic goes through the hub), remote_ts the spoke's.
# A route to each spoke's subnet via the spoke's address is added: XFRM policies
# are looked up after routing, so the kernel needs a route before it encrypts.
# Writes DIR/answerd.conf (default /etc/answerd), checks it with --check-config,
# stops an answerd started earlier by this script (DIR/answerd.pid) and starts
# answerd detached, then waits for its control socket. Run by vagrant/provision/hub.sh
# and by tests/vm/scenarios/vagrant_topology.sh.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
addr="" lan="" psk="" dir=/etc/answerd log="" answerd="" sock=/run/answerd/answerd.sock
bpffs=/sys/fs/bpf/answerd xdp_mode=generic level=info spokes=()
while [ $# -gt 0 ]; do
  case $1 in
    --addr) addr=$2 ;;
    --lan) lan=$2 ;;
    --spoke) spokes+=("$2") ;;
    --psk) psk=$2 ;;
    --dir) dir=$2 ;;
    --log) log=$2 ;;
    --answerd) answerd=$2 ;;
    --socket) sock=$2 ;;
    --bpffs) bpffs=$2 ;;
    --xdp-mode) xdp_mode=$2 ;;
    --log-level) level=$2 ;;
    *) pv_fail "unknown option $1" ;;
  esac
  shift 2 || pv_fail "option $1 needs a value"
done
pv_need addr "$addr"
pv_need lan "$lan"
pv_need psk "$psk"
[ ${#spokes[@]} -gt 0 ] || pv_fail "no --spoke NAME,ADDR,NET given"
answerd=${answerd:-$(command -v answerd || true)}
[ -x "$answerd" ] || pv_fail "answerd binary not found (--answerd BIN)"
log=${log:-$dir/answerd.log}
dev=$(pv_iface_of "$addr")
mkdir -p "$dir" "$(dirname "$sock")"

# spoke_conn NAME ADDR NET: the connection for one spoke.
spoke_conn() {
  local name=$1 saddr=$2 snet=$3 s others=()
  for s in "${spokes[@]}"; do
    IFS=, read -r _ _ n <<<"$s"
    [ "$n" = "$snet" ] || others+=("$n")
  done
  local_ts=$(IFS=,; echo "$lan${others[*]:+,${others[*]}}")
  cat <<CONF
  $name {
    version = 2
    local_addrs = $addr
    remote_addrs = $saddr
    proposals = aes256gcm16-prfsha256-x25519, aes128-sha256-modp2048
    unique = replace
    local {
      auth = psk
      id = hub.answerd.lab
    }
    remote {
      auth = psk
      id = $name.answerd.lab
    }
    children {
      net {
        local_ts = ${local_ts//,/, }
        remote_ts = $snet
        esp_proposals = aes256gcm16, aes128-sha256
        mode = tunnel
      }
    }
  }
CONF
}

conf=$dir/answerd.conf
{
  echo "# Written by vagrant/provision/hub-up.sh: answerd as the hub of ${#spokes[@]} spokes."
  echo "connections {"
  for s in "${spokes[@]}"; do
    IFS=, read -r name saddr snet <<<"$s"
    [ -n "$snet" ] || pv_fail "--spoke $s: want NAME,ADDR,NET"
    spoke_conn "$name" "$saddr" "$snet"
  done
  echo "}"
  echo "secrets {"
  for s in "${spokes[@]}"; do
    IFS=, read -r name _ _ <<<"$s"
    printf '  ike-%s {\n    id-hub = hub.answerd.lab\n    id-spoke = %s.answerd.lab\n    secret = "%s"\n  }\n' \
      "$name" "$name" "$psk"
  done
  echo "}"
  cat <<CONF
answerd {
  dataplane = xfrm
  control_socket = $sock
  bpffs = $bpffs
  xdp {
    interfaces = $dev
    mode = $xdp_mode
  }
}
CONF
} >"$conf.new"
chmod 600 "$conf.new"
"$answerd" --check-config -c "$conf.new" >&2 || pv_fail "answerd rejects the generated $conf.new"
mv "$conf.new" "$conf"

for s in "${spokes[@]}"; do
  IFS=, read -r _ saddr snet <<<"$s"
  ip route replace "$snet" via "$saddr"
done

pv_stop_pidfile "$dir/answerd.pid"
rm -f "$sock"
pv_start_bg "$dir/answerd.pid" "$log" "$answerd" -c "$conf" --foreground --log-level "$level"
pv_wait 120 test -S "$sock" ||
  pv_fail "answerd did not open $sock: $(tail -n 20 "$log" 2>/dev/null)"
pv_log "answerd (pid $(cat "$dir/answerd.pid")) answers on $addr ($dev, XDP $xdp_mode) for ${#spokes[@]} spokes; config $conf, log $log"
