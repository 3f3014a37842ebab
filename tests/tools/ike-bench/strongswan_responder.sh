#!/usr/bin/env bash
# ike-bench against a real strongSwan responder (charon in namespace "resp",
# ike-bench in "ini"), PSK with x25519 and AES-GCM:
#  1. 50 negotiations, concurrency 10, childless (RFC 6023), from 5 local addresses
#     (--local-range): the JSON says 50 completed / 0 failed and swanctl --list-sas
#     shows 50 ESTABLISHED IKE SAs from those 5 addresses;
#  2. the same with a Child SA (kernel-libipsec, this kernel has no ESP): 50 IKE SAs
#     and 50 INSTALLED CHILD_SAs;
#  2b. 10 negotiations with 2 Child SA rekeys each (CREATE_CHILD_SA + DELETE of the
#     old Child SA): 20 rekeys reported, the responder keeps 10 INSTALLED CHILD_SAs;
#  3. --delete: every IKE SA is gone from the responder afterwards;
#  4. a wrong PSK: 5 failures counted as AUTHENTICATION_FAILED, none completed;
#  5. flood --kind init at 200/s for 1 s: nft counts exactly the 200 datagrams
#     ike-bench reports as sent, at the responder's port 500;
#  7. certificates: ECDSA P-256 and Ed25519 initiator certificates from a test CA,
#     10 negotiations each against the responder's ECDSA certificate (RFC 7427);
#  6. flood --kind role-violation from 50 spoofed sources (raw socket): nft counts
#     the 100 datagrams, from exactly those sources, before any routing check.
# strongSwan's block_threshold (half-open SAs per peer address) is raised, and its
# cookie_threshold lowered so that COOKIE round trips are exercised too.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
. "$src/tests/interop/lib/interop.sh"
ia_strongswan_test ike_bench_strongswan jq nft pki
bench=${ANSWERD_BUILD_DIR:-$src/build}/tools/ike-bench/ike-bench
[ -x "$bench" ] || ia_skip "ike-bench not built at $bench"

ia_topology_direct
psk="ike-bench interop key"
ia_charon_setup resp resp --conf "  block_threshold = 1000
  cookie_threshold = 5
  init_limit_half_open = 0"
pki_dir=$IA_WORK/pki
ia_pki_ca "$pki_dir" ca
ia_pki_leaf "$pki_dir" resp ca resp.answerd.test
ia_pki_leaf "$pki_dir" ecdsa ca ecdsa.answerd.test
ia_pki_leaf "$pki_dir" ed ca ed.answerd.test ed25519 0
conns() {
  ia_conn hub local_addrs=192.0.2.2 local_id=hub.example remote_id=%any secret="$psk" \
    local_ts=10.2.0.0/24 remote_ts=10.1.0.0/16 child=net conn_extra="childless = allow"
  ia_conn cert local_addrs=192.0.2.2 local_id=resp.answerd.test remote_id=%any auth=pubkey \
    certs=resp.pem child=certnet conn_extra="childless = allow"
}
conns | ia_swanctl_conf resp
ia_pki_install resp "$pki_dir" --ca ca --cert resp --key resp
ia_charon_start resp
ia_swanctl_load resp

# bench NAME ARGS...: run ike-bench in "ini", JSON into $IA_WORK/NAME.json
bench() {
  local name=$1
  shift
  local auth=(--psk "${bench_psk:-$psk}") rid=hub.example
  if [[ " $* " == *" --cert "* ]]; then auth=(); rid=resp.answerd.test; fi
  ia_ns_exec ini "$bench" --target 192.0.2.2 "${auth[@]}" --remote-id "$rid" \
    --proposal aes256gcm16-prfsha256-x25519 --json "$IA_WORK/$name.json" "$@" >"$IA_WORK/$name.txt" 2>&1 || true
  cat "$IA_WORK/$name.txt" >&2
}
field() { jq -r "$2" "$IA_WORK/$1.json"; }
reset_sas() {
  ia_charon_stop resp
  ia_charon_start resp
  ia_swanctl_load resp
}

