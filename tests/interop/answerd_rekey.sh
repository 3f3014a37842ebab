#!/usr/bin/env bash
# Peer-initiated rekeying against answerd (responder, dataplane = none), no traffic:
# strongSwan 5.9.8 initiates with short lifetimes and answerd answers every
# CREATE_CHILD_SA / new IKE_SA_INIT (it never starts one itself):
# - "rekey": IKE SA rekey_time 6 s (RFC 7296 2.18: CREATE_CHILD_SA with new SPIs and
#   a KE) and Child SA rekey_time 3 s (2.8: REKEY_SA) with PFS (esp_proposals
#   aes256gcm16-x25519: each Child SA rekey carries KE payloads, 1.3.3, whose DH
#   answerd runs as a worker-pool job): after ~16 s the stats ike_rekeyed/
#   child_rekeyed grew, answerd's SPIs changed, strongSwan's rekeyed Child SA shows
#   dh-group CURVE_25519, answerd logged each PFS install and `answerctl -j sa list`
#   shows the same dh_group for each Child SA (NONE for IKE_AUTH's); then a second Child SA
#   "rekey-host" (host selectors inside the first's, which answerd's child "net"
#   narrows to; CREATE_CHILD_SA { SA, Ni, KEi, TSi, TSr }, 1.3.1) is added with
#   PFS on the same IKE SA;
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
# PFS proposal first; the reauth case's children (no DH) take the second.
ia_answerd_conf local_addrs="$IA_RESP_ADDR" remote_addrs="$IA_INI_ADDR" secret="$psk" control_socket="$sock" \
  esp_proposals="aes256gcm16-x25519, aes256gcm16" >"$IA_WORK/answerd.conf"
ia_answerd_start "$answerd" resp "$IA_WORK/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

