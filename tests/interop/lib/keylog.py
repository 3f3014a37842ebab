#!/usr/bin/env python3
"""Key log extraction for the interop harness: session.json from charon logs + pcap.

Owns the session.json format that tests/data/strongswan/<case>/ holds and the crypto
tests read. Inputs: the initiator's charon log at `ike 4` and `chd 4` (strongSwan's
keymat_v2.c prints the DH secret, SKEYSEED, SK_* and the CHILD_SA keys at DBG4 as
hex dumps), optionally the responder's log (every value must be identical there),
and a capture of the session (SPIs and nonces come from the IKE_SA_INIT messages,
decoded by tshark).

Before writing, the values are checked against each other by recomputing RFC 7296
section 2.14 (SKEYSEED = prf(Ni | Nr, g^ir), {SK_d | SK_ai | ...} = prf+(SKEYSEED,
Ni | Nr | SPIi | SPIr)) and section 2.17 (KEYMAT = prf+(SK_d, Ni | Nr)), so a wrong
nonce, a misparsed dump or a mislabelled key fails here, not in a consumer's test.
Rekeys (CREATE_CHILD_SA) go to an optional "rekeys" list: keylog_rekey.py.

  keylog.py --log INI.log [--peer-log RESP.log] --pcap FILE --out session.json
  keylog.py --check session.json [--pcap FILE --ids IDI,IDR]
      recompute and check a stored file; with --pcap also decrypt its IKE_AUTH
      messages with tshark and expect exactly these identities
"""
import argparse
import hashlib
import hmac
import json
import re
import subprocess
import sys

import keylog_rekey

# strongSwan transform names -> IANA numbers (RFC 7296 section 3.3.2 registries).
ENCR = {"3DES": 3, "AES_CBC": 12, "AES_CTR": 13, "AES_CCM_8": 14, "AES_CCM_12": 15,
        "AES_CCM_16": 16, "AES_GCM_8": 18, "AES_GCM_12": 19, "AES_GCM_16": 20,
        "CHACHA20_POLY1305": 28}
AEAD = {14, 15, 16, 18, 19, 20, 28}
PRF = {"PRF_HMAC_MD5": 1, "PRF_HMAC_SHA1": 2, "PRF_AES128_XCBC": 4,
       "PRF_HMAC_SHA2_256": 5, "PRF_HMAC_SHA2_384": 6, "PRF_HMAC_SHA2_512": 7,
       "PRF_AES128_CMAC": 8}
INTEG = {"HMAC_MD5_96": 1, "HMAC_SHA1_96": 2, "AES_XCBC_96": 5, "AES_CMAC_96": 8,
         "HMAC_SHA2_256_128": 12, "HMAC_SHA2_384_192": 13, "HMAC_SHA2_512_256": 14}
DH = {"MODP_768": 1, "MODP_1024": 2, "MODP_1536": 5, "MODP_2048": 14, "MODP_3072": 15,
      "MODP_4096": 16, "MODP_6144": 17, "MODP_8192": 18, "ECP_256": 19, "ECP_384": 20,
      "ECP_521": 21, "ECP_192": 25, "ECP_224": 26, "CURVE_25519": 31, "CURVE_448": 32}
PRF_HASH = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384, 7: hashlib.sha512}

# Log label -> session.json field.
IKE_DUMPS = {"shared Diffie Hellman secret": "dh_shared", "SKEYSEED": "skeyseed",
             "Sk_d secret": "sk_d", "Sk_ai secret": "sk_ai", "Sk_ar secret": "sk_ar",
             "Sk_ei secret": "sk_ei", "Sk_er secret": "sk_er", "Sk_pi secret": "sk_pi",
             "Sk_pr secret": "sk_pr"}
CHILD_DUMPS = {"encryption initiator key": "keymat_i2r_encr",
               "integrity initiator key": "keymat_i2r_integ",
               "encryption responder key": "keymat_r2i_encr",
               "integrity responder key": "keymat_r2i_integ",
               "seed": "seed"}

HEADER = re.compile(r"^(\d+)\[(\w+)\] (.+?) => (\d+) bytes @ 0x[0-9a-f]+$")
ROW = re.compile(r"^(\d+)\[(\w+)\]\s+\d+: ((?:[0-9A-F]{2} ?){1,16})")
PROPOSAL = re.compile(r"selected proposal: (IKE|ESP):(\S+)")
CHILD_UP = re.compile(r"CHILD_SA \S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o")


class KeylogError(Exception):
    pass


