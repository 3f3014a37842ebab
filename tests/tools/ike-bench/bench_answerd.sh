#!/usr/bin/env bash
# Benchmark (not a ctest): ike-bench against answerd (dataplane = none, cookies off
# by a high cookie_threshold) in netns, PSK x25519 AES-GCM childless, for each
# concurrency in $BENCH_CONCURRENCY (default "1 10 50") over $BENCH_SECONDS (default
# 10); answerd is restarted between runs. Same columns as bench_strongswan.sh.
# answerd from ANSWERD_BIN or $ANSWERD_BUILD_DIR/userspace/daemon/answerd.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ib_init ike_bench_perf_answerd jq
ib_answerd_bin
seconds=${BENCH_SECONDS:-10}
psk="ike-bench benchmark key"

ia_topology_direct
ib_answerd_conf secret="$psk" daemon_extra="cookie_threshold = 1000000" >"$IA_WORK/answerd.conf"
ib_header
for c in ${BENCH_CONCURRENCY:-1 10 50}; do
  ia_bg_start answerd resp "$IA_WORK/answerd-$c.log" "$IB_ANSWERD" -c "$IA_WORK/answerd.conf"
  ia_wait_udp resp 500 || ia_fail "answerd does not listen on UDP 500"
  ib_row "$c" "$psk" "$seconds"
  ia_bg_stop answerd 5 || true
done
