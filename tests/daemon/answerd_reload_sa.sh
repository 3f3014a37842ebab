#!/usr/bin/env bash
# Reload with established SAs, end to end: answerd (dataplane = none) in namespace
# "resp", a real strongSwan charon initiating two IKE SAs from "ini", one on
# answerd's connection "keep" and one on "gone".
#   1. SIGHUP with "gone" removed: the "keep" SA stays (same id, same Child SA),
#      the "gone" SA gets answerd's INFORMATIONAL DELETE, strongSwan answers it
#      and drops the SA, answerd counts the answer and forgets the SA.
#   2. `answerctl daemon reload` with "keep" no longer accepting the peer's
#      identity: that SA is deleted the same way.
#   3. The original file again: a new negotiation on "keep" succeeds.
#   4. SIGTERM: answerd sends DELETE for the SA left, waits for strongSwan's
#      answer, and exits 0 at once (well before its shutdown grace).
set -euo pipefail
src=${ANSWERD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/interop/lib/interop.sh"
ia_answerd_test answerd_reload_sa
answerctl=${ANSWERD_BUILD_DIR}/tools/answerctl/answerctl
[ -x "$answerctl" ] || ia_skip "answerctl not built at $answerctl (area answerctl)"

ia_topology_direct
sock=$IA_ANSWERD_SOCK
# write_conf REMOTE_ID [gone]: connection "keep" accepting the peer REMOTE_ID and,
# with "gone", connection "gone"; one secret for all identities.
write_conf() {
  ia_answerd_write_conf conn=keep child=keep-net remote_id="$1" \
    secret_extra="id-keep = keep.answerd.test;id-gone = gone.answerd.test" \
    conns="$( [ -z "${2:-}" ] || ia_answerd_conn conn=gone child=gone-net remote_id=gone.answerd.test \
      local_addrs="$IA_RESP_ADDR" remote_addrs="$IA_INI_ADDR")"
  "$IA_ANSWERD" --check-config -c "$IA_ANSWERD_CONF" >/dev/null || ia_fail "config rejected"
}
write_conf keep.answerd.test gone
ia_answerd_run
apid=${IA_BG_PID[answerd]}

ia_charon_run ini ini "$(for n in keep gone; do
  ia_answerd_peer_conn "$n" child="$n-net" auth=psk local_id="$n.answerd.test"
done)"
ia_initiate ini keep-net
ia_initiate ini gone-net
ia_wait_ike ini 2 || ia_fail "strongSwan has not 2 IKE SAs"

ctl() { ia_answerd_query "$sock" "$@"; }
val() { ia_answerd_value "$sock" "$@"; }
st() { ia_answerd_stat "$sock" "$1"; }
ctl "sa list" 'len(r["result"]["ike_sas"]) == 2 and sorted(s["connection"] for s in r["result"]["ike_sas"]) == ["gone", "keep"]' ||
  ia_fail "answerd does not list the SAs of keep and gone"
keep_sa='[s for s in r["result"]["ike_sas"] if s["connection"] == "keep"][0]'
keep_id=$(val "sa list" "$keep_sa[\"id\"]")
keep_spi=$(val "sa list" "$keep_sa[\"child_sas\"][0][\"spi_in\"]")

# 1. SIGHUP without "gone".
write_conf keep.answerd.test
kill -HUP "$apid"
ia_wait_until 20 ia_ike_count_is ini 1 ESTABLISHED || ia_fail "strongSwan still has the SA of the removed connection"
ia_wait_until 10 test "$(ia_answerd_ike_count "$sock")" = 1 || ia_fail "answerd did not forget the deleted SA"
ctl "sa list" "len(r['result']['ike_sas']) == 1 and $keep_sa['id'] == $keep_id and $keep_sa['state'] == 'ESTABLISHED' and $keep_sa['child_sas'][0]['spi_in'] == '$keep_spi'" ||
  ia_fail "the SA of keep did not survive the reload unchanged: $(val "sa list" 'r')"
[ "$(ia_sa_value ini local-id)" = keep.answerd.test ] || ia_fail "strongSwan lost the wrong SA"
[ "$(st reload_kept)" = 1 ] && [ "$(st reload_deleted)" = 1 ] && [ "$(st requests_answered)" = 1 ] ||
  ia_fail "reload counters: kept $(st reload_kept) deleted $(st reload_deleted) answered $(st requests_answered)"
grep -q "connection 'gone' removed by reload" "$IA_WORK/answerd.log" || ia_fail "no reason logged"

# 2. answerctl daemon reload: "keep" now wants another identity.
write_conf other.answerd.test
"$answerctl" --socket "$sock" daemon reload >/dev/null || ia_fail "answerctl daemon reload failed"
ia_wait_until 20 ia_ike_count_is ini 0 ESTABLISHED || ia_fail "strongSwan still has the SA of keep"
ia_wait_until 10 test "$(ia_answerd_ike_count "$sock")" = 0 || ia_fail "answerd still lists the SA of keep"
[ "$(st reload_deleted)" = 2 ] && [ "$(st requests_answered)" = 2 ] || ia_fail "second reload not counted"
[ "$(st request_retransmits)" = 0 ] || ia_fail "strongSwan answered at once, yet answerd retransmitted"

# 3. New negotiations use the file as it is now.
write_conf keep.answerd.test
"$answerctl" --socket "$sock" daemon reload >/dev/null || ia_fail "answerctl daemon reload failed"
ia_initiate ini keep-net
ia_wait_ike ini 1 || ia_fail "no new SA on keep after the reload"

# 4. SIGTERM: DELETE to strongSwan, answered, clean exit well before the grace period.
start=$(date +%s)
kill -TERM "$apid"
ia_wait_until 10 ia_pid_gone "$apid" || ia_fail "answerd did not exit after SIGTERM"
rc=0; ia_bg_stop answerd || rc=$?
[ "$rc" = 0 ] || ia_fail "answerd exit status $rc"
[ $(($(date +%s) - start)) -lt 8 ] || ia_fail "answerd waited its whole shutdown grace"
grep -q "every peer answered our DELETE" "$IA_WORK/answerd.log" || ia_fail "shutdown did not wait for the DELETE answer"
ia_wait_until 10 ia_ike_count_is ini 0 ESTABLISHED || ia_fail "strongSwan kept its SA after answerd's shutdown"
echo "answerd_reload_sa: SA kept across SIGHUP, removed connection and changed identity deleted at the peer, DELETE at shutdown answered"
