#!/usr/bin/env bash
# answerctl ike decode: plain and JSON output for a hex message (golden text in
# tests/data/wire/) and for a strongSwan capture (tests/data/captures/), and clean
# `answerctl: ...` errors with a non-zero exit on bad input.
set -euo pipefail
src=${ANSWERD_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
ctl=${ANSWERD_BUILD_DIR:?}/tools/answerctl/answerctl
data=$src/tests/data
fails=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

# --hex: text output equals the reviewed golden file.
hex=$(cat "$data/wire/ike_sa_init_request.hex")
check "hex text output" diff -u "$data/wire/ike_sa_init_request.txt" <("$ctl" ike decode --hex "$hex")
# Abbreviated command, separators and a 0x prefix are accepted.
check "hex with separators" diff -u "$data/wire/ike_sa_init_request.txt" \
  <("$ctl" ike d --hex "0x$(echo "$hex" | sed 's/../&:/g; s/:$//')")

# --hex -j: the documented JSON fields.
"$ctl" -j ike decode --hex "$hex" | python3 -c '
import json, sys
m = json.load(sys.stdin)["messages"][0]
assert m["exchange"] == "IKE_SA_INIT" and m["initiator"] and not m["response"], m
assert m["spi_i"] == "1122334455667788" and m["spi_r"] == "0000000000000000" and m["message_id"] == 0
sa = m["payloads"][0]
assert sa["type"] == "SA" and sa["critical"] is False
t = sa["proposals"][0]["transforms"][0]
assert (t["type"], t["id"], t["name"], t["key_length"]) == ("ENCR", 20, "AES_GCM_16", 256), t
assert sa["proposals"][1]["transforms"][3]["name"] == "MODP_2048"
assert m["payloads"][1]["group"] == "CURVE_25519"
n = [p for p in m["payloads"] if p["type"] == "N"]
assert [p["name"] for p in n][:3] == ["NAT_DETECTION_SOURCE_IP", "NAT_DETECTION_DESTINATION_IP",
                                      "IKEV2_FRAGMENTATION_SUPPORTED"], n
assert n[0]["notify_type"] == 16388 and len(n[0]["data"]) == 40
' && echo "ok: hex JSON output" || { echo "FAIL: hex JSON output"; fails=$((fails + 1)); }

# Errors: answerctl: message on stderr, {"error"} with -j, non-zero exit, no crash.
expect_error() { # expect_error DESCRIPTION ARGS...
  local out rc=0
  out=$("$ctl" "${@:2}" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && [[ $out == answerctl:* ]]; then
    echo "ok: $1"
  else
    echo "FAIL: $1 (rc=$rc, stderr: $out)"; fails=$((fails + 1))
  fi
}
expect_error "odd hex digits" ike decode --hex abc
expect_error "non-hex" ike decode --hex zz
expect_error "short message" ike decode --hex 0011
expect_error "bad major version" ike decode --hex "${hex:0:34}30${hex:36}"
expect_error "truncated message" ike decode --hex "${hex:0:100}"
expect_error "missing file" ike decode --pcap /nonexistent.pcap
expect_error "no input" ike decode
expect_error "both inputs" ike decode --hex 00 --pcap x
[ "$("$ctl" -j ike decode --hex zz 2>/dev/null | python3 -c 'import json,sys; print("error" in json.load(sys.stdin))')" = True ] &&
  echo "ok: JSON error" || { echo "FAIL: JSON error"; fails=$((fails + 1)); }

# --pcap on a real strongSwan session.
cap=$data/captures/psk-x25519-aes256gcm16.pcap
if [ -f "$cap" ]; then
  text=$("$ctl" ike decode --pcap "$cap")
  check "pcap text: IKE_SA_INIT request" grep -q '^  SA #1 IKE ENCR=AES_GCM_16/256 PRF=PRF_HMAC_SHA2_256 KE=CURVE_25519$' <<<"$text"
  check "pcap text: addresses" grep -Eq '^#1 [0-9T:.-]+Z 192\.0\.2\.1:500 -> 192\.0\.2\.2:500$' <<<"$text"
  check "pcap text: IKE_AUTH SK" grep -Eq '^  SK \(encrypted, [0-9]+ bytes, first payload IDi\)$' <<<"$text"
  check "pcap text: KE group" grep -q '^  KE CURVE_25519, 32 bytes$' <<<"$text"
  "$ctl" -j ike decode --pcap "$cap" | python3 -c '
import json, sys
ms = json.load(sys.stdin)["messages"]
assert [m["exchange"] for m in ms[:4]] == ["IKE_SA_INIT", "IKE_SA_INIT", "IKE_AUTH", "IKE_AUTH"], ms
assert ms[0]["source"] == "192.0.2.1:500" and ms[0]["destination"] == "192.0.2.2:500"
assert ms[0]["time"].endswith("Z") and ms[0]["frame"] >= 1
assert all(m["spi_i"] == ms[0]["spi_i"] for m in ms)
assert all(m["spi_r"] == ms[1]["spi_r"] != "0000000000000000" for m in ms[1:])
assert ms[2]["payloads"][0]["type"] == "SK" and ms[2]["payloads"][0]["first_payload"] == "IDi"
' && echo "ok: pcap JSON output" || { echo "FAIL: pcap JSON output"; fails=$((fails + 1)); }
else
  echo "FAIL: $cap missing (tests/interop/make-captures.sh tests/data)"; fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
