#!/usr/bin/env bash
# answerctl's bpftool grammar: prefix matching of objects and commands, global
# options anywhere, usage errors (exit 2), -j errors as {"error": ...}, help text.
set -euo pipefail
ctl=${ANSWERD_BUILD_DIR:?}/tools/answerctl/answerctl
# A minimal IKE_SA_INIT header-only message is enough for grammar checks.
msg=0011223344556677000000000000000000222008000000000000001c
fail() { echo "FAIL: $*" >&2; exit 1; }

full=$("$ctl" ike decode --hex "$msg")
[ "$("$ctl" i d --hex "$msg")" = "$full" ] || fail "'i d' is not 'ike decode'"
[ "$("$ctl" ike dec --hex "$msg")" = "$full" ] || fail "'ike dec' is not 'ike decode'"
"$ctl" ike decode --hex "$msg" -j | grep -q '"messages"' || fail "-j after the command is not global"
"$ctl" -p ike decode --hex "$msg" | grep -q '^  "messages"' || fail "-p does not indent JSON"

set +e
out=$("$ctl" nosuchobject 2>&1); rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown object exits $rc, not 2"
grep -q "unknown object 'nosuchobject'" <<<"$out" || fail "no message for unknown object"
grep -q '^Usage: answerctl' <<<"$out" || fail "no usage for unknown object"

set +e
out=$("$ctl" -j nosuchobject 2>/dev/null); rc=$?
set -e
[ $rc -ne 0 ] || fail "-j error exits 0"
[ "$out" = '{"error":"unknown object '"'"'nosuchobject'"'"'"}' ] || fail "-j error is '$out'"

"$ctl" help | grep -q 'OBJECT := {.*peer.*ike' || fail "help does not list objects"
for obj in ike peer stats xdp; do
  "$ctl" "$obj" help | grep -q . || fail "'$obj help' prints nothing"
done
"$ctl" version | grep -q '^answerctl [0-9]' || fail "version"
echo "grammar: ok"