def parse_log(path):
    """Return ({label: hex} for the first dump of each label, {IKE|ESP: proposal},
    (esp spi in, esp spi out) as seen by the logging side, [(label, hex)] of every
    dump in log order)."""
    dumps, proposals, esp_spis, seq = {}, {}, None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = HEADER.match(lines[i])
        i += 1
        if m:
            thread, size, data = m.group(1), int(m.group(4)), ""
            while len(data) < 2 * size and i < len(lines):
                r = ROW.match(lines[i])
                if not r or r.group(1) != thread:
                    break
                data += r.group(3).replace(" ", "").lower()
                i += 1
            if len(data) != 2 * size:
                raise KeylogError(f"{path}: truncated dump of '{m.group(3)}'")
            dumps.setdefault(m.group(3), data)
            seq.append((m.group(3), data))
            continue
        p = PROPOSAL.search(lines[i - 1])
        if p:
            proposals.setdefault(p.group(1), p.group(2))
        c = CHILD_UP.search(lines[i - 1])
        if c and esp_spis is None:
            esp_spis = (c.group(1), c.group(2))
    return dumps, proposals, esp_spis, seq


def split_proposal(text):
    """'AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' -> numbers."""
    out = {"integ": 0, "prf": None, "dh_group": None}
    for i, tok in enumerate(text.split("/")):
        if i == 0:
            m = re.fullmatch(r"(.+?)(?:_(\d+))?", tok)
            name, bits = m.group(1), m.group(2)
            if name not in ENCR:
                raise KeylogError(f"unknown encryption algorithm {tok}")
            out["encr"] = ENCR[name]
            out["encr_key_bits"] = int(bits) if bits else 256  # ChaCha20: 256 only
        elif tok in PRF:
            out["prf"] = PRF[tok]
        elif tok in INTEG:
            out["integ"] = INTEG[tok]
        elif tok in DH:
            out["dh_group"] = DH[tok]
        elif tok not in ("NO_EXT_SEQ", "EXT_SEQ"):
            raise KeylogError(f"unknown transform {tok} in {text}")
    return out


def sa_init_from_pcap(pcap):
    """SPIs and nonces of the (last) IKE_SA_INIT request/response pair in pcap."""
    cmd = ["tshark", "-r", pcap, "-Y", "isakmp.exchangetype == 34", "-T", "fields",
           "-e", "isakmp.flags", "-e", "isakmp.ispi", "-e", "isakmp.rspi", "-e", "isakmp.nonce"]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise KeylogError(f"tshark failed: {res.stderr.strip()}")
    out = {}
    for line in res.stdout.splitlines():
        flags, ispi, rspi, nonce = (line.split("\t") + ["", "", "", ""])[:4]
        response = int(flags, 16) & 0x20
        out["spi_i"] = ispi.replace(":", "").lower()
        if response:
            out["spi_r"], out["nr"] = rspi.replace(":", "").lower(), nonce.replace(":", "").lower()
        else:
            out["ni"] = nonce.replace(":", "").lower()
    for k in ("spi_i", "spi_r", "ni", "nr"):
        if not out.get(k):
            raise KeylogError(f"{pcap}: no {k} in the IKE_SA_INIT exchange")
    return out


def prf_plus(prf_id, key, seed, length):
    """RFC 7296 section 2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n)."""
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = hmac.new(key, t + seed + bytes([n]), PRF_HASH[prf_id]).digest()
        out += t
        n += 1
    return out[:length]


NUMBERS = ("encr", "encr_key_bits", "prf", "integ", "dh_group")
HEXES = ("spi_i", "spi_r", "ni", "nr", "dh_shared", "skeyseed", "sk_d", "sk_ai", "sk_ar",
         "sk_ei", "sk_er", "sk_pi", "sk_pr")
CHILD_HEXES = ("keymat_i2r_encr", "keymat_i2r_integ", "keymat_r2i_encr", "keymat_r2i_integ")


