#!/usr/bin/env bash
# Hostile and wrong input against answerd running under valgrind (memcheck; a
# sanitizer build checks itself instead), with a
# strongSwan 5.9.8 initiator in "ini" (192.0.2.1), answerd in "resp" (192.0.2.2):
# - wrong PSK: strongSwan receives AUTHENTICATION_FAILED, no SA anywhere;
# - unknown identity (IDi with no connection/secret): AUTHENTICATION_FAILED as well;
# - malformed datagrams over UDP 500 and 4500 (lib/ike_garbage.py): every seed of
#   the fuzz_ike_message corpus (tests/data/wire/seeds), the crypto fuzz corpora, and
#   truncated/length-broken/bit-flipped variants of every IKE message in the
#   tests/data/captures sessions. answerd stays up, answers only with responses
#   (the capture: no Initiator flag, no request), counts what it drops;
# - afterwards strongSwan still establishes, and valgrind reports no error and no
#   definite leak when answerd exits on SIGTERM.
# IA_GARBAGE_FLIPS (default 8) sets the bit-flipped variants per captured message.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_badinput valgrind tcpdump
answerd=$IA_ANSWERD psk=$IA_PSK
src=$(cd "$(dirname "$0")/../.." && pwd)

ia_topology_direct
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf
vglog=$IA_WORK/valgrind.log
# A sanitizer build (-DANSWERD_SANITIZE=ON) checks itself (ASan + LSan, report in
# answerd.log); any other build runs under valgrind's memcheck.
if grep -q '^ANSWERD_SANITIZE:BOOL=ON' "$ANSWERD_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  checker=asan
  cat >"$IA_WORK/answerd-vg" <<WRAP
#!/bin/sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 exec "$answerd" "\$@"
WRAP
else
  checker=valgrind
  cat >"$IA_WORK/answerd-vg" <<WRAP
#!/bin/sh
# answerd under memcheck; --check-config runs natively.
case "\$1" in --check-config) exec "$answerd" "\$@" ;; esac
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --log-file="$vglog" "$answerd" "\$@"
WRAP
  ia_log_file "$vglog"
fi
chmod +x "$IA_WORK/answerd-vg"
pcap=$IA_WORK/resp.pcap
ia_capture_start resp "$IA_RESP_DEV" "$pcap"
IA_ANSWERD=$IA_WORK/answerd-vg IA_ANSWERD_START_TIMEOUT=60 ia_answerd_run
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

conn() {  # NAME LOCAL_ID SECRET
  ia_answerd_peer_conn "$1" local_id="$2" secret="$3" child="$1-net"
}
# initiator CONN...: (re)start strongSwan with these connections; "wrongpsk" has
# the same identities as "good", so it gets a charon of its own.
initiator() {
  local c
  ia_charon_stop ini
  ia_charon_setup ini ini --conf "  retransmit_tries = 2
  retransmit_timeout = 2"
  for c in "$@"; do
    case $c in
      good) conn good ini.answerd.test "$psk" ;;
      wrongpsk) conn wrongpsk ini.answerd.test "not the key answerd has" ;;
      stranger) conn stranger stranger.answerd.test "$psk" ;;
    esac
  done | ia_swanctl_conf ini
  ia_charon_start ini
  ia_swanctl_load ini
}

# refused NAME: strongSwan's initiation fails with AUTHENTICATION_FAILED, no SA left.
refused() {
  local n0 out
  n0=$(grep -c 'received AUTHENTICATION_FAILED notify error' "$(ia_charon_log ini)" || true)
  if out=$(ia_swanctl ini --initiate --child "$1-net" --timeout 20 2>&1); then
    ia_fail "$1: strongSwan established: $out"
  fi
  [ "$(grep -c 'received AUTHENTICATION_FAILED notify error' "$(ia_charon_log ini)" || true)" -eq $((n0 + 1)) ] ||
    ia_fail "$1: strongSwan did not receive AUTHENTICATION_FAILED: $out"
  ia_wait_ike ini 0 '[A-Z_]*' 10 || ia_fail "$1: strongSwan kept an SA: $(ia_list_sas ini)"
  ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "$1: answerd lists an SA"
  ia_log "$1: AUTHENTICATION_FAILED, no SA"
}
# good: strongSwan establishes and deletes again.
good() {
  ia_initiate ini good-net 30
  ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "$1: strongSwan: $(ia_list_sas ini)"
  # (half-open SAs the garbage started may still be listed, CONNECTING)
  ctl "sa list" "[len(s['child_sas']) for s in r['result']['ike_sas'] if s['state'] == 'ESTABLISHED'] == [1]" ||
    ia_fail "$1: answerd's sa list"
  ia_terminate_ike ini good || ia_fail "$1: terminate"
  ia_wait_until 10 ctl "sa list" "[s for s in r['result']['ike_sas'] if s['state'] == 'ESTABLISHED'] == []" ||
    ia_fail "$1: answerd kept the SA"
}

