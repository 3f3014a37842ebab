#!/usr/bin/env bash
# answerd as the responder, a real strongSwan 5.9.8 charon as the initiator, in
# network namespaces (initiator "ini" 192.0.2.1, answerd in "resp" 192.0.2.2) with
# dataplane = none: for each suite (X25519 + AES-GCM-256, MODP-2048 + AES-CBC +
# SHA-256, and X25519 with IKE_AUTH in RFC 7383 fragments) strongSwan reaches ESTABLISHED with its CHILD_SA INSTALLED
# (swanctl --list-sas --raw), answerd lists the IKE SA and its Child SA on its
# control socket, and the initiator's DELETE removes the SA on answerd's side.
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_answerd_test answerd_psk

ia_topology_direct
ia_answerd_write_conf proposals="aes256gcm16-prfsha256-x25519, aes128-sha256-modp2048" \
  esp_proposals="aes256gcm16, aes128-sha256"
ia_answerd_run
ctl() { ia_answerd_query "$IA_ANSWERD_SOCK" "$@"; }

conn() {  # NAME PROPOSALS ESP_PROPOSALS CHILD
  ia_answerd_peer_conn "$1" proposals="$2" esp_proposals="$3" child="$4" auth=psk
}
# start_initiator [--fragment-size N]: (re)start the strongSwan charon in "ini".
start_initiator() {
  ia_charon_run ini ini "$(
    conn gcm aes256gcm16-prfsha256-x25519 aes256gcm16 gcm-net
    conn cbc aes128-sha256-modp2048 aes128-sha256 cbc-net
  )" "$@"
}
start_initiator

# check IKE CHILD ENCR DH: the initiator establishes through answerd.
check() {
  local ike=$1 child=$2 encr=$3 dh=$4
  ia_log "$ike: initiating $child against answerd"
  ia_initiate ini "$child"
  ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "$ike: no ESTABLISHED IKE SA on the initiator: $(ia_list_sas ini)"
  [ "$(ia_child_count ini INSTALLED)" -eq 1 ] || ia_fail "$ike: no INSTALLED CHILD_SA: $(ia_list_sas ini)"
  [ "$(ia_sa_value ini encr-alg)" = "$encr" ] || ia_fail "$ike: encr-alg $(ia_sa_value ini encr-alg), want $encr"
  [ "$(ia_sa_value ini dh-group)" = "$dh" ] || ia_fail "$ike: dh-group $(ia_sa_value ini dh-group), want $dh"
  ctl "sa list" 'r["ok"] and len(r["result"]["ike_sas"]) == 1 and r["result"]["ike_sas"][0]["state"] == "ESTABLISHED" and r["result"]["ike_sas"][0]["role"] == "responder" and r["result"]["ike_sas"][0]["remote"]["id"] == "ini.answerd.test" and len(r["result"]["ike_sas"][0]["child_sas"]) == 1' ||
    ia_fail "$ike: answerd's sa list"
  ia_terminate_ike ini "$ike" || ia_fail "$ike: terminate"
  ia_wait_until 10 ctl "sa list" 'r["ok"] and r["result"]["ike_sas"] == []' ||
    ia_fail "$ike: answerd kept the IKE SA after the initiator's DELETE"
  ia_log "$ike: ESTABLISHED with CHILD_SA INSTALLED on strongSwan, listed and deleted on answerd"
}
check gcm gcm-net AES_GCM_16 CURVE_25519
check cbc cbc-net AES_CBC MODP_2048
# RFC 7383: strongSwan sends IKE_AUTH in encrypted fragments of at most 200 octets.
ia_charon_stop ini
start_initiator --fragment-size 200
check gcm gcm-net AES_GCM_16 CURVE_25519
ia_bg_running answerd || ia_fail "answerd exited"
ctl "stats show" 'r["result"]["daemon"]["ike"]["sa"]["ike_established"] == 3 and r["result"]["daemon"]["ike"]["sa"]["fragments_received"] >= 2 and r["result"]["daemon"]["ike"]["sa"]["invariant_dropped"] == 0' ||
  ia_fail "answerd stats"
echo "answerd_psk: strongSwan established PSK IKE SAs with answerd (GCM/X25519, CBC/MODP-2048, fragmented IKE_AUTH)"
