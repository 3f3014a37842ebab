#!/usr/bin/env bash
# Self-test of the interop harness's cleanup, which every interop test relies on:
# a run that fails (ia_fail), one that is terminated (SIGTERM) and one that is
# killed (SIGKILL, then the next ia_init collects it) leave no namespace, no charon
# and no work directory behind; ia_skip exits 77 with its reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/interop.sh"
ia_strongswan_test harness_selftest

# child STATE_FILE MODE: a run that builds a topology with a charon, writes
# "prefix work charon-pid" to STATE_FILE, then fails, or waits to be killed.
# It execs: call it in a subshell, whose pid is then the child run's.
child() {
  exec bash -c '
    set -euo pipefail
    . "$1/lib/interop.sh"
    ia_init selftest-child
    ia_topology_direct
    ia_charon_setup resp resp
    echo "connections { }" | ia_swanctl_conf resp
    ia_charon_start resp
    echo "$IA_PREFIX $IA_WORK ${IA_CHARON_PID[resp]}" >"$2"
    [ "$3" = fail ] && ia_fail "deliberate failure"
    sleep 60 </dev/null >/dev/null 2>&1 &
    ia_on_exit kill $!
    wait $!
  ' child "$here" "$1" "$2"
}

# assert_clean STATE_FILE WHAT: nothing of the child run is left.
assert_clean() {
  local prefix work pid
  read -r prefix work pid <"$1"
  ! ip netns list | grep -q "^$prefix-" || ia_fail "$2: namespaces $prefix-* left behind"
  ia_wait_until 5 ia_pid_gone "$pid" || ia_fail "$2: charon $pid still runs"
  [ ! -e "$work" ] || [ "$2" = SIGKILL ] || ia_fail "$2: work directory $work left behind"
  ia_log "$2: cleaned up"
}

# wait_state STATE_FILE: until the child has written its state.
wait_state() { ia_wait_until 20 test -s "$1" || ia_fail "child run did not start"; }

state=$IA_WORK/fail.state
rc=0
(child "$state" fail) 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || ia_fail "ia_fail exited $rc, want 1"
assert_clean "$state" ia_fail

state=$IA_WORK/term.state
(child "$state" wait) 2>/dev/null &
pid=$!
wait_state "$state"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -ne 0 ] || ia_fail "terminated run exited 0"
assert_clean "$state" SIGTERM

state=$IA_WORK/kill.state
here=$here setsid bash -c "$(declare -f child); child '$state' wait" 2>/dev/null &
pid=$!
wait_state "$state"
kill -KILL -- -"$pid"  # the whole process group, as a test timeout would
wait "$pid" 2>/dev/null || true
read -r prefix work _ <"$state"
ip netns list | grep -q "^$prefix-" || ia_fail "SIGKILL: expected leftovers to collect"
rm -rf "$work"  # nothing can remove it after SIGKILL: /tmp hygiene only
ia_gc
assert_clean "$state" SIGKILL

rc=0
out=$(bash -c '. "$1/lib/interop.sh"; ia_skip "no reason at all"' skip "$here" 2>&1) || rc=$?
[ "$rc" -eq 77 ] && grep -q 'SKIP: no reason at all' <<<"$out" || ia_fail "ia_skip: rc $rc, '$out'"
echo "harness_selftest: cleanup after failure, SIGTERM and SIGKILL; skip exits 77"