def check_fields(s):
    """Every field of the format is there: numbers, and lowercase hex strings that
    are empty only for integrity keys of AEAD algorithms (integ 0)."""
    def need_hex(obj, key, may_be_empty):
        v = obj.get(key)
        if not isinstance(v, str) or not re.fullmatch(r"(?:[0-9a-f]{2})*", v):
            raise KeylogError(f"'{key}' is not a lowercase hex string")
        if not v and not may_be_empty:
            raise KeylogError(f"'{key}' is empty")
    for k in NUMBERS:
        if not isinstance(s.get(k), int):
            raise KeylogError(f"'{k}' is not a number")
    for k in HEXES:
        need_hex(s, k, k in ("sk_ai", "sk_ar") and s["integ"] == 0)
    if len(s["spi_i"]) != 16 or len(s["spi_r"]) != 16:
        raise KeylogError("IKE SPIs are not 8 bytes")
    c = s.get("child")
    if c is not None:
        for k in ("encr", "encr_key_bits", "integ"):
            if not isinstance(c.get(k), int):
                raise KeylogError(f"'child.{k}' is not a number")
        for k in CHILD_HEXES:
            need_hex(c, k, k.endswith("_integ") and c["integ"] == 0)


def check_session(s):
    """Check the fields, then recompute SKEYSEED, SK_* and KEYMAT from the session's
    own values."""
    check_fields(s)
    if s["prf"] not in PRF_HASH:
        raise KeylogError(f"cannot recompute PRF {s['prf']} (only HMAC PRFs)")
    h = bytes.fromhex
    ni, nr = h(s["ni"]), h(s["nr"])
    skeyseed = hmac.new(ni + nr, h(s["dh_shared"]), PRF_HASH[s["prf"]]).digest()
    if skeyseed.hex() != s["skeyseed"]:
        raise KeylogError("SKEYSEED != prf(Ni | Nr, g^ir)")
    names = ["sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr"]
    want = "".join(s[k] for k in names)
    got = prf_plus(s["prf"], skeyseed, ni + nr + h(s["spi_i"]) + h(s["spi_r"]), len(want) // 2)
    if got.hex() != want:
        raise KeylogError("SK_d | SK_ai | ... | SK_pr != prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)")
    c = s.get("child")
    if c:
        names = ["keymat_i2r_encr", "keymat_i2r_integ", "keymat_r2i_encr", "keymat_r2i_integ"]
        want = "".join(c[k] for k in names)
        if prf_plus(s["prf"], h(s["sk_d"]), ni + nr, len(want) // 2).hex() != want:
            raise KeylogError("CHILD_SA keys != prf+(SK_d, Ni | Nr)")
    keylog_rekey.check_rekeys(s, prf_plus, PRF_HASH[s["prf"]], KeylogError)


# Wireshark's IKEv2 decryption table names (it has no ChaCha20-Poly1305 for IKE).
WS_ENCR = {(12, 128): "AES-CBC-128 [RFC3602]", (12, 192): "AES-CBC-192 [RFC3602]",
           (12, 256): "AES-CBC-256 [RFC3602]",
           (20, 128): "AES-GCM-128 with 16 octet ICV [RFC5282]",
           (20, 192): "AES-GCM-192 with 16 octet ICV [RFC5282]",
           (20, 256): "AES-GCM-256 with 16 octet ICV [RFC5282]"}
WS_INTEG = {0: "NONE [RFC4306]", 2: "HMAC_SHA1_96 [RFC2404]",
            12: "HMAC_SHA2_256_128 [RFC4868]", 13: "HMAC_SHA2_384_192 [RFC4868]",
            14: "HMAC_SHA2_512_256 [RFC4868]"}


def ws_uat(s):
    """tshark option that decrypts IKE SA s (a session or a rekeyed IKE SA, with the
    session's algorithms), or None when Wireshark cannot decrypt the algorithm."""
    encr = WS_ENCR.get((s["encr"], s["encr_key_bits"]))
    integ = WS_INTEG.get(s["integ"])
    if not encr or not integ:
        return None
    return ["-o", f'uat:ikev2_decryption_table:{s["spi_i"]},{s["spi_r"]},{s["sk_ei"]},'
            f'{s["sk_er"]},"{encr}",{s["sk_ai"]},{s["sk_ar"]},"{integ}"']


def tshark_fields(pcap, options, display_filter, fields):
    """Rows of tab-separated fields of the packets matching display_filter."""
    cmd = ["tshark", "-r", pcap] + options + ["-Y", display_filter, "-T", "fields"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise KeylogError(f"tshark failed: {res.stderr.strip()}")
    return [(line.split("\t") + [""] * len(fields))[:len(fields)]
            for line in res.stdout.splitlines() if line]


def decrypt_ike_auth(s, pcap):
    """Decrypt the capture's IKE_AUTH messages with tshark and the session's SK_e*/SK_a*.
    Returns [(identity, auth method)] of the decrypted messages, or None when
    Wireshark cannot decrypt this algorithm."""
    uat = ws_uat(s)
    if uat is None:
        return None
    rows = tshark_fields(pcap, uat, "isakmp.exchangetype == 35 && isakmp.auth.method",
                         ["isakmp.id.data.fqdn", "isakmp.auth.method"])
    # One row per message; a request lists IDi first (then IDr if the initiator sent it).
    return [(ids.split(",")[0], method) for ids, method in rows]


def check_decrypts(s, pcap, ids):
    """The session's keys must decrypt both IKE_AUTH messages of the capture and
    show the expected identities (Wireshark checks the ICV/tag on the way)."""
    found = decrypt_ike_auth(s, pcap)
    if found is None:
        return "not checked: Wireshark cannot decrypt this IKE algorithm"
    got = [i for i, _ in found]
    if got != ids:
        raise KeylogError(f"IKE_AUTH decrypted with the logged keys shows IDs {got}, want {ids}")
    return "IKE_AUTH decrypts: " + ", ".join(f"{i} auth method {m}" for i, m in found)


def build_session(log, pcap, peer_log=None, first_sa_only=False):
    dumps, proposals, esp_spis, seq = parse_log(log)
    if "IKE" not in proposals:
        raise KeylogError(f"{log}: no selected IKE proposal")
    ike = split_proposal(proposals["IKE"])
    s = {k: ike[k] for k in ("encr", "encr_key_bits", "prf", "integ", "dh_group")}
    pc = sa_init_from_pcap(pcap)
    s.update({k: pc[k] for k in ("spi_i", "spi_r", "ni", "nr")})
    for label, field in IKE_DUMPS.items():
        if label not in dumps and not (field in ("sk_ai", "sk_ar") and ike["encr"] in AEAD):
            raise KeylogError(f"{log}: no '{label}' dump (needs ike 4)")
        s[field] = dumps.get(label, "")
    s["ike_proposal"] = proposals["IKE"]
    if "ESP" in proposals and "encryption initiator key" in dumps:
        esp = split_proposal(proposals["ESP"])
        child = {k: esp[k] for k in ("encr", "encr_key_bits", "integ")}
        for label, field in CHILD_DUMPS.items():
            if field != "seed":
                child[field] = dumps.get(label, "")
        child["esp_proposal"] = proposals["ESP"]
        if esp_spis:  # the initiator's inbound SPI is the one r2i packets carry
            child["esp_spi_r2i"], child["esp_spi_i2r"] = esp_spis
        s["child"] = child
        if dumps.get("seed") and dumps["seed"] != s["ni"] + s["nr"]:
            raise KeylogError("CHILD_SA seed in the log is not Ni | Nr from the capture")
    rekeys = [] if first_sa_only else keylog_rekey.build_rekeys(
        s, seq, pcap, ws_uat(s), tshark_fields, KeylogError)
    if rekeys:
        s["rekeys"] = rekeys
    if peer_log:
        peer = parse_log(peer_log)[0]
        for label in list(IKE_DUMPS) + list(CHILD_DUMPS):
            if dumps.get(label) != peer.get(label):
                raise KeylogError(f"'{label}' differs between {log} and {peer_log}")
    check_session(s)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log")
    ap.add_argument("--peer-log")
    ap.add_argument("--pcap")
    ap.add_argument("--out")
    ap.add_argument("--psk", help="the pre-shared key, stored as hex in 'psk'")
    ap.add_argument("--first-sa-only", action="store_true",
                    help="ignore later derivations in the log (an initiator that retried)")
    ap.add_argument("--check", metavar="SESSION_JSON")
    ap.add_argument("--ids", default="ini.answerd.test,resp.answerd.test",
                    help="IDi of the IKE_AUTH request, IDr of the response, once decrypted")
    a = ap.parse_args()
    try:
        if a.check:
            with open(a.check, encoding="utf-8") as f:
                s = json.load(f)
            check_session(s)
            if a.pcap:
                print(check_decrypts(s, a.pcap, a.ids.split(",")))
            return 0
        if not (a.log and a.pcap and a.out):
            ap.error("--log, --pcap and --out are required")
        s = build_session(a.log, a.pcap, a.peer_log, a.first_sa_only)
        print(check_decrypts(s, a.pcap, a.ids.split(",")))
        if a.psk is not None:
            s["psk"] = a.psk.encode().hex()
    except (KeylogError, OSError, KeyError, ValueError) as e:
        print(f"keylog: {e}", file=sys.stderr)
        return 1
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(s, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
