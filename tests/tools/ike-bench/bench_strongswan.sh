#!/usr/bin/env bash
# Benchmark (not a ctest): ike-bench against a strongSwan responder in netns, PSK
# x25519 AES-GCM childless, for each concurrency in $BENCH_CONCURRENCY (default
# "1 10 50") over $BENCH_SECONDS (default 10) each; the responder is restarted
# between runs so each starts from an empty SA table. Prints one line per run with
# handshakes/s, latency percentiles, ike-bench's CPU time and the load average.
# Cookies and the per-address half-open limit are disabled on the responder so that
# the figure is the handshake itself. Run as root: tests/tools/ike-bench/bench_strongswan.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
. "$src/tests/interop/lib/interop.sh"
ia_init ike_bench_perf
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd jq
bench=${ANSWERD_BUILD_DIR:-$src/build}/tools/ike-bench/ike-bench
[ -x "$bench" ] || ia_skip "ike-bench not built at $bench"
seconds=${BENCH_SECONDS:-10}

ia_topology_direct
psk="ike-bench benchmark key"
ia_charon_setup resp resp --log "default=0" --conf "  block_threshold = 100000
  cookie_threshold = 100000
  init_limit_half_open = 0"
ia_conn hub local_addrs=192.0.2.2 local_id=hub.example remote_id=%any secret="$psk" \
  conn_extra="childless = allow" | ia_swanctl_conf resp

printf '%-11s %9s %10s %9s %9s %9s %8s %8s  %s\n' concurrency completed "hs/s" p50_ms p90_ms p99_ms failed cpu_s loadavg
for c in ${BENCH_CONCURRENCY:-1 10 50}; do
  ia_charon_start resp
  ia_swanctl_load resp
  out=$IA_WORK/c$c.json
  ia_ns_exec ini bash -c 'TIMEFORMAT=%U+%S; time "$@" >/dev/null' _ \
    "$bench" --target 192.0.2.2 --psk "$psk" --remote-id hub.example --childless \
    --proposal aes256gcm16-prfsha256-x25519 --id-pattern "c$c-%d.example" \
    --concurrency "$c" --duration "$seconds" --json "$out" 2>"$IA_WORK/c$c.time" || true
  cpu=$(tail -1 "$IA_WORK/c$c.time" | bc 2>/dev/null || tail -1 "$IA_WORK/c$c.time")
  printf '%-11s %9s %10s %9s %9s %9s %8s %8s  %s\n' "$c" "$(jq .completed "$out")" "$(jq .handshakes_per_s "$out")" \
    "$(jq .latency_ms.p50 "$out")" "$(jq .latency_ms.p90 "$out")" "$(jq .latency_ms.p99 "$out")" \
    "$(jq .failed "$out")" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
  ia_charon_stop resp
done
