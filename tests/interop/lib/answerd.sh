# shellcheck shell=bash
# answerd as the responder in a namespace: start it and query its control socket.

# ia_answerd_start BIN NS CONF SOCK LOG [ARGS...]: checks CONF with --check-config,
# starts answerd BIN in namespace NS as background process "answerd", and waits
# until it listens on UDP 500 and its control socket SOCK exists (within
# IA_ANSWERD_START_TIMEOUT seconds, default 10; more under valgrind). Stopped at exit.
ia_answerd_start() {
  local bin=$1 ns=$2 conf=$3 sock=$4 log=$5
  shift 5
  "$bin" --check-config -c "$conf" >/dev/null || ia_fail "answerd rejects $conf: $("$bin" --check-config -c "$conf" 2>&1)"
  ia_bg_start answerd "$ns" "$log" "$bin" -c "$conf" "$@"
  ia_wait_udp "$ns" 500 "${IA_ANSWERD_START_TIMEOUT:-10}" || ia_fail "answerd does not listen on UDP 500"
  ia_wait_until "${IA_ANSWERD_START_TIMEOUT:-10}" test -S "$sock" || ia_fail "answerd did not open its control socket $sock"
}

# ia_answerd_query SOCK COMMAND PYTHON-ASSERTION: one request on answerd's control
# socket (protocol version 1); the assertion is evaluated on the response `r`.
ia_answerd_query() { python3 "$IA_LIB/control_query.py" "$@"; }

# ia_answerd_value SOCK COMMAND EXPR: print the value of the Python expression EXPR
# on the response `r` to COMMAND (JSON for lists and objects).
ia_answerd_value() { python3 "$IA_LIB/control_query.py" --print "$@"; }

# ia_answerd_stat SOCK NAME: print the SA engine counter NAME from "stats show"
# (ike_established, ike_rekeyed, retransmits_answered, cookies_sent, ...).
ia_answerd_stat() {
  python3 "$IA_LIB/control_query.py" --print "$1" "stats show" "r['result']['daemon']['ike']['sa']['$2']"
}

# ia_answerd_ike_count SOCK [STATE]: number of IKE SAs answerd lists (in STATE).
ia_answerd_ike_count() {
  python3 "$IA_LIB/control_query.py" --print "$1" "sa list" \
    "len([s for s in r['result']['ike_sas'] if '${2:-}' in ('', s['state'])])"
}

# ia_answerd_bin: the answerd binary of the build (ANSWERD_BUILD_DIR), or skip.
ia_answerd_bin() {
  local b=${ANSWERD_BUILD_DIR:-}/userspace/daemon/answerd
  [ -n "${ANSWERD_BUILD_DIR:-}" ] && [ -x "$b" ] ||
    ia_skip "answerd not built (ANSWERD_BUILD_DIR=${ANSWERD_BUILD_DIR:-}; needs the daemon, sa and xfrm areas)"
  echo "$b"
}

# ia_answerd_conf KEY=VALUE...: print an answerd.conf with one PSK connection and
# one child, and the answerd section. Keys and defaults:
#   conn (hub)  local_addrs (%any)  remote_addrs (%any)
#   proposals (aes256gcm16-prfsha256-x25519)  esp_proposals (aes256gcm16)
#   local_id (resp.answerd.test)  remote_id (ini.answerd.test)  secret (required)
#   child (net)  local_ts (10.2.0.0/24)  remote_ts (10.1.0.0/24)
#   control_socket (required)  dataplane (none)
#   conn_extra / child_extra / daemon_extra: raw lines ("key = value", ';' separates)
ia_answerd_conf() {
  local kv
  local -A o=([conn]=hub [local_addrs]=%any [remote_addrs]=%any
    [proposals]=aes256gcm16-prfsha256-x25519 [esp_proposals]=aes256gcm16
    [local_id]=resp.answerd.test [remote_id]=ini.answerd.test [secret]=""
    [child]=net [local_ts]=10.2.0.0/24 [remote_ts]=10.1.0.0/24 [control_socket]=""
    [dataplane]=none [conn_extra]="" [child_extra]="" [daemon_extra]="")
  for kv in "$@"; do
    [ -n "${o[${kv%%=*}]+set}" ] || ia_fail "ia_answerd_conf: unknown key '${kv%%=*}'"
    o[${kv%%=*}]=${kv#*=}
  done
  [ -n "${o[secret]}" ] && [ -n "${o[control_socket]}" ] ||
    ia_fail "ia_answerd_conf: secret and control_socket are required"
  cat <<CONF
connections {
  ${o[conn]} {
    local_addrs = ${o[local_addrs]}
    remote_addrs = ${o[remote_addrs]}
    proposals = ${o[proposals]}
$(ia_conf_lines "    " "${o[conn_extra]}")
    local {
      auth = psk
      id = ${o[local_id]}
    }
    remote {
      auth = psk
      id = ${o[remote_id]}
    }
    children {
      ${o[child]} {
        local_ts = ${o[local_ts]}
        remote_ts = ${o[remote_ts]}
        esp_proposals = ${o[esp_proposals]}
$(ia_conf_lines "        " "${o[child_extra]}")
      }
    }
  }
}
secrets {
  ike-${o[conn]} {
    id-local = ${o[local_id]}
    id-remote = ${o[remote_id]}
    secret = "${o[secret]}"
  }
}
answerd {
  dataplane = ${o[dataplane]}
  control_socket = ${o[control_socket]}
$(ia_conf_lines "  " "${o[daemon_extra]}")
}
CONF
}

# ia_answerctl SOCK ARGS...: answerctl of the build (ANSWERD_BUILD_DIR) against the
# control socket SOCK, e.g. `ia_answerctl "$sock" -j sa list`; returns 127 (and
# prints nothing) when answerctl is not built.
ia_answerctl() {
  local bin=${ANSWERD_BUILD_DIR:-}/tools/answerctl/answerctl sock=$1
  shift
  [ -x "$bin" ] || return 127
  "$bin" --socket "$sock" "$@"
}
