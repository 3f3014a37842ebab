#!/usr/bin/env bash
# Benchmark (not a ctest): ike-bench against a strongSwan responder in netns, PSK
# x25519 AES-GCM childless, for each concurrency in $BENCH_CONCURRENCY (default
# "1 10 50") over $BENCH_SECONDS (default 10) each; the responder is restarted
# between runs so each starts from an empty SA table. Prints one line per run with
# handshakes/s, latency percentiles, ike-bench's CPU time and the load average.
# Cookies and the per-address half-open limit are disabled on the responder so that
# the figure is the handshake itself. Run as root: tests/tools/ike-bench/bench_strongswan.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ib_init ike_bench_perf jq
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
seconds=${BENCH_SECONDS:-10}

ia_topology_direct
psk="ike-bench benchmark key"
ia_charon_setup resp resp --log "default=0" --conf "  block_threshold = 100000
  cookie_threshold = 100000
  init_limit_half_open = 0"
ia_conn hub local_addrs=192.0.2.2 local_id=hub.example remote_id=%any secret="$psk" \
  conn_extra="childless = allow" | ia_swanctl_conf resp

ib_header
for c in ${BENCH_CONCURRENCY:-1 10 50}; do
  ia_charon_start resp
  ia_swanctl_load resp
  ib_row "$c" "$psk" "$seconds"
  ia_charon_stop resp
done
