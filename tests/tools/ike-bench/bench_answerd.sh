#!/usr/bin/env bash
# Benchmark (not a ctest): ike-bench against answerd (dataplane = none, cookies off
# by a high cookie_threshold) in netns, PSK x25519 AES-GCM childless, for each
# concurrency in $BENCH_CONCURRENCY (default "1 10 50") over $BENCH_SECONDS (default
# 10); answerd is restarted between runs. Same columns as bench_strongswan.sh.
# answerd from ANSWERD_BIN or $ANSWERD_BUILD_DIR/userspace/daemon/answerd.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
. "$src/tests/interop/lib/interop.sh"
ia_init ike_bench_perf_answerd
ia_require_root
ia_require_cmd jq
build=${ANSWERD_BUILD_DIR:-$src/build}
bench=$build/tools/ike-bench/ike-bench
answerd=${ANSWERD_BIN:-$build/userspace/daemon/answerd}
[ -x "$bench" ] || ia_skip "ike-bench not built at $bench"
[ -x "$answerd" ] || ia_skip "answerd not built at $answerd"
seconds=${BENCH_SECONDS:-10}
psk="ike-bench benchmark key"

ia_topology_direct
cat >"$IA_WORK/answerd.conf" <<CONF
connections {
  hub {
    local_addrs = 192.0.2.2
    remote_addrs = %any
    proposals = aes256gcm16-prfsha256-x25519
    local {
      auth = psk
      id = hub.example
    }
    remote {
      auth = psk
      id = %any
    }
  }
}
secrets {
  ike-hub {
    id-hub = hub.example
    secret = "$psk"
  }
}
answerd {
  dataplane = none
  control_socket = $IA_WORK/answerd.sock
  cookie_threshold = 1000000
}
CONF
printf '%-11s %9s %10s %9s %9s %9s %8s %8s  %s\n' concurrency completed "hs/s" p50_ms p90_ms p99_ms failed cpu_s loadavg
for c in ${BENCH_CONCURRENCY:-1 10 50}; do
  ia_bg_start answerd resp "$IA_WORK/answerd-$c.log" "$answerd" -c "$IA_WORK/answerd.conf"
  ia_wait_udp resp 500 || ia_fail "answerd does not listen on UDP 500"
  out=$IA_WORK/c$c.json
  ia_ns_exec ini bash -c 'TIMEFORMAT=%U+%S; time "$@" >/dev/null' _ \
    "$bench" --target 192.0.2.2 --psk "$psk" --remote-id hub.example --childless \
    --proposal aes256gcm16-prfsha256-x25519 --id-pattern "c$c-%d.example" \
    --concurrency "$c" --duration "$seconds" --json "$out" 2>"$IA_WORK/c$c.time" || true
  cpu=$(tail -1 "$IA_WORK/c$c.time" | bc 2>/dev/null || tail -1 "$IA_WORK/c$c.time")
  printf '%-11s %9s %10s %9s %9s %9s %8s %8s  %s\n' "$c" "$(jq .completed "$out")" "$(jq .handshakes_per_s "$out")" \
    "$(jq .latency_ms.p50 "$out")" "$(jq .latency_ms.p90 "$out")" "$(jq .latency_ms.p99 "$out")" \
    "$(jq .failed "$out")" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
  ia_bg_stop answerd 5 || true
done
