#!/usr/bin/env bash
# Certificate authentication between a real strongSwan 5.9.8 initiator and answerd
# (dataplane = none), in network namespaces (ini 192.0.2.1, resp 192.0.2.2), with a
# test PKI made by strongSwan's pki tool. answerd authenticates with an ECDSA P-256
# certificate; strongSwan in turn with RSA-PSS (rsa_pss = yes), ECDSA P-256 and
# Ed25519 certificates: each reaches ESTABLISHED with its CHILD_SA INSTALLED and
# answerd lists the IKE SA with auth "pubkey" (answerctl -j sa list). A certificate
# of another CA and a certificate of the wrong identity get AUTHENTICATION_FAILED
# and leave no SA. Last, with a 1280-octet MTU, the 3072-bit RSA initiator
# certificate and answerd's 3072-bit RSA certificate under an intermediate CA
# (send_cert = always), IKE_AUTH travels in RFC 7383 fragments both ways (answerd's
# fragments_received and fragments_sent), and again after `daemon reload`. First,
# `answerd --check-config` refuses a private key that is not the certificate's.
# Then answerd restarts with its key encrypted (PKCS#8, passphrase in
# secrets.private-hub.secret; a wrong one is a --check-config error that does not
# show it) and the peers' CA only in `authorities` with crl_uris naming a file that
# does not exist yet: with revocation = ifuri a peer is refused (no current CRL);
# after a CRL revoking ini-revoked (strongSwan's pki --signcrl) is written and
# `daemon reload`, ini-p256 connects and ini-revoked gets AUTHENTICATION_FAILED
# (answerd logs its serial).
set -euo pipefail
. "$(dirname "$0")/lib/interop.sh"
ia_init answerd_cert
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
ia_require_cmd pki
answerd=$(ia_answerd_bin)
[ -x "$ANSWERD_BUILD_DIR/tools/answerctl/answerctl" ] || ia_skip "answerctl not built (area answerctl)"

# --- the PKI: ca (trusted by both), other-ca (trusted by nobody), sub under ca.
pk=$IA_WORK/pki
ia_pki_ca "$pk" ca
ia_pki_ca "$pk" other-ca
ia_pki_sub_ca "$pk" sub ca
ia_pki_leaf "$pk" resp ca resp.answerd.test
ia_pki_leaf "$pk" ini-rsa ca ini.answerd.test rsa 3072
ia_pki_leaf "$pk" ini-p256 ca ini.answerd.test
ia_pki_leaf "$pk" ini-ed25519 ca ini.answerd.test ed25519 0
ia_pki_leaf "$pk" ini-foreign other-ca ini.answerd.test
ia_pki_leaf "$pk" ini-wrongid ca intruder.answerd.test
ia_pki_leaf "$pk" resp-big sub resp.answerd.test rsa 3072
ia_pki_leaf "$pk" ini-revoked ca ini.answerd.test

ia_topology_direct
sock=$IA_WORK/answerd.sock
# answerd's configuration: our certificate and key, the peer's CA. A second
# directory holds the fragmentation case (our chain's intermediate in x509ca/).
write_answerd_conf() {  # DIR CERT KEY EXTRA
  mkdir -p "$1/x509ca"
  cat >"$1/answerd.conf" <<CONF
connections {
  hub {
    local_addrs = $IA_RESP_ADDR
    remote_addrs = $IA_INI_ADDR
    proposals = aes256gcm16-prfsha256-x25519
$4
    local {
      auth = pubkey
      id = resp.answerd.test
      certs = $pk/$2.pem
    }
    remote {
      auth = pubkey
      id = ini.answerd.test
      cacerts = $pk/ca.pem
    }
    children {
      net {
        local_ts = $IA_RESP_NET
        remote_ts = $IA_INI_NET
        esp_proposals = aes256gcm16
      }
    }
  }
}
secrets {
  private-hub {
    file = $pk/$3.key
  }
}
answerd {
  dataplane = none
  control_socket = $sock
}
CONF
}
write_answerd_conf "$IA_WORK/a" resp resp ""
# A key that is not our certificate's: --check-config names the file and line.
write_answerd_conf "$IA_WORK/bad" resp ini-p256 ""
if out=$("$answerd" --check-config -c "$IA_WORK/bad/answerd.conf" 2>&1); then
  ia_fail "--check-config accepted a private key of another certificate"
fi
grep -q "answerd.conf:[0-9]*: connections.hub.local: $pk/resp.pem: no private key for this certificate" <<<"$out" ||
  ia_fail "--check-config: $out"
ia_answerd_start "$answerd" resp "$IA_WORK/a/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
ctl() { ia_answerd_query "$sock" "$@"; }

# strongSwan: one connection per initiator certificate.
ia_charon_setup ini ini --conf "rsa_pss = yes"
for c in rsa p256 ed25519 foreign wrongid revoked; do
  ia_pki_install ini "$pk" --cert "ini-$c" --key "ini-$c"