initiator good stranger
good "before"
refused stranger
initiator wrongpsk
refused wrongpsk
initiator good
[ "$(stat auth_failed)" -eq 2 ] || ia_fail "auth_failed $(stat auth_failed), want 2"

# The garbage, from the initiator's namespace.
corpora=("$src/tests/data/wire/seeds" "$src/tests/ike/crypto/fuzz-corpus" "$src/tests/ike/crypto/pki_fuzz_corpus")
for d in "${corpora[@]}"; do [ -d "$d" ] || ia_fail "corpus $d missing"; done
recv0=$(ia_answerd_value "$sock" "stats show" "r['result']['daemon']['sockets']['received']")
t0=$SECONDS
sent=$(ia_ns_exec ini python3 "$IA_LIB/ike_garbage.py" --flips "${IA_GARBAGE_FLIPS:-8}" "$IA_RESP_ADDR" \
  "${corpora[@]}" "$src"/tests/data/captures/*.pcap) || ia_fail "ike_garbage.py failed"
# answerd (slow under valgrind) drains its socket: "received" stops moving.
received() { ia_answerd_value "$sock" "stats show" "r['result']['daemon']['sockets']['received']"; }
last=-1
while :; do
  now=$(received) || ia_fail "answerd does not answer on its control socket after the garbage"
  [ "$now" != "$last" ] || break
  last=$now
  sleep 1 & wait $!
  [ $((SECONDS - t0)) -lt 90 ] || ia_fail "answerd still busy after 90 s"
done
ia_bg_running answerd || ia_fail "answerd died on the garbage"
got=$((last - recv0))
[ "$got" -ge $((sent / 2)) ] || ia_fail "answerd received $got of $sent datagrams"
ia_log "garbage: $sent datagrams sent, $got received by answerd in $((SECONDS - t0)) s; $(ia_answerd_value "$sock" "stats show" \
  "'malformed %d unknown_spi %d decrypt_failed %d undecodable %d half_open %d' % (r['result']['daemon']['ike']['sa']['malformed'],
   r['result']['daemon']['ike']['sa']['unknown_spi'], r['result']['daemon']['ike']['sa']['decrypt_failed'],
   r['result']['daemon']['ike']['undecodable'], r['result']['daemon']['ike']['half_open'])")"
ctl "stats show" "r['result']['daemon']['ike']['sa']['malformed'] + r['result']['daemon']['ike']['undecodable'] > 0
  and r['result']['daemon']['ike']['sa']['unknown_spi'] > 0 and r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" ||
  ia_fail "answerd's counters after the garbage"
ctl "sa list" "all(s['state'] != 'ESTABLISHED' for s in r['result']['ike_sas'])" || ia_fail "garbage established an SA"

good "after the garbage"
ia_capture_stop "$pcap"
# answerd only ever answered: no Initiator flag, no request but INFORMATIONAL (none here).
bad=$(ia_ike_pcap "$pcap" | awk -v r="$IA_RESP_ADDR" '$1 == r && $5 == "ike" && ($7 == "I" || $8 == "-")' | head -3)
[ -z "$bad" ] || ia_fail "answerd sent requests or claimed the initiator role: $bad"

ia_bg_stop answerd 60 && rc=0 || rc=$?
if [ "$checker" = valgrind ]; then
  [ "$rc" -eq 0 ] || ia_fail "answerd under valgrind exited with $rc: $(grep -A12 'ERROR SUMMARY\|Invalid\|definitely lost' "$vglog" | head -40)"
  grep -q 'ERROR SUMMARY: 0 errors' "$vglog" || ia_fail "valgrind: $(grep 'ERROR SUMMARY' "$vglog")"
  ! grep -q 'definitely lost: [1-9]' "$vglog" || ia_fail "valgrind: $(grep 'definitely lost' "$vglog")"
  verdict="under valgrind (0 errors, no definite leak)"
else
  [ "$rc" -eq 0 ] && ! grep -q 'ERROR: \(Address\|Leak\|UndefinedBehavior\)Sanitizer\|runtime error:' "$IA_WORK/answerd.log" ||
    ia_fail "answerd (sanitizer build) exited with $rc: $(grep -A8 'Sanitizer\|runtime error' "$IA_WORK/answerd.log" | head -30)"
  verdict="with ASan/UBSan/LSan (no report)"
fi
echo "answerd_badinput: wrong PSK and unknown identity refused, $sent hostile datagrams survived $verdict, strongSwan still established"
