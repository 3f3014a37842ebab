#!/usr/bin/env bash
# Vagrant provisioner of a spoke VM (`spoke1`, `spoke2`): installs strongSwan from
# Debian, gives the spoke its protected subnet (lan.sh), then configures and starts
# charon as the initiator of one tunnel to the hub and waits until it is up
# (spoke-up.sh). Idempotent: a re-run restarts charon.
#
#   spoke.sh --name NAME --addr ADDR --lan GATEWAY_CIDR --hub HUB_ADDR --remote NETS --psk PSK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
name="" addr="" lan="" hub="" remote="" psk=""
while [ $# -gt 0 ]; do
  case $1 in
    --name) name=$2 ;;
    --addr) addr=$2 ;;
    --lan) lan=$2 ;;
    --hub) hub=$2 ;;
    --remote) remote=$2 ;;
    --psk) psk=$2 ;;
    *) pv_fail "unknown option $1" ;;
  esac
  shift 2 || pv_fail "option $1 needs a value"
done
for o in name addr lan hub remote psk; do pv_need "$o" "${!o}"; done
[ "$(id -u)" -eq 0 ] || pv_fail "run as root"

# The strongSwan packages of scripts/deps.d (test.txt, interop.txt) that a spoke needs.
pkgs=(strongswan-charon strongswan-swanctl libstrongswan-standard-plugins iproute2 iputils-ping python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  pv_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$here/lan.sh" "$lan"
# The hub may still be building answerd: charon retries until it answers.
"$here/spoke-up.sh" --name "$name" --addr "$addr" --lan "$(pv_net_of "$lan")" --hub "$hub" \
  --remote "$remote" --psk "$psk" --dir /etc/answerd-spoke --timeout 600