done
ia_pki_install ini "$pk" --ca ca --ca other-ca
{
  for c in rsa p256 ed25519 foreign big revoked; do
    ia_conn "$c" local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
      remote_ts="$IA_RESP_NET" child="$c-net" auth=pubkey certs="ini-${c/big/rsa}.pem" \
      local_id=ini.answerd.test remote_id=resp.answerd.test
  done
  ia_conn wrongid local_addrs="$IA_INI_ADDR" remote_addrs="$IA_RESP_ADDR" local_ts="$IA_INI_NET" \
    remote_ts="$IA_RESP_NET" child=wrongid-net auth=pubkey certs=ini-wrongid.pem \
    local_id=intruder.answerd.test remote_id=resp.answerd.test
} | ia_swanctl_conf ini
ia_charon_start ini
ia_swanctl_load ini

# established NAME SIGNATURE: strongSwan's certificate NAME authenticates with answerd.
established() {
  local name=$1
  ia_log "$name: initiating with the $name certificate"
  ia_initiate ini "$name-net"
  ia_wait_ike ini 1 ESTABLISHED 10 || ia_fail "$name: no ESTABLISHED IKE SA: $(ia_list_sas ini)"
  [ "$(ia_child_count ini INSTALLED)" -eq 1 ] || ia_fail "$name: no INSTALLED CHILD_SA: $(ia_list_sas ini)"
  local sas
  sas=$(ia_answerctl "$sock" -j sa list) || ia_fail "$name: answerctl -j sa list"
  python3 - "$sas" <<'PY' || ia_fail "$name: answerctl -j sa list: $sas"
import json, sys
s = json.loads(sys.argv[1])["ike_sas"]
assert len(s) == 1 and s[0]["state"] == "ESTABLISHED" and s[0]["auth"] == "pubkey", s
assert s[0]["remote"]["id"] == "ini.answerd.test" and s[0]["local"]["id"] == "resp.answerd.test", s
assert len(s[0]["child_sas"]) == 1, s
PY
  grep -q "$2" "$IA_WORK/answerd.log" || ia_fail "$name: answerd did not log a $2 signature"
  ia_terminate_ike ini "$name" || ia_fail "$name: terminate"
  ia_wait_until 10 ctl "sa list" 'r["ok"] and r["result"]["ike_sas"] == []' ||
    ia_fail "$name: answerd kept the IKE SA after DELETE"
}

# rejected NAME REASON: answerd answers AUTHENTICATION_FAILED and keeps no SA.
rejected() {
  local name=$1 before after
  before=$(ia_answerd_stat "$sock" auth_failed)
  ia_log "$name: initiating, expecting AUTHENTICATION_FAILED"
  if ia_swanctl ini --initiate --child "$name-net" --timeout 10 >/dev/null 2>&1; then
    ia_fail "$name: strongSwan established with a certificate answerd must refuse"
  fi
  grep -q "received AUTHENTICATION_FAILED notify" "$(ia_charon_log ini)" ||
    ia_fail "$name: strongSwan got no AUTHENTICATION_FAILED: $(tail -5 "$(ia_charon_log ini)")"
  after=$(ia_answerd_stat "$sock" auth_failed)
  [ "$after" -eq $((before + 1)) ] || ia_fail "$name: auth_failed $before -> $after"
  grep -q "authentication failed: .*$2" "$IA_WORK/answerd.log" || ia_fail "$name: answerd did not log '$2'"
  [ "$(ia_answerd_ike_count "$sock")" -eq 0 ] || ia_fail "$name: answerd kept an SA"
  [ "$(ia_ike_count ini ESTABLISHED)" -eq 0 ] || ia_fail "$name: strongSwan has an SA"
}

established rsa RSA_EMSA_PSS
established p256 ECDSA_WITH_SHA256_DER
established ed25519 ED25519
rejected foreign "CN=ini.answerd.test"
rejected wrongid "no connection for identity 'intruder.answerd.test'"

# --- fragmentation: 1280-octet MTU, big certificates, our chain with an intermediate.
ia_log "fragments: restarting answerd with an RSA chain and a 1280-octet MTU"
ia_bg_stop answerd || true
write_answerd_conf "$IA_WORK/b" resp-big resp-big "    send_cert = always"
cp "$pk/sub.pem" "$IA_WORK/b/x509ca/"
ia_ns_exec ini ip link set dev "$(ia_ifname ini resp)" mtu 1280
ia_ns_exec resp ip link set dev "$(ia_ifname resp ini)" mtu 1280
ia_answerd_start "$answerd" resp "$IA_WORK/b/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
established big RSA_EMSA_PSS
rx=$(ia_answerd_stat "$sock" fragments_received)
tx=$(ia_answerd_stat "$sock" fragments_sent)
[ "$rx" -ge 2 ] && [ "$tx" -ge 2 ] || ia_fail "fragments: received $rx, sent $tx (want >= 2 each)"
# Reload: the engine's connections are new objects; certificates must follow them.
ctl "daemon reload" 'r["ok"]' || ia_fail "daemon reload"
established big RSA_EMSA_PSS
ia_bg_running answerd || ia_fail "answerd exited"

