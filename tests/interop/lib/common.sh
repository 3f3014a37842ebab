# shellcheck shell=bash
# shellcheck disable=SC2034  # IA_* globals are set here for the tests that source this
# interop harness, common part: skipping, logging, the per-run work directory and
# name prefix, cleanup on exit, polling. Sourced by netns.sh and strongswan.sh;
# tests source tests/interop/lib/interop.sh, which pulls in every part.
#
# Conventions: every public function is named ia_*, every global IA_*. A test
# calls ia_init once; everything it creates afterwards (namespaces, charons,
# captures, temp files) is registered with ia_on_exit and removed by the EXIT trap,
# in reverse order, whether the test passes, fails or is interrupted.

IA_SKIP=77

# ia_log MSG...: progress line on stderr, prefixed with the test's name.
ia_log() { echo "[${IA_NAME:-interop}] $*" >&2; }

# ia_fail MSG...: report a failure and exit 1 (the EXIT trap cleans up).
ia_fail() {
  echo "[${IA_NAME:-interop}] FAIL: $*" >&2
  exit 1
}

# ia_skip REASON...: report why the test cannot run here and exit 77 (ctest: skipped).
ia_skip() {
  echo "[${IA_NAME:-interop}] SKIP: $*" >&2
  exit "$IA_SKIP"
}

# ia_require_root: skip unless running as root (netns, veth, tmpfs mounts need it).
ia_require_root() {
  [ "$(id -u)" -eq 0 ] || ia_skip "needs root: creates network and mount namespaces"
  ip netns list >/dev/null 2>&1 || ia_skip "needs network namespaces (ip netns failed)"
}

# ia_require_cmd CMD...: skip unless each command is installed.
ia_require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || ia_skip "needs '$c' (see scripts/deps.d/)"
  done
}

# ia_init NAME: start a test run. Sets IA_NAME, a unique IA_PREFIX for namespace
# names, "ia-<pid>-<random>" (parallel and leftover runs do not collide), and IA_WORK,
# a fresh work directory (kept when IA_KEEP=1, for debugging). Installs the
# EXIT/INT/TERM traps that run the cleanups, and first removes namespaces left by
# runs that were killed without a chance to clean up (ia_gc).
# A test that waits for a long time should `sleep N & wait $!`: bash runs traps only
# between commands, so a TERM during a plain `sleep` waits for the sleep to end
# (and register `ia_on_exit kill $!` so the sleep does not outlive the test).
ia_init() {
  IA_NAME=$1
  ia_gc
  IA_PREFIX=$(printf 'ia-%d-%04x' $$ $((RANDOM)))
  IA_WORK=$(mktemp -d "${TMPDIR:-/tmp}/answerd-${IA_NAME}.XXXXXX") || ia_fail "mktemp"
  IA_CLEANUPS=()
  IA_LOGS=()
  trap ia_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ "${IA_KEEP:-0}" != 1 ]; then
    ia_on_exit rm -rf "$IA_WORK"
  else
    ia_log "keeping work directory $IA_WORK"
  fi
}

# ia_gc: delete namespaces "ia-<pid>-*" whose creating script <pid> is gone
# (a run killed with SIGKILL, e.g. by a test timeout), with what still runs in them.
ia_gc() {
  local ns pid pids
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^ia-[0-9]+-[0-9a-f]+-'); do
    pid=${ns#ia-}
    pid=${pid%%-*}
    ! kill -0 "$pid" 2>/dev/null || continue
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  return 0
}

# ia_on_exit CMD [ARGS...]: run this command at exit (last registered runs first).
# Arguments are quoted safely; failures of cleanups are ignored.
ia_on_exit() {
  local q
  printf -v q '%q ' "$@"
  IA_CLEANUPS+=("$q")
}

# ia_log_file FILE: show the end of FILE on stderr if the run fails.
ia_log_file() { IA_LOGS+=("$1"); }

# ia_cleanup: run the registered cleanups now, newest first (the EXIT trap calls it).
ia_cleanup() {
  local rc=$? i
  trap - EXIT
  # On failure, show the end of every log the run registered (charon, daemons).
  if [ "$rc" -ne 0 ] && [ "$rc" -ne "$IA_SKIP" ]; then
    for i in "${IA_LOGS[@]}"; do
      [ -s "$i" ] || continue
      echo "----- last 25 lines of $i" >&2
      tail -n 25 "$i" >&2
    done
  fi
  for ((i = ${#IA_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${IA_CLEANUPS[i]}" >/dev/null 2>&1 || true
  done
  IA_CLEANUPS=()
  return "$rc"
}

# ia_wait_until SECONDS CMD [ARGS...]: poll CMD every 0.1 s until it succeeds;
# returns 1 if it did not within SECONDS.
ia_wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
