#!/usr/bin/env bash
# Two strongSwan 5.9.8 initiators with the same identity (ini.answerd.test) from two
# addresses, "ini" 192.0.2.1 and "ini2" 198.51.100.1, against answerd (dataplane =
# none) with each `unique` policy, as strongSwan defines them:
#   replace: the second SA replaces the first (answerd lists only ini2's);
#   keep:    the first stays, the second is refused (AUTHENTICATION_FAILED);
#   no:      both stay without INITIAL_CONTACT; with INITIAL_CONTACT the new one
#            replaces the old (RFC 7296 2.4);
#   never:   both stay, even with INITIAL_CONTACT.
# Each resolved duplicate is counted in duplicates_resolved. strongSwan sends
# INITIAL_CONTACT unless its own connection says unique = never ("noic" below).
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_unique
answerd=$IA_ANSWERD psk=$IA_PSK

ia_ns_create ini ini2 resp
ia_link ini 192.0.2.1/24 resp 192.0.2.2/24
ia_link ini2 198.51.100.1/24 resp 198.51.100.2/24
for n in ini ini2; do ia_addr_add "$n" 10.1.0.1/32; done
ia_addr_add resp 10.2.0.1/32
declare -A addr=([ini]=192.0.2.1 [ini2]=198.51.100.1) raddr=([ini]=192.0.2.2 [ini2]=198.51.100.2)
sock=$IA_WORK/answerd.sock
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

# fresh UNIQUE: answerd with `unique = UNIQUE`, both charons restarted.
fresh() {
  local i
  ia_bg_stop answerd || true
  for i in ini ini2; do ia_charon_stop "$i"; done
  ia_answerd_conf local_addrs="${raddr[ini]}, ${raddr[ini2]}" remote_addrs="${addr[ini]}, ${addr[ini2]}" \
    secret="$psk" control_socket="$sock" conn_extra="unique = $1" >"$IA_WORK/answerd.conf"
  rm -f "$sock"
  ia_answerd_start "$answerd" resp "$IA_WORK/answerd.conf" "$sock" "$IA_WORK/answerd-$1.log" --log-level debug
  for i in ini ini2; do
    ia_charon_setup "$i" "$i"
    {
      ia_conn ic local_addrs="${addr[$i]}" remote_addrs="${raddr[$i]}" local_id=ini.answerd.test \
        remote_id=resp.answerd.test secret="$psk" local_ts=10.1.0.0/24 remote_ts=10.2.0.0/24 child=ic-net
      ia_conn noic local_addrs="${addr[$i]}" remote_addrs="${raddr[$i]}" local_id=ini.answerd.test \
        remote_id=resp.answerd.test secret="$psk" local_ts=10.1.0.0/24 remote_ts=10.2.0.0/24 child=noic-net \
        conn_extra="unique = never"
    } | ia_swanctl_conf "$i"
    ia_charon_start "$i"
    ia_swanctl_load "$i"
  done
}
# up INST CONN: INST establishes CONN with answerd.
up() {
  ia_initiate "$1" "$2-net"
  ia_wait_ike "$1" 1 ESTABLISHED 10 || ia_fail "$1/$2: strongSwan: $(ia_list_sas "$1")"
}
# answerd_peers: the remote addresses of answerd's ESTABLISHED IKE SAs, sorted.
answerd_peers() {
  ia_answerd_value "$sock" "sa list" "' '.join(sorted(s['remote']['addr'] for s in r['result']['ike_sas'] if s['state'] == 'ESTABLISHED'))"
}
# expect POLICY "ADDR..." DUPLICATES: answerd's SAs and counter.
expect() {
  ia_wait_until 5 test_peers "$2" || ia_fail "unique = $1: answerd's SAs are from '$(answerd_peers)', want '$2'"
  [ "$(stat duplicates_resolved)" -eq "$3" ] || ia_fail "unique = $1: duplicates_resolved $(stat duplicates_resolved), want $3"
}
test_peers() { [ "$(answerd_peers)" = "$1" ]; }

# replace: the newer SA wins, INITIAL_CONTACT or not.
fresh replace
up ini ic
up ini2 noic
expect replace "${addr[ini2]}" 1
# Without INITIAL_CONTACT from ini2, ini may still use its SA: answerd deletes it
# with an INFORMATIONAL DELETE, so ini drops it too.
ia_wait_ike ini 0 '[A-Z_]*' 10 ||
  ia_fail "unique = replace: ini still has its replaced IKE SA (no DELETE from answerd?): $(ia_list_sas ini)"
ia_log "replace: ini2's SA replaced ini's"

# keep: the first SA stays; a second one from another address is refused.
fresh keep
up ini ic
if out=$(ia_swanctl ini2 --initiate --child noic-net --timeout 10 2>&1); then
  ia_fail "unique = keep: answerd accepted a second SA for the identity: $out"
fi
grep -q 'received AUTHENTICATION_FAILED notify error' "$(ia_charon_log ini2)" ||
  ia_fail "unique = keep: ini2 did not get AUTHENTICATION_FAILED: $out"
expect keep "${addr[ini]}" 1
ia_log "keep: the first SA kept, the second refused"

# no: duplicates stay unless the new SA carries INITIAL_CONTACT.
fresh no
up ini noic
up ini2 noic
expect no "${addr[ini]} ${addr[ini2]}" 0
ia_swanctl ini2 --terminate --ike noic --timeout 10 >/dev/null 2>&1 || ia_fail "unique = no: terminate ini2"
expect no "${addr[ini]}" 0
up ini2 ic
expect no "${addr[ini2]}" 1
ia_log "no: both kept without INITIAL_CONTACT, replaced with it"

# never: duplicates stay, INITIAL_CONTACT is ignored.
fresh never
up ini ic
up ini2 ic
expect never "${addr[ini]} ${addr[ini2]}" 0
ia_log "never: both kept despite INITIAL_CONTACT"

ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" "r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" || ia_fail "invariant_dropped"
echo "answerd_unique: replace, keep, no and never honoured with two initiators of one identity"
