#!/usr/bin/env bash
# Peer-initiated rekeying against answerd (responder, dataplane = none), no traffic:
# strongSwan 5.9.8 initiates with short lifetimes and answerd answers every
# CREATE_CHILD_SA / new IKE_SA_INIT (it never starts one itself):
# - "rekey": IKE SA rekey_time 6 s (RFC 7296 2.18: CREATE_CHILD_SA with new SPIs and
#   a KE) and Child SA rekey_time 3 s (2.8: REKEY_SA): after ~16 s the stats
#   ike_rekeyed/child_rekeyed grew, answerd's SPIs changed;
# - "reauth": reauth_time 5 s (a fresh IKE_SA_INIT + IKE_AUTH, the old SA deleted).
# Throughout, sampled every 0.5 s, strongSwan and answerd each hold one IKE SA
# (two only during a make-before-break overlap, never more), and at the end of each
# phase exactly one, ESTABLISHED, with its Child SA; invariant_dropped stays 0.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_init answerd_rekey
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
answerd=$(ia_answerd_bin)
psk="answerd interop test key for answerd_rekey"

ia_topology_direct
sock=$IA_WORK/answerd.sock
ia_answerd_conf local_addrs="$IA_RESP_ADDR" remote_addrs="$IA_INI_ADDR" secret="$psk" control_socket="$sock" \
  >"$IA_WORK/answerd.conf"
ia_answerd_start "$answerd" resp "$IA_WORK/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

conn() {  # NAME CONN_EXTRA CHILD_EXTRA
  ia_conn "$1" local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
    remote_ts="$IA_RESP_NET" local_id=ini.answerd.test remote_id=resp.answerd.test secret="$psk" \
    child="$1-net" conn_extra="$2" child_extra="$3"
}
ia_charon_setup ini ini --log "default=1 ike=2 cfg=1 chd=2 knl=0"
{
  conn rekey "rekey_time = 6s;over_time = 20s;rand_time = 1s" "rekey_time = 3s;life_time = 60s;rand_time = 1s"
  conn reauth "reauth_time = 5s;over_time = 20s;rand_time = 1s" "rekey_time = 0s;life_time = 60s"
} | ia_swanctl_conf ini
ia_charon_start ini
ia_swanctl_load ini

# watch SECONDS: sample both sides every 0.5 s; fail on more than 2 IKE SAs on a
# side; print how many samples saw 2 (a make-before-break overlap).
watch() {
  local end=$((SECONDS + $1)) a s two=0
  while [ "$SECONDS" -lt "$end" ]; do
    a=$(ia_answerd_ike_count "$sock")
    s=$(ia_ike_count ini)
    [ "$a" -le 2 ] && [ "$s" -le 2 ] || ia_fail "$a IKE SAs on answerd, $s on strongSwan: $(ia_list_sas ini)"
    [ "$a" -le 1 ] && [ "$s" -le 1 ] || two=$((two + 1))
    sleep 0.5
  done
  echo "$two"
}
# settled NAME: one ESTABLISHED IKE SA with one INSTALLED Child SA on both sides.
settled() {
  ia_wait_ike ini 1 ESTABLISHED 10 && [ "$(ia_ike_count ini)" -eq 1 ] ||
    ia_fail "$1: strongSwan: $(ia_list_sas ini)"
  ia_wait_until 10 ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
    and len(r['result']['ike_sas'][0]['child_sas']) == 1" || ia_fail "$1: answerd's sa list"
}
spis() { ia_answerd_value "$sock" "sa list" "' '.join([s['spi_i'] + '/' + c['spi_in'] for s in r['result']['ike_sas'] for c in s['child_sas']])"; }

# Phase 1: IKE SA rekey and Child SA rekey.
ia_initiate ini rekey-net
settled rekey
ike0=$(stat ike_rekeyed) child0=$(stat child_rekeyed) spi0=$(spis)
two=$(watch 16)
settled rekey
ike1=$(stat ike_rekeyed) child1=$(stat child_rekeyed) spi1=$(spis)
[ "$ike1" -ge $((ike0 + 2)) ] || ia_fail "ike_rekeyed $ike0 -> $ike1 in 16 s, want 2+ rekeys (rekey_time = 6s)"
[ "$child1" -ge $((child0 + 3)) ] || ia_fail "child_rekeyed $child0 -> $child1 in 16 s, want 3+ (rekey_time = 3s)"
[ "${spi0%%/*}" != "${spi1%%/*}" ] && [ "${spi0#*/}" != "${spi1#*/}" ] ||
  ia_fail "answerd's IKE/Child SPIs did not change: $spi0 -> $spi1"

ia_log "rekey: ike_rekeyed +$((ike1 - ike0)), child_rekeyed +$((child1 - child0)), $two overlap samples, SPIs $spi0 -> $spi1"
ia_terminate_ike ini rekey || ia_fail "terminate rekey"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "rekey: answerd kept an SA after DELETE"

# Phase 2: reauthentication (a new IKE SA replaces the old one).
est0=$(stat ike_established) del0=$(stat ike_deleted)
ia_initiate ini reauth-net
settled reauth
two=$(watch 15)
settled reauth
est1=$(stat ike_established) del1=$(stat ike_deleted)
[ $((est1 - est0)) -ge 3 ] || ia_fail "ike_established +$((est1 - est0)) in 15 s of reauth_time = 5s, want 3+"
[ $((del1 - del0)) -ge 2 ] || ia_fail "ike_deleted +$((del1 - del0)) in 15 s of reauth_time = 5s, want 2+"
grep -q 'reauthenticating IKE_SA' "$(ia_charon_log ini)" || ia_fail "strongSwan did not log a reauthentication"
ia_log "reauth: ike_established +$((est1 - est0)), ike_deleted +$((del1 - del0)), $two overlap samples"
ia_terminate_ike ini reauth || ia_fail "terminate reauth"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "reauth: answerd kept an SA after DELETE"

ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" "r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" || ia_fail "invariant_dropped is not 0"
echo "answerd_rekey: strongSwan rekeyed IKE ($((ike1 - ike0))x) and Child SAs ($((child1 - child0))x) and reauthenticated ($((est1 - est0))x) with answerd, one IKE SA throughout"
