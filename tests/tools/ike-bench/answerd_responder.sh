#!/usr/bin/env bash
# ike-bench against answerd as the responder (dataplane = none) in network
# namespaces (ike-bench in "ini" 192.0.2.1, answerd in "resp" 192.0.2.2), PSK with
# x25519 and AES-GCM: 30 negotiations with a Child SA and 30 childless (RFC 6023,
# from 4 source ports: --ports), concurrency 10, each peer with its own ID; the
# JSON reports every one completed, answerd's control socket lists them all as
# responder SAs; then a run with
# --delete leaves answerd with nothing, and a wrong PSK is AUTHENTICATION_FAILED.
# Then with ECDSA P-256 certificates on both sides (10 negotiations, RFC 7427), and
# an initiator certificate from a CA answerd does not trust is refused.
# answerd comes from ANSWERD_BIN or $ANSWERD_BUILD_DIR/userspace/daemon/answerd.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ib_init ike_bench_answerd jq python3
ib_answerd_bin
bench=$IB_BENCH answerd=$IB_ANSWERD
psk="ike-bench answerd interop key"

ia_topology_direct
sock=$IA_WORK/answerd.sock
ib_answerd_conf secret="$psk" child=net remote_ts=10.1.0.0/16 >"$IA_WORK/answerd.conf"
ia_answerd_start "$answerd" resp "$IA_WORK/answerd.conf" "$sock" "$IA_WORK/answerd.log"

ctl() { ia_answerd_query "$sock" "$@"; }
bench() {
  local name=$1
  shift
  ia_ns_exec ini "$bench" --target 192.0.2.2 --remote-id hub.example --proposal aes256gcm16-prfsha256-x25519 \
    --json "$IA_WORK/$name.json" "$@" >"$IA_WORK/$name.txt" 2>&1 || true
  cat "$IA_WORK/$name.txt" >&2
}
field() { jq -r "$2" "$IA_WORK/$1.json"; }

bench child --psk "$psk" --count 30 --concurrency 10 --esp aes256gcm16 --tsi 10.1.0.0/16 --tsr 10.2.0.0/24 \
  --id-pattern 'site-%d.example'
[ "$(field child .completed)" = 30 ] || ia_fail "child: completed $(field child .completed), failures $(field child .failures)"
bench childless --psk "$psk" --count 30 --concurrency 10 --childless --id-pattern 'spoke-%d.example' --ports 4
[ "$(field childless .completed)" = 30 ] ||
  ia_fail "childless: completed $(field childless .completed), failures $(field childless .failures)"
ctl "sa list" 'r["ok"] and len(r["result"]["ike_sas"]) == 60 and all(s["role"] == "responder" and s["state"] == "ESTABLISHED" for s in r["result"]["ike_sas"]) and sum(len(s["child_sas"]) for s in r["result"]["ike_sas"]) == 30' ||
  ia_fail "answerd does not list 60 established responder SAs with 30 Child SAs"
ctl "sa list" 'len({s["remote"]["port"] for s in r["result"]["ike_sas"] if "spoke-" in s["remote"]["id"]}) == 4' ||
  ia_fail "--ports 4: answerd does not see 4 source ports for the childless SAs"

bench del --psk "$psk" --count 20 --concurrency 5 --childless --delete --id-pattern 'gone-%d.example'
[ "$(field del .completed)" = 20 ] || ia_fail "delete: completed $(field del .completed)"
ctl "sa list" 'r["ok"] and len(r["result"]["ike_sas"]) == 60' || ia_fail "answerd kept SAs that were deleted"

bench wrong --psk "not the key" --count 5 --concurrency 5 --childless --tries 2 --retransmit-ms 200
[ "$(field wrong '.failures.AUTHENTICATION_FAILED')" = 5 ] || ia_fail "wrong psk: failures $(field wrong .failures)"

# Certificates (RFC 7427): answerd restarted with an ECDSA P-256 certificate and
# the test CA as the peers' trust anchor; ike-bench signs with an ECDSA P-256
# certificate from that CA and checks answerd's signature with answerd's CERT. A
# certificate from another CA is refused.
ia_require_cmd pki
pki_dir=$IA_WORK/pki
ia_pki_ca "$pki_dir" ca
ia_pki_ca "$pki_dir" rogue
ia_pki_leaf "$pki_dir" hub ca hub.example
ia_pki_leaf "$pki_dir" spoke ca spoke.answerd.test
ia_pki_leaf "$pki_dir" intruder rogue intruder.answerd.test
ia_bg_stop answerd 2 || true
rm -f "$sock"
ib_answerd_conf auth=pubkey certs="$pki_dir/hub.pem" cacerts="$pki_dir/ca.pem" key="$pki_dir/hub.key" \
  >"$IA_WORK/answerd-cert.conf"
ia_answerd_start "$answerd" resp "$IA_WORK/answerd-cert.conf" "$sock" "$IA_WORK/answerd-cert.log"
bench cert --cert "$pki_dir/spoke.pem" --key "$pki_dir/spoke.key" --cacert "$pki_dir/ca.pem" \
  --id-pattern spoke.answerd.test --count 10 --concurrency 5 --childless
[ "$(field cert .completed)" = 10 ] || ia_fail "cert: completed $(field cert .completed), failures $(field cert .failures)"
ctl "sa list" 'r["ok"] and len(r["result"]["ike_sas"]) >= 1 and all(s["auth"] != "psk" for s in r["result"]["ike_sas"])' ||
  ia_fail "answerd does not list the certificate-authenticated SAs"
bench rogue --cert "$pki_dir/intruder.pem" --key "$pki_dir/intruder.key" --id-pattern intruder.answerd.test \
  --count 3 --concurrency 3 --childless --tries 2 --retransmit-ms 200
[ "$(field rogue '.failures.AUTHENTICATION_FAILED')" = 3 ] || ia_fail "rogue CA: failures $(field rogue .failures)"
echo "ike_bench_answerd: 60 negotiations (Child SA and childless) listed by answerd, DELETE honoured, AUTHENTICATION_FAILED; ECDSA certificates both ways, a foreign CA refused"
