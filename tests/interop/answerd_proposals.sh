#!/usr/bin/env bash
# answerd's proposal selection against a strongSwan 5.9.8 initiator (answerd in
# "resp" 192.0.2.2, dataplane = none), asserted on both sides:
# - ECP-384 (group 20) with ChaCha20-Poly1305 for IKE and ESP, and Curve25519
#   (keyword curve25519) with AES-GCM-128 and PRF-HMAC-SHA-512: ESTABLISHED with
#   those algorithms in `swanctl --list-sas` and answerd's `sa list`;
# - no common IKE proposal: answerd answers NO_PROPOSAL_CHOSEN (strongSwan logs it,
#   no SA anywhere, counted);
# - strongSwan proposes ECP-256 then X25519 and sends its KE for ECP-256, a group
#   answerd does not accept: answerd answers INVALID_KE_PAYLOAD naming X25519
#   (RFC 7296 1.2), strongSwan retries with X25519 and establishes.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_proposals

ia_topology_direct
sock=$IA_ANSWERD_SOCK
ia_answerd_write_conf proposals="chacha20poly1305-prfsha384-ecp384, aes128gcm16-prfsha512-curve25519, aes256gcm16-prfsha256-x25519" \
  esp_proposals="chacha20poly1305, aes128gcm16, aes256gcm16"
ia_answerd_run
ctl() { ia_answerd_query "$sock" "$@"; }
stat() { ia_answerd_stat "$sock" "$1"; }

conn() {  # NAME PROPOSALS ESP_PROPOSALS
  ia_answerd_peer_conn "$1" proposals="$2" esp_proposals="$3" child="$1-net" auth=psk
}
ia_charon_run ini ini "$(
  conn chacha chacha20poly1305-prfsha384-ecp384 chacha20poly1305
  conn x25519 aes128gcm16-prfsha512-curve25519 aes128gcm16
  conn nomatch aes128-sha256-modp3072 aes128-sha256
  conn invalidke aes256gcm16-prfsha256-ecp256-x25519 aes256gcm16
)"

# established IKE ENCR PRF DH CHILD_ENCR: strongSwan and answerd agree on the suite;
# then the initiator deletes the SA and answerd follows.
established() {
  local ike=$1 encr=$2 prf=$3 dh=$4 cencr=$5
  ia_initiate ini "$ike-net"
  ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "$ike: no ESTABLISHED IKE SA on strongSwan: $(ia_list_sas ini)"
  [ "$(ia_child_count ini INSTALLED)" -eq 1 ] || ia_fail "$ike: no INSTALLED CHILD_SA: $(ia_list_sas ini)"
  local k v
  for kv in "encr-alg=$encr" "prf-alg=$prf" "dh-group=$dh"; do
    k=${kv%%=*}
    v=$(ia_sa_value ini "$k")
    [ "$v" = "${kv#*=}" ] || ia_fail "$ike: strongSwan $k=$v, want ${kv#*=}"
  done
  ctl "sa list" "len(r['result']['ike_sas']) == 1 and r['result']['ike_sas'][0]['state'] == 'ESTABLISHED'
    and r['result']['ike_sas'][0]['encr'].startswith('$encr') and r['result']['ike_sas'][0]['dh_group'] == '$dh'
    and r['result']['ike_sas'][0]['prf'] == '$prf'
    and [c['encr'] for c in r['result']['ike_sas'][0]['child_sas']] and
    r['result']['ike_sas'][0]['child_sas'][0]['encr'].startswith('$cencr')" || ia_fail "$ike: answerd's sa list"
  ia_terminate_ike ini "$ike" || ia_fail "$ike: terminate"
  ia_wait_until 10 ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "$ike: answerd kept the SA after DELETE"
  ia_log "$ike: ESTABLISHED with $encr/$prf/$dh, child $cencr, on both sides"
}
established chacha CHACHA20_POLY1305 PRF_HMAC_SHA2_384 ECP_384 CHACHA20_POLY1305
established x25519 AES_GCM_16 PRF_HMAC_SHA2_512 CURVE_25519 AES_GCM_16

# No proposal in common: strongSwan gets NO_PROPOSAL_CHOSEN and gives up.
npc=$(stat no_proposal_chosen)
if out=$(ia_swanctl ini --initiate --child nomatch-net --timeout 10 2>&1); then
  ia_fail "nomatch: strongSwan established without a common proposal: $out"
fi
grep -q 'received NO_PROPOSAL_CHOSEN notify' "$(ia_charon_log ini)" ||
  ia_fail "nomatch: strongSwan did not receive NO_PROPOSAL_CHOSEN: $out"
[ "$(stat no_proposal_chosen)" -gt "$npc" ] || ia_fail "nomatch: no_proposal_chosen not counted"
ia_wait_ike ini 0 '[A-Z_]*' 10 || ia_fail "nomatch: strongSwan kept an SA: $(ia_list_sas ini)"
ctl "sa list" "r['result']['ike_sas'] == []" || ia_fail "nomatch: answerd lists an SA"
ia_log "nomatch: NO_PROPOSAL_CHOSEN, no SA on either side"

# INVALID_KE_PAYLOAD: strongSwan's KE is for ECP-256, answerd wants X25519.
ike_before=$(stat invalid_ke)
established invalidke AES_GCM_16 PRF_HMAC_SHA2_256 CURVE_25519 AES_GCM_16
grep -q 'peer didn.t accept DH group ECP_256, it requested CURVE_25519' "$(ia_charon_log ini)" ||
  ia_fail "invalidke: strongSwan did not log answerd's INVALID_KE_PAYLOAD with CURVE_25519"
[ "$(stat invalid_ke)" -eq $((ike_before + 1)) ] || ia_fail "invalidke: invalid_ke $(stat invalid_ke), want $((ike_before + 1))"
ia_log "invalidke: INVALID_KE_PAYLOAD(CURVE_25519), strongSwan retried and established"

ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" "r['result']['daemon']['ike']['sa']['ike_established'] == 3 and r['result']['daemon']['ike']['sa']['invariant_dropped'] == 0" ||
  ia_fail "answerd stats"
echo "answerd_proposals: ECP-384/ChaCha20-Poly1305, Curve25519/AES-GCM, NO_PROPOSAL_CHOSEN and INVALID_KE_PAYLOAD against strongSwan"