# --- encrypted key, CA from authorities only, a CRL added by reload.
ia_log "authorities: encrypted key, CA only in authorities, CRL file not there yet"
ia_bg_stop answerd || true
c=$IA_WORK/c
mkdir -p "$c/crl"
pass='answerd interop pass phrase'
openssl pkcs8 -topk8 -in "$pk/resp.key" -v2 aes-256-cbc -passout "pass:$pass" -out "$c/resp-enc.key" ||
  ia_fail "openssl pkcs8 -topk8"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$c/resp-enc.key" || ia_fail "resp-enc.key is not encrypted"
write_authorities_conf() {  # FILE SECRET
  cat >"$1" <<CONF
connections {
  hub {
    local_addrs = $IA_RESP_ADDR
    remote_addrs = $IA_INI_ADDR
    proposals = aes256gcm16-prfsha256-x25519
    local {
      auth = pubkey
      id = resp.answerd.test
      certs = $pk/resp.pem
    }
    remote {
      auth = pubkey
      id = ini.answerd.test
      revocation = ifuri
    }
    children {
      net {
        local_ts = $IA_RESP_NET
        remote_ts = $IA_INI_NET
        esp_proposals = aes256gcm16
      }
    }
  }
}
authorities {
  test-ca {
    cacert = $pk/ca.pem
    crl_uris = file://$c/crl/ca.crl
  }
}
secrets {
  private-hub {
    file = $c/resp-enc.key
    secret = "$2"
  }
}
answerd {
  dataplane = none
  control_socket = $sock
}
CONF
}
write_authorities_conf "$c/wrong.conf" "not the pass phrase"
if out=$("$answerd" --check-config -c "$c/wrong.conf" 2>&1); then
  ia_fail "--check-config accepted a wrong passphrase"
fi
grep -q "wrong.conf:[0-9]*: secrets.private-hub: $c/resp-enc.key: encrypted, no passphrase given decrypts it" <<<"$out" ||
  ia_fail "--check-config (wrong passphrase): $out"
! grep -q "not the pass phrase" <<<"$out" || ia_fail "--check-config printed the passphrase: $out"
write_authorities_conf "$c/answerd.conf" "$pass"
out=$("$answerd" --check-config -c "$c/answerd.conf" 2>&1) || ia_fail "--check-config: $out"
grep -q "answerd.conf:[0-9]*: warning: authorities.test-ca.crl_uris: CRL file $c/crl/ca.crl not found" <<<"$out" ||
  ia_fail "--check-config did not warn about the missing CRL: $out"
! grep -q "$pass" <<<"$out" || ia_fail "--check-config printed the passphrase"
ia_answerd_start "$answerd" resp "$c/answerd.conf" "$sock" "$IA_WORK/answerd.log" --log-level debug
# revocation = ifuri with a configured CRL that is not there: refused (no current CRL).
rejected p256 "no current CRL of C=CH, O=answerd test, CN=ca (none loaded)"
# The CRL arrives (as a cron job would write it) revoking ini-revoked; reload.
ia_pki --signcrl --cacert "$pk/ca.pem" --cakey "$pk/ca.key" --lifetime 1 --reason key-compromise \
  --cert "$pk/ini-revoked.pem" --outform pem >"$c/crl/ca.crl.new" || ia_fail "pki --signcrl"
mv "$c/crl/ca.crl.new" "$c/crl/ca.crl"
ctl "daemon reload" 'r["ok"]' || ia_fail "daemon reload with the CRL"
established p256 ECDSA_WITH_SHA256_DER
serial=$(openssl x509 -in "$pk/ini-revoked.pem" -noout -serial | cut -d= -f2 | sed 's/^0*//')
rejected revoked "CN=ini.answerd.test (serial 0*$serial): revoked by the CRL of C=CH, O=answerd test, CN=ca"
established p256 ECDSA_WITH_SHA256_DER
! grep -q "$pass" "$IA_WORK/answerd.log" || ia_fail "answerd logged the key passphrase"
ia_bg_running answerd || ia_fail "answerd exited"
echo "answerd_cert: strongSwan authenticated with RSA-PSS, ECDSA P-256 and Ed25519 certificates;" \
  "foreign CA and wrong identity refused; IKE_AUTH fragmented both ways ($rx in, $tx out);" \
  "encrypted key and authorities CA loaded; a certificate revoked by a reloaded CRL refused"
