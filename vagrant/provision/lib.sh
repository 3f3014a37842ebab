# shellcheck shell=bash
# Helpers shared by the role scripts in this folder (hub-up.sh, spoke-up.sh,
# check-*.sh, lan.sh): logging, failing, polling, option parsing checks and
# finding the interface that carries an address. The role scripts are what the
# Vagrant VMs run and what tests/vm/scenarios/vagrant_topology.sh runs inside
# network namespaces: everything machine-specific comes in as a parameter.

# Prefixes log lines with the calling script's name.
PV_NAME=${PV_NAME:-$(basename "$0" .sh)}

pv_log() { echo "[$PV_NAME] $*" >&2; }
pv_fail() {
  echo "[$PV_NAME] FAIL: $*" >&2
  exit 1
}

# pv_need NAME VALUE: fail unless the option --NAME was given a value.
pv_need() { [ -n "$2" ] || pv_fail "missing --$1 (see the usage at the top of $0)"; }

# pv_wait SECONDS CMD [ARGS...]: poll CMD every 0.2 s until it succeeds; 1 if it
# did not within SECONDS.
pv_wait() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# pv_iface_of ADDR: the interface that carries local address ADDR.
pv_iface_of() {
  local dev
  dev=$(ip -o addr show to "$1" | awk '{print $2; exit}')
  [ -n "$dev" ] || pv_fail "no interface carries $1 here (ip -o addr: $(ip -o addr | awk '{print $2, $4}' | tr '\n' ' '))"
  echo "$dev"
}

# pv_first_addr CIDR: the address part of CIDR (10.1.0.1/24 -> 10.1.0.1).
pv_first_addr() { echo "${1%/*}"; }

# pv_net_of CIDR: the network of an IPv4 CIDR (10.1.0.1/24 -> 10.1.0.0/24).
pv_net_of() {
  local a=${1%/*} len=${1#*/} i n=0 o
  IFS=. read -r -a o <<<"$a"
  for i in 0 1 2 3; do n=$(((n << 8) | o[i])); done
  n=$((n & ~((1 << (32 - len)) - 1) & 0xffffffff))
  echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))/$len"
}

# pv_stop_pidfile FILE: stop the process named in FILE (TERM, KILL after 5 s).
pv_stop_pidfile() {
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    pv_wait 5 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

# pv_start_bg PIDFILE LOG CMD [ARGS...]: start CMD detached (own session, stdin
# from /dev/null, output appended to LOG), its pid in PIDFILE.
pv_start_bg() {
  local pidfile=$1 log=$2
  shift 2
  setsid "$@" </dev/null >>"$log" 2>&1 &
  echo $! >"$pidfile"
}

# pv_options "NAME..." ARGS...: parse ARGS, pairs "--NAME VALUE" with NAME one of
# the listed names, into the shell variables of those names (a dash in NAME is an
# underscore in the variable). Unknown options and missing values fail.
pv_options() {
  local names=" $1 " opt
  shift
  while [ $# -gt 0 ]; do
    opt=${1#--}
    [[ $1 == --* && $names == *" $opt "* ]] || pv_fail "unknown option $1"
    [ $# -ge 2 ] || pv_fail "option $1 needs a value"
    printf -v "${opt//-/_}" '%s' "$2"
    shift 2
  done
}