conn() {  # NAME CONN_EXTRA CHILD_EXTRA
  ia_conn "$1" local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
    remote_ts="$IA_RESP_NET" local_id=ini.answerd.test remote_id=resp.answerd.test secret="$psk" \
    child="$1-net" conn_extra="$2" child_extra="$3"
}
# A second child of "rekey" (ia_conn writes one): host selectors inside the first's.
ini_host=${IA_INI_NET%/*} resp_host=${IA_RESP_NET%/*}
ini_host=${ini_host%.*}.1 resp_host=${resp_host%.*}.1
host_child() {
  sed "/^      rekey-net {\$/i\\
      rekey-host {\\
        local_ts = $ini_host/32\\
        remote_ts = $resp_host/32\\
        esp_proposals = aes256gcm16-x25519\\
        start_action = none\\
      }"
}
ia_charon_setup ini ini --log "default=1 ike=2 cfg=1 chd=2 knl=0"
{
  conn rekey "rekey_time = 6s;over_time = 20s;rand_time = 1s" \
    "rekey_time = 3s;life_time = 60s;rand_time = 1s;esp_proposals = aes256gcm16-x25519" | host_child
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
# child_pfs MIN: strongSwan has MIN+ INSTALLED Child SAs and each shows dh-group
# CURVE_25519 (rekeyed ones stay listed a while as DELETED: not counted).
child_pfs() {
  local list installed dh n
  list=$(ia_list_sas ini)
  installed=$(grep -o 'child-sas.*' <<<"$list" | grep -o '[a-z0-9-]* {[^{}]*}' | grep 'state=INSTALLED' || true)
  n=$(grep -c . <<<"$installed" || true)
  dh=$(grep -c 'dh-group=CURVE_25519' <<<"$installed" || true)
  [ "$n" -ge "$1" ] && [ "$dh" -eq "$n" ] ||
    ia_fail "want $1+ INSTALLED Child SAs, each with dh-group CURVE_25519; $dh of $n have it: $list"
  echo "$n INSTALLED Child SAs ($(grep -o '^[a-z0-9-]*' <<<"$installed" | sed 's/-[0-9]*$//' | sort | uniq -c | xargs)) with CURVE_25519"
}
# dh_match MIN: each INSTALLED Child SA of strongSwan (MIN+) has its counterpart in
# `answerctl -j sa list` (answerd's spi_in is strongSwan's spi-out) with the same DH
# group: strongSwan's dh-group (CURVE_25519 after a PFS rekey), "NONE" where it lists
# none (IKE_AUTH's Child SA). Prints the groups matched.
dh_match() {
  local sw aj rc=0
  sw=$(ia_list_sas ini)
  aj=$(ia_answerctl "$sock" -j sa list) || rc=$?
  [ "$rc" -eq 0 ] || ia_fail "answerctl -j sa list failed (rc $rc; 127: answerctl not built)"
  python3 - "$1" "$sw" "$aj" <<'PY' || ia_fail "Child SA DH groups differ: strongSwan $sw; answerd $aj"
import json, re, sys
want, sw, aj = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ours = {c["spi_in"]: c["dh_group"] for s in aj["ike_sas"] for c in s["child_sas"]}
seen = []
for body in re.findall(r"[a-z0-9-]+ \{([^{}]*)\}", sw.split("child-sas", 1)[-1]):
    f = dict(kv.split("=", 1) for kv in body.split() if "=" in kv)
    if f.get("state") != "INSTALLED":
        continue
    theirs = f.get("dh-group", "NONE")
    got = ours.get(f.get("spi-out", ""))
    if got != theirs:
        sys.exit(f"Child SA {f.get('name')} spi-out {f.get('spi-out')}: strongSwan {theirs}, answerd {got}")
    seen.append(f"{f.get('name')}={got}")
if len(seen) < want:
    sys.exit(f"{len(seen)} INSTALLED Child SAs matched, want {want}+")
print(" ".join(sorted(seen)))
PY
}
pfs_installs() { grep -c 'installed, SPIs in .*, PFS CURVE_25519' "$IA_WORK/answerd.log" || true; }
spis() { ia_answerd_value "$sock" "sa list" "' '.join([s['spi_i'] + '/' + c['spi_in'] for s in r['result']['ike_sas'] for c in s['child_sas']])"; }

# Phase 1: IKE SA rekey and Child SA rekey with PFS.
ia_initiate ini rekey-net
settled rekey
ike0=$(stat ike_rekeyed) child0=$(stat child_rekeyed) spi0=$(spis)
first=$(grep -m1 'installed, SPIs' "$IA_WORK/answerd.log")
[[ "$first" != *PFS* ]] || ia_fail "IKE_AUTH's Child SA (no KE payload) was logged with PFS: $first"
dh0=$(dh_match 1)  # IKE_AUTH's Child SA has no group, unless its first rekey (3 s) came meanwhile
[[ "$dh0" == *rekey-net=NONE* ]] || [ "$(stat child_rekeyed)" -gt "$child0" ] ||
  ia_fail "IKE_AUTH's Child SA (no KE payload) has a DH group in answerctl sa list: $dh0"
two=$(watch 16)
settled rekey
ike1=$(stat ike_rekeyed) child1=$(stat child_rekeyed) spi1=$(spis)
[ "$ike1" -ge $((ike0 + 2)) ] || ia_fail "ike_rekeyed $ike0 -> $ike1 in 16 s, want 2+ rekeys (rekey_time = 6s)"
[ "$child1" -ge $((child0 + 3)) ] || ia_fail "child_rekeyed $child0 -> $child1 in 16 s, want 3+ (rekey_time = 3s)"
[ "${spi0%%/*}" != "${spi1%%/*}" ] && [ "${spi0#*/}" != "${spi1#*/}" ] ||
  ia_fail "answerd's IKE/Child SPIs did not change: $spi0 -> $spi1"

# PFS: strongSwan's rekeyed Child SA names the group, answerd installed each rekey with it.
child_pfs 1 >/dev/null
dh1=$(dh_match 1)
[[ "$dh1" == *rekey-net=CURVE_25519* ]] || ia_fail "answerctl sa list: rekeyed Child SA without CURVE_25519: $dh1"
pfs1=$(pfs_installs)
[ "$pfs1" -ge $((child1 - child0)) ] || ia_fail "answerd logged $pfs1 PFS installs for $((child1 - child0)) Child SA rekeys"
ia_log "rekey: ike_rekeyed +$((ike1 - ike0)), child_rekeyed +$((child1 - child0)) ($pfs1 with PFS; sa list $dh1), $two overlap samples, SPIs $spi0 -> $spi1"

# An additional Child SA with PFS on the established IKE SA (CREATE_CHILD_SA without REKEY_SA).
ccs0=$(stat create_child_sa) inst0=$(stat child_installed) rk0=$(stat child_rekeyed)
ia_initiate ini rekey-host
[ "$(ia_ike_count ini)" -eq 1 ] || ia_fail "second Child SA: strongSwan made a new IKE SA: $(ia_list_sas ini)"
ia_wait_until 10 ctl "sa list" "len(r['result']['ike_sas']) == 1 and any(c['local_ts'] == ['$resp_host']
    and c['remote_ts'] == ['$ini_host'] for c in r['result']['ike_sas'][0]['child_sas'])" ||
  ia_fail "answerd's sa list has no Child SA narrowed to $resp_host === $ini_host"
