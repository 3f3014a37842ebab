#!/usr/bin/env bash
# Keeps the capture + key log pipeline honest: re-runs cases of make-captures.sh
# live into a temp dir (default: psk-x25519-aes256gcm16, cert-ecdsa-p256, psk-rekey)
# and checks what the committed tests/data files are checked against:
# - the capture decodes with tshark as IKEv2: 2 IKE_SA_INIT, 2+ IKE_AUTH, 2+
#   INFORMATIONAL messages, one rekey in session.json per CREATE_CHILD_SA exchange;
# - session.json has every field, non-empty (SK_a* empty only for AEAD), and its
#   values recompute (SKEYSEED, prf+ for SK_*, CHILD_SA KEYMAT: keylog.py --check);
# - the logged SK_e*/SK_a* decrypt the capture's IKE_AUTH messages (tshark) and show
#   IDi ini.answerd.test in the request and IDr resp.answerd.test in the response.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/interop.sh"
ia_strongswan_test strongswan_keylog tcpdump tshark python3 pki
cases=${*:-psk-x25519-aes256gcm16 cert-ecdsa-p256 psk-rekey}
out=$IA_WORK/out

rc=0
"$here/make-captures.sh" "$out" $cases || rc=$?
[ "$rc" -ne 77 ] || ia_skip "make-captures.sh skipped (see above)"
[ "$rc" -eq 0 ] || ia_fail "make-captures.sh failed"

# count PCAP FILTER: number of IKE messages in PCAP matching the display filter.
count() { tshark -r "$1" -Y "$2" 2>/dev/null | grep -c . || true; }

for c in $cases; do
  pcap=$out/captures/$c.pcap session=$out/strongswan/$c/session.json
  [ -s "$session" ] || ia_fail "$c: no session.json"
  n_init=$(count "$pcap" "isakmp.exchangetype == 34")
  n_auth=$(count "$pcap" "isakmp.exchangetype == 35")
  n_info=$(count "$pcap" "isakmp.exchangetype == 37")
  [ "$n_init" -eq 2 ] || ia_fail "$c: $n_init IKE_SA_INIT messages in the capture, want 2"
  [ "$n_auth" -ge 2 ] || ia_fail "$c: $n_auth IKE_AUTH messages in the capture, want 2+"
  # Libreswan deletes its SAs silently here (it cannot add ESP SAs on this kernel).
  [ "$n_info" -ge 2 ] || [[ $c == libreswan-* ]] ||
    ia_fail "$c: $n_info INFORMATIONAL messages in the capture, want 2+"
  n_ccsa=$(count "$pcap" "isakmp.exchangetype == 36")
  n_rekeys=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1])).get("rekeys", [])))' "$session")
  [ "$n_rekeys" -eq $((n_ccsa / 2)) ] ||
    ia_fail "$c: $n_ccsa CREATE_CHILD_SA messages in the capture but $n_rekeys rekeys in session.json"
  grep -q 'IKE_SA_INIT.*Initiator Request' <<<"$(tshark -r "$pcap" -Y isakmp 2>/dev/null)" ||
    ia_fail "$c: tshark does not show the IKE_SA_INIT request"
  result=$(python3 "$IA_LIB/keylog.py" --check "$session" --pcap "$pcap") ||
    ia_fail "$c: session.json does not check"
  grep -q '^IKE_AUTH decrypts' <<<"$result" || ia_fail "$c: $result"
  ia_log "$c: $n_init IKE_SA_INIT, $n_auth IKE_AUTH, $n_ccsa CREATE_CHILD_SA, $n_info INFORMATIONAL;" \
    "keys and $n_rekeys rekeys recompute; $result"
done
echo "strongswan_keylog: $cases checked"
