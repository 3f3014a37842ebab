#!/usr/bin/env bash
# Runs the BPF test binaries inside the VM of tests/vm (Debian's 6.1 kernel), so
# the XDP program passes that kernel's verifier and behaves the same there:
#   tests/vm/run-vm tests/bpf/vm-bpf-tests.sh [BUILD_DIR]
# BUILD_DIR defaults to $ANSWERD_BUILD_DIR or build/. Exit 77 outside the VM.
set -uo pipefail
[ "${ANSWERD_VM:-}" = 1 ] || { echo "SKIP: runs inside the VM: tests/vm/run-vm $0" >&2; exit 77; }
build=${1:-${ANSWERD_BUILD_DIR:-build}}
echo "kernel $(uname -r)"
status=0
for t in bpf_xdp_verdicts bpf_xdp_truncation bpf_xdp_token_bucket bpf_xdp_loader bpf_xdp_veth_netns; do
  bin=$build/tests/bpf/$t
  [ -x "$bin" ] || { echo "missing $bin (build the bpf area first)"; status=1; continue; }
  "$bin" --gtest_brief=1 || status=1
done
exit $status