dh=$(child_pfs 2)
dh2=$(dh_match 2)
[[ "$dh2" == *rekey-host=CURVE_25519* ]] || ia_fail "answerctl sa list: added Child SA without CURVE_25519: $dh2"
plain=$(ia_answerctl "$sock" sa list)
grep -q "^ *child net INSTALLED tunnel $resp_host === $ini_host .* PFS CURVE_25519," <<<"$plain" ||
  ia_fail "plain answerctl sa list: no rekey-host row with PFS CURVE_25519: $plain"
ccs1=$(stat create_child_sa) inst1=$(stat child_installed) rk1=$(stat child_rekeyed)
[ $((inst1 - inst0)) -gt $((rk1 - rk0)) ] || ia_fail "child_installed +$((inst1 - inst0)), all of them rekeys"
ia_log "extra Child SA with PFS: create_child_sa +$((ccs1 - ccs0)), child_installed +$((inst1 - inst0)), strongSwan: $dh, answerctl sa list: $dh2"
ia_terminate_ike ini rekey || ia_fail "terminate rekey"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "rekey: answerd kept an SA after DELETE"

# Phase 2: reauthentication (a new IKE SA replaces the old one).
est0=$(stat ike_established) del0=$(stat ike_deleted)
ia_initiate ini reauth-net
settled reauth
two=$(watch 15)
settled reauth
# Reauthentication makes new Child SAs in IKE_AUTH (no KE payload): no PFS group.
dh3=$(dh_match 1)
[[ "$dh3" == reauth-net=NONE* && "$dh3" != *CURVE* ]] || ia_fail "reauth: Child SA DH group: $dh3"
grep -q '^ *child net INSTALLED .* PFS NONE,' <<<"$(ia_answerctl "$sock" sa list)" ||
  ia_fail "plain answerctl sa list: no Child SA row with PFS NONE: $(ia_answerctl "$sock" sa list)"
est1=$(stat ike_established) del1=$(stat ike_deleted)
[ $((est1 - est0)) -ge 3 ] || ia_fail "ike_established +$((est1 - est0)) in 15 s of reauth_time = 5s, want 3+"
[ $((del1 - del0)) -ge 2 ] || ia_fail "ike_deleted +$((del1 - del0)) in 15 s of reauth_time = 5s, want 2+"
grep -q 'reauthenticating IKE_SA' "$(ia_charon_log ini)" || ia_fail "strongSwan did not log a reauthentication"
ia_log "reauth: ike_established +$((est1 - est0)), ike_deleted +$((del1 - del0)), $two overlap samples"
ia_terminate_ike ini reauth || ia_fail "terminate reauth"
ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "reauth: answerd kept an SA after DELETE"

ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" "r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" || ia_fail "invariant_dropped is not 0"
echo "answerd_rekey: strongSwan rekeyed IKE ($((ike1 - ike0))x) and Child SAs with PFS ($((child1 - child0))x), added a PFS Child SA and reauthenticated ($((est1 - est0))x) with answerd, one IKE SA throughout"
