# shellcheck shell=bash
# shellcheck disable=SC2034  # IA_* globals are set here for the tests that source this
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

# ia_answerd_conf KEY=VALUE...: print an answerd.conf with one connection (one
# child unless child is empty), its secret and the answerd section. Keys, defaults:
#   conn (hub)  local_addrs (%any)  remote_addrs (%any)
#   proposals (aes256gcm16-prfsha256-x25519)  esp_proposals (aes256gcm16)
#   auth (psk | pubkey)  local_id (resp.answerd.test)  remote_id (ini.answerd.test)
#   secret (psk: required; id-remote left out for remote_id %any)
#   certs / cacerts / key (pubkey: our certificate, the peers' CA, our private key)
#   child (net; empty: no children)  local_ts (10.2.0.0/24)  remote_ts (10.1.0.0/24)
#   control_socket (required)  dataplane (none)  bpffs  xdp (lines of an xdp { } block)
#   conn_extra / child_extra / daemon_extra / secret_extra / xdp: raw lines
#     ("key = value", ';' separates)
#   conns: more connection sections inside connections { } (ia_answerd_conn output)
ia_answerd_conf() {
  local -A o=()
  ia_answerd_opts o "$@"
  [ "${o[auth]}" != psk ] || [ -n "${o[secret]}" ] || ia_fail "ia_answerd_conf: secret is required with auth = psk"
  [ -n "${o[control_socket]}" ] || ia_fail "ia_answerd_conf: control_socket is required"
  echo "connections {"
  ia_answerd_conn "$@"
  [ -z "${o[conns]}" ] || echo "${o[conns]}"
  echo "}"
  echo "secrets {"
  if [ "${o[auth]}" = psk ]; then
    echo "  ike-${o[conn]} {"
    echo "    id-local = ${o[local_id]}"
    [ "${o[remote_id]}" = %any ] || echo "    id-remote = ${o[remote_id]}"
    ia_conf_lines "    " "${o[secret_extra]}"
    echo "    secret = \"${o[secret]}\""
  else
    echo "  private-${o[conn]} {"
    echo "    file = ${o[key]}"
  fi
  echo "  }"
  echo "}"
  echo "answerd {"
  echo "  dataplane = ${o[dataplane]}"
  echo "  control_socket = ${o[control_socket]}"
  [ -z "${o[bpffs]}" ] || echo "  bpffs = ${o[bpffs]}"
  [ -z "${o[xdp]}" ] || printf '  xdp {\n%s\n  }\n' "$(ia_conf_lines "    " "${o[xdp]}")"
  ia_conf_lines "  " "${o[daemon_extra]}"
  echo "}"
}

# ia_answerd_conn KEY=VALUE...: print only the connection section of
# ia_answerd_conf (same keys), to put several into one file with conns=.
ia_answerd_conn() {
  local -A o=()
  ia_answerd_opts o "$@"
  cat <<CONF
  ${o[conn]} {
    local_addrs = ${o[local_addrs]}
    remote_addrs = ${o[remote_addrs]}
    proposals = ${o[proposals]}
$(ia_conf_lines "    " "${o[conn_extra]}")
    local {
      auth = ${o[auth]}
      id = ${o[local_id]}
$( [ -z "${o[certs]}" ] || echo "      certs = ${o[certs]}")
    }
    remote {
      auth = ${o[auth]}
      id = ${o[remote_id]}
$( [ -z "${o[cacerts]}" ] || echo "      cacerts = ${o[cacerts]}")
    }
CONF
  [ -z "${o[child]}" ] || cat <<CONF
    children {
      ${o[child]} {
        local_ts = ${o[local_ts]}
        remote_ts = ${o[remote_ts]}
        esp_proposals = ${o[esp_proposals]}
$(ia_conf_lines "        " "${o[child_extra]}")
      }
    }
CONF
  echo "  }"
}

# ia_answerd_opts ARRAY KEY=VALUE...: fill the associative array ARRAY with the
# defaults of ia_answerd_conf, then the given keys (an unknown key fails).
ia_answerd_opts() {
  local -n opts=$1
  local kv
  shift
  opts=([conn]=hub [local_addrs]=%any [remote_addrs]=%any
    [proposals]=aes256gcm16-prfsha256-x25519 [esp_proposals]=aes256gcm16 [auth]=psk
    [local_id]=resp.answerd.test [remote_id]=ini.answerd.test [secret]="" [certs]=""
    [cacerts]="" [key]="" [child]=net [local_ts]=10.2.0.0/24 [remote_ts]=10.1.0.0/24
    [control_socket]="" [dataplane]=none [bpffs]="" [xdp]="" [conns]="" [conn_extra]=""
    [child_extra]="" [daemon_extra]="" [secret_extra]="")
  for kv in "$@"; do
    [ -n "${opts[${kv%%=*}]+set}" ] || ia_fail "ia_answerd_conf: unknown key '${kv%%=*}'"
    opts[${kv%%=*}]=${kv#*=}
  done
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

# The common start of a test with answerd in "resp" and strongSwan initiating
# from "ini" (ia_topology_direct or _nat):
#   ia_answerd_test NAME [CMD...]   # ia_strongswan_test NAME CMD..., answerd built
#   ia_topology_direct
#   ia_answerd_write_conf [KEY=VALUE...]   # answerd.conf for the topology
#   ia_answerd_run                          # start it, --log-level debug
#   ia_charon_run ini ini "$(ia_answerd_peer_conn hub)"
# ia_answerd_test sets IA_ANSWERD (the binary), IA_PSK ("answerd interop test key
# for NAME"), and the paths IA_ANSWERD_SOCK, IA_ANSWERD_CONF, IA_ANSWERD_LOG.
ia_answerd_test() {
  ia_strongswan_test "$@"
  IA_ANSWERD=$(ia_answerd_bin) || exit $?
  IA_PSK="answerd interop test key for $IA_NAME"
  IA_ANSWERD_SOCK=$IA_WORK/answerd.sock
  IA_ANSWERD_CONF=$IA_WORK/answerd.conf
  IA_ANSWERD_LOG=$IA_WORK/answerd.log
}

# ia_answerd_write_conf [KEY=VALUE...]: write IA_ANSWERD_CONF with ia_answerd_conf:
# answerd on IA_RESP_ADDR for the peer IA_INI_ADDR, secret IA_PSK, control socket
# IA_ANSWERD_SOCK; the keys given override these.
ia_answerd_write_conf() {
  ia_answerd_conf local_addrs="$IA_RESP_ADDR" remote_addrs="$IA_INI_ADDR" secret="$IA_PSK" \
    control_socket="$IA_ANSWERD_SOCK" "$@" >"$IA_ANSWERD_CONF"
}

# ia_answerd_run [ARGS...]: ia_answerd_start IA_ANSWERD in "resp" on IA_ANSWERD_CONF
# with --log-level debug (and ARGS), logging to IA_ANSWERD_LOG.
ia_answerd_run() {
  ia_answerd_start "$IA_ANSWERD" resp "$IA_ANSWERD_CONF" "$IA_ANSWERD_SOCK" "$IA_ANSWERD_LOG" \
    --log-level debug "$@"
}

# ia_answerd_peer_conn NAME [KEY=VALUE...]: ia_conn for the initiator in "ini" that
# matches ia_answerd_write_conf's defaults (addresses, nets, identities, IA_PSK);
# the keys given override these.
ia_answerd_peer_conn() {
  local name=$1
  shift
  ia_conn "$name" local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
    remote_ts="$IA_RESP_NET" local_id=ini.answerd.test remote_id=resp.answerd.test secret="$IA_PSK" "$@"
}
