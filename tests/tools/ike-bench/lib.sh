# shellcheck shell=bash
# The ike-bench scripts' common part, on top of the interop harness
# (tests/interop/lib): the build's binaries, answerd's configuration for ike-bench
# peers, and one row of the benchmark table that bench_answerd.sh and
# bench_strongswan.sh print. The topology is ia_topology_direct: ike-bench in
# "ini" (192.0.2.1), the responder in "resp" (192.0.2.2, identity hub.example).
IB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=../../interop/lib/interop.sh
. "$IB_SRC/tests/interop/lib/interop.sh"

# ib_init NAME [CMD...]: ia_init NAME, root, the commands CMD; IB_BENCH is the
# ike-bench binary of ANSWERD_BUILD_DIR (default build/), skip if not built.
ib_init() {
  ia_init "$1"
  shift
  ia_require_root
  [ $# -eq 0 ] || ia_require_cmd "$@"
  IB_BUILD=${ANSWERD_BUILD_DIR:-$IB_SRC/build}
  IB_BENCH=$IB_BUILD/tools/ike-bench/ike-bench
  [ -x "$IB_BENCH" ] || ia_skip "ike-bench not built at $IB_BENCH"
}

# ib_answerd_bin: IB_ANSWERD is ANSWERD_BIN or the build's answerd; skip if missing.
ib_answerd_bin() {
  IB_ANSWERD=${ANSWERD_BIN:-$IB_BUILD/userspace/daemon/answerd}
  [ -x "$IB_ANSWERD" ] ||
    ia_skip "answerd not built at $IB_ANSWERD (needs the daemon, sa and xfrm areas, or ANSWERD_BIN)"
}

# ib_answerd_conf [KEY=VALUE...]: ia_answerd_conf for ike-bench peers: answerd on
# 192.0.2.2 as hub.example, any peer identity, no Child SA, control socket
# $IA_WORK/answerd.sock; the keys given override these.
ib_answerd_conf() {
  ia_answerd_conf local_addrs=192.0.2.2 local_id=hub.example remote_id=%any child= \
    control_socket="$IA_WORK/answerd.sock" "$@"
}

# ib_header / ib_row CONCURRENCY PSK SECONDS: the benchmark table. ib_row runs
# ike-bench from "ini" against 192.0.2.2 (PSK, x25519 AES-GCM, childless) at
# CONCURRENCY for SECONDS and prints handshakes/s, latency percentiles, failures,
# ike-bench's CPU time and the load average.
IB_ROW_FORMAT='%-11s %9s %10s %9s %9s %9s %8s %8s  %s\n'
ib_header() {
  # shellcheck disable=SC2059  # the format is ours
  printf "$IB_ROW_FORMAT" concurrency completed "hs/s" p50_ms p90_ms p99_ms failed cpu_s loadavg
}
ib_row() {
  local c=$1 psk=$2 seconds=$3 out=$IA_WORK/c$1.json cpu
  ia_ns_exec ini bash -c 'TIMEFORMAT=%U+%S; time "$@" >/dev/null' _ \
    "$IB_BENCH" --target 192.0.2.2 --psk "$psk" --remote-id hub.example --childless \
    --proposal aes256gcm16-prfsha256-x25519 --id-pattern "c$c-%d.example" \
    --concurrency "$c" --duration "$seconds" --json "$out" 2>"$IA_WORK/c$c.time" || true
  cpu=$(tail -1 "$IA_WORK/c$c.time" | bc 2>/dev/null || tail -1 "$IA_WORK/c$c.time")
  # shellcheck disable=SC2059  # the format is ours
  printf "$IB_ROW_FORMAT" "$c" "$(jq .completed "$out")" "$(jq .handshakes_per_s "$out")" \
    "$(jq .latency_ms.p50 "$out")" "$(jq .latency_ms.p90 "$out")" "$(jq .latency_ms.p99 "$out")" \
    "$(jq .failed "$out")" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
