# answerd as the responder in a namespace: start it and query its control socket.

# ia_answerd_start BIN NS CONF SOCK LOG [ARGS...]: checks CONF with --check-config,
# starts answerd BIN in namespace NS as background process "answerd", and waits
# until it listens on UDP 500 and its control socket SOCK exists. Stopped at exit.
ia_answerd_start() {
  local bin=$1 ns=$2 conf=$3 sock=$4 log=$5
  shift 5
  "$bin" --check-config -c "$conf" >/dev/null || ia_fail "answerd rejects $conf: $("$bin" --check-config -c "$conf" 2>&1)"
  ia_bg_start answerd "$ns" "$log" "$bin" -c "$conf" "$@"
  ia_wait_udp "$ns" 500 || ia_fail "answerd does not listen on UDP 500"
  ia_wait_until 10 test -S "$sock" || ia_fail "answerd did not open its control socket $sock"
}

# ia_answerd_query SOCK COMMAND PYTHON-ASSERTION: one request on answerd's control
# socket (protocol version 1); the assertion is evaluated on the response `r`.
ia_answerd_query() { python3 "$IA_LIB/control_query.py" "$@"; }
