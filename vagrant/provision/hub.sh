#!/usr/bin/env bash
# Vagrant provisioner of the `hub` VM: installs the build and run dependencies with
# the project's scripts/install-deps, builds answerd and answerctl from the synced
# tree into /var/lib/answerd/build, installs them in /usr/local/sbin, gives the hub
# its protected subnet (lan.sh) and configures and starts answerd as the
# responder-only hub (hub-up.sh). Idempotent: a re-run rebuilds what changed and
# restarts answerd.
#
#   hub.sh --addr HUB_ADDR --lan GATEWAY_CIDR --spoke NAME,ADDR,NET [--spoke ...] --psk PSK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
addr="" lan="" psk="" spokes=()
while [ $# -gt 0 ]; do
  case $1 in
    --addr) addr=$2 ;;
    --lan) lan=$2 ;;
    --spoke) spokes+=(--spoke "$2") ;;
    --psk) psk=$2 ;;
    *) pv_fail "unknown option $1" ;;
  esac
  shift 2 || pv_fail "option $1 needs a value"
done
pv_need addr "$addr"
pv_need lan "$lan"
[ "$(id -u)" -eq 0 ] || pv_fail "run as root"

pv_log "installing dependencies (scripts/install-deps)"
"$top/scripts/install-deps"
build=/var/lib/answerd/build
pv_log "building answerd and answerctl in $build"
cmake -S "$top" -B "$build" -G Ninja -DANSWERD_TESTS=OFF -DANSWERD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target answerd answerctl | tail -n 1
install -m 755 "$build/userspace/daemon/answerd" /usr/local/sbin/answerd
install -m 755 "$build/tools/answerctl/answerctl" /usr/local/sbin/answerctl
if [ -d /usr/share/bash-completion/completions ] && [ -f "$top/tools/answerctl/answerctl.bash" ]; then
  install -m 644 "$top/tools/answerctl/answerctl.bash" /usr/share/bash-completion/completions/answerctl
fi

"$here/lan.sh" "$lan"
"$here/hub-up.sh" --addr "$addr" --lan "$(pv_net_of "$lan")" "${spokes[@]}" --psk "$psk" \
  --dir /etc/answerd --log /var/log/answerd.log --answerd /usr/local/sbin/answerd