ia_log "1. childless, 50 negotiations, concurrency 10"
for i in 10 11 12 13 14; do ia_addr_add ini 192.0.2.$i/32; done
bench childless --count 50 --concurrency 10 --childless --id-pattern 'spoke-%d.example' \
  --local-range 192.0.2.10-192.0.2.14
[ "$(field childless .completed)" = 50 ] || ia_fail "childless: completed $(field childless .completed), want 50"
[ "$(field childless .failed)" = 0 ] || ia_fail "childless: failures $(field childless .failures)"
ia_wait_ike resp 50 ESTABLISHED 10 || ia_fail "childless: responder has $(ia_ike_count resp ESTABLISHED) IKE SAs, want 50"
[ "$(ia_child_count resp)" = 0 ] || ia_fail "childless: responder has CHILD_SAs"
peers=$(ia_list_sas resp | grep -o 'remote-host=192\.0\.2\.[0-9]*' | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')
[ "$peers" = "10xremote-host=192.0.2.10 10xremote-host=192.0.2.11 10xremote-host=192.0.2.12 10xremote-host=192.0.2.13 10xremote-host=192.0.2.14 " ] ||
  ia_fail "childless: IKE SAs by peer address: $peers"
[ "$(field childless .latency_ms.p99)" != 0 ] || ia_fail "childless: no latency recorded"
# cookie_threshold 5 < concurrency 10: the responder asked for COOKIEs and we answered them.
[ "$(field childless .init_retries)" -gt 0 ] || ia_fail "childless: no COOKIE round trip seen"

ia_log "2. with a Child SA, 50 negotiations, concurrency 10"
reset_sas
bench child --count 50 --concurrency 10 --esp aes256gcm16 --tsi 10.1.0.0/16 --tsr 10.2.0.0/24 --id-pattern 'site-%d.example'
[ "$(field child .completed)" = 50 ] || ia_fail "child: completed $(field child .completed), want 50"
[ "$(field child .failed)" = 0 ] || ia_fail "child: failures $(field child .failures)"
ia_wait_ike resp 50 ESTABLISHED 10 || ia_fail "child: responder has $(ia_ike_count resp ESTABLISHED) IKE SAs"
[ "$(ia_child_count resp INSTALLED)" = 50 ] || ia_fail "child: responder has $(ia_child_count resp INSTALLED) CHILD_SAs"

ia_log "2b. Child SA rekeys"
reset_sas
bench rekey --count 10 --concurrency 5 --esp aes256gcm16 --tsi 10.1.0.0/16 --tsr 10.2.0.0/24 --rekeys 2 \
  --id-pattern 'rekey-%d.example'
[ "$(field rekey .completed)" = 10 ] || ia_fail "rekey: completed $(field rekey .completed), failures $(field rekey .failures)"
[ "$(field rekey .child_rekeys)" = 20 ] || ia_fail "rekey: $(field rekey .child_rekeys) rekeys, want 20"
ia_wait_ike resp 10 ESTABLISHED 10 || ia_fail "rekey: responder has $(ia_ike_count resp ESTABLISHED) IKE SAs"
[ "$(ia_child_count resp INSTALLED)" = 10 ] || ia_fail "rekey: responder has $(ia_child_count resp INSTALLED) CHILD_SAs, want 10"
grep -q "CREATE_CHILD_SA request 2 \[ N(REKEY_SA) SA No TSi TSr \]" "$(ia_charon_log resp)" ||
  ia_fail "rekey: the responder log shows no CREATE_CHILD_SA rekey request"

ia_log "3. --delete: the responder keeps nothing"
reset_sas
bench del --count 20 --concurrency 5 --childless --delete --progress
[ "$(field del .completed)" = 20 ] || ia_fail "delete: completed $(field del .completed), want 20"
ia_wait_ike resp 0 "" 10 || ia_fail "delete: responder still has $(ia_ike_count resp) IKE SAs"
grep -q "done 20  failed 0" "$IA_WORK/del.txt" || ia_fail "delete: no final progress line on stderr"

ia_log "4. wrong PSK: AUTHENTICATION_FAILED counted by name"
bench_psk="not the key" bench wrong --count 5 --concurrency 5 --childless --tries 2 --retransmit-ms 200
[ "$(field wrong .completed)" = 0 ] || ia_fail "wrong psk: $(field wrong .completed) completed"
[ "$(field wrong '.failures.AUTHENTICATION_FAILED')" = 5 ] ||
  ia_fail "wrong psk: failures $(field wrong .failures), want AUTHENTICATION_FAILED x5"

ia_log "7. certificate authentication"
for kind in ecdsa ed; do
  bench cert-$kind --count 10 --concurrency 5 --childless --cert "$pki_dir/$kind.pem" \
    --key "$pki_dir/$kind.key" --cacert "$pki_dir/ca.pem" --id-pattern "$kind.answerd.test"
  [ "$(field cert-$kind .completed)" = 10 ] ||
    ia_fail "cert $kind: completed $(field cert-$kind .completed), failures $(field cert-$kind .failures)"
done
grep -q "authentication of 'ed.answerd.test' with ED25519 successful" "$(ia_charon_log resp)" ||
  ia_fail "cert: the responder did not verify an Ed25519 signature"
grep -q "authentication of 'ecdsa.answerd.test' with ECDSA_WITH_SHA256_DER successful" "$(ia_charon_log resp)" ||
  ia_fail "cert: the responder did not verify an ECDSA signature"

ia_log "5. flood --kind init: the responder's namespace counts what was sent"
ia_ns_exec resp nft -f - <<'NFT'
table inet ikebench {
  counter ike_in { }
  chain in { type filter hook input priority -300; ip saddr 192.0.2.1 udp dport 500 counter name ike_in; }
}
NFT
ia_ns_exec ini "$bench" flood --kind init --target 192.0.2.2 --rate 200 --duration 1 \
  --json "$IA_WORK/flood.json" >&2
sleep 0.5
counted=$(ia_ns_exec resp nft -j list counter inet ikebench ike_in | jq '.nftables[] | select(.counter) | .counter.packets')
[ "$(field flood .sent)" = 200 ] || ia_fail "flood: sent $(field flood .sent), want 200"
[ "$counted" = 200 ] || ia_fail "flood: nft counted $counted datagrams, ike-bench sent 200"
ia_log "6. spoofed flood: every datagram arrives from the spoofed range"
ia_ns_exec resp nft -f - <<'NFT'
table inet ikespoof {
  counter spoofed { }
  set seen { type ipv4_addr; }
  chain pre { type filter hook prerouting priority -300; ip saddr 198.51.100.1-198.51.100.50 udp dport 500 counter name spoofed add @seen { ip saddr }; }
}
NFT
ia_ns_exec ini "$bench" flood --kind role-violation --target 192.0.2.2 --rate 100 --duration 1 \
  --spoof-range 198.51.100.1-198.51.100.50 --json "$IA_WORK/spoof.json" >&2
sleep 0.5
counted=$(ia_ns_exec resp nft -j list counter inet ikespoof spoofed | jq '.nftables[] | select(.counter) | .counter.packets')
sources=$(ia_ns_exec resp nft -j list set inet ikespoof seen | jq '[.nftables[] | select(.set) | .set.elem[]] | length')
[ "$(field spoof .sent)" = 100 ] || ia_fail "spoof: sent $(field spoof .sent), want 100"
[ "$counted" = 100 ] || ia_fail "spoof: nft counted $counted, ike-bench sent 100"
[ "$sources" = 50 ] || ia_fail "spoof: $sources distinct sources seen, want 50"
echo "ike_bench_strongswan: childless, Child SA and rekey runs match swanctl; DELETE, AUTHENTICATION_FAILED, ECDSA and Ed25519 certificates, floods counted"
