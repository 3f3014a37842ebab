"""Rekeys in a key log: CREATE_CHILD_SA exchanges after IKE_AUTH (RFC 7296 1.3).

Owns the optional "rekeys" list of session.json. charon logs each derivation as a
block of hex dumps: an IKE SA's ("shared Diffie Hellman secret", "SKEYSEED",
"Sk_d secret", ...) and a CHILD_SA's (optional "DH secret", "seed", "encryption
initiator key", ...). The first of each kind is the session's own IKE SA and first
CHILD_SA; later ones are rekeys. Their nonces and SPIs are inside encrypted
CREATE_CHILD_SA messages, so the capture is decrypted with tshark and the first IKE
SA's keys (rekeys must happen under that SA, as make-captures.sh does them).

Each rekey is checked by recomputation:
  CHILD_SA (2.17): KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr)
  IKE SA (2.18):   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr),
                   SK_d | ... | SK_pr = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
"""
import hmac

IKE_FIELDS = {"shared Diffie Hellman secret": "dh_shared", "SKEYSEED": "skeyseed",
              "Sk_d secret": "sk_d", "Sk_ai secret": "sk_ai", "Sk_ar secret": "sk_ar",
              "Sk_ei secret": "sk_ei", "Sk_er secret": "sk_er", "Sk_pi secret": "sk_pi",
              "Sk_pr secret": "sk_pr"}
CHILD_FIELDS = {"DH secret": "dh_shared", "seed": "seed",
                "encryption initiator key": "keymat_i2r_encr",
                "integrity initiator key": "keymat_i2r_integ",
                "encryption responder key": "keymat_r2i_encr",
                "integrity responder key": "keymat_r2i_integ"}
SK_ORDER = ["sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr"]
KEYMAT_ORDER = ["keymat_i2r_encr", "keymat_i2r_integ", "keymat_r2i_encr", "keymat_r2i_integ"]


def derivation_blocks(seq):
    """[(label, hex)] in log order -> [{"type": "ike"|"child", field: hex}]."""
    blocks, cur = [], None
    for label, data in seq:
        if label == "shared Diffie Hellman secret":
            cur = {"type": "ike"}
            blocks.append(cur)
        elif label in CHILD_FIELDS and (label == "DH secret" or (
                label == "seed" and (cur is None or cur["type"] != "child"
                                     or "seed" in cur))):
            cur = {"type": "child"}
            blocks.append(cur)
        if cur is None:
            continue
        fields = IKE_FIELDS if cur["type"] == "ike" else CHILD_FIELDS
        if label in fields:
            cur.setdefault(fields[label], data)
    return blocks


def exchanges(pcap, uat, tshark_fields):
    """Decrypted CREATE_CHILD_SA exchanges in capture order:
    [{"protocol": 1 (IKE) | 3 (ESP), "ni", "nr", "spi_i", "spi_r"}] where the SPIs
    are the proposals' (for IKE: the new IKE SA's SPIs)."""
    rows = tshark_fields(pcap, uat, "isakmp.exchangetype == 36",
                         ["isakmp.flags", "isakmp.spi", "isakmp.nonce", "isakmp.prop.protoid"])
    out, req = [], None
    for flags, spis, nonce, proto in rows:
        # The proposal's SPI comes last (after a REKEY_SA notify's, if any).
        spi = spis.split(",")[-1].replace(":", "").lower()
        nonce = nonce.replace(":", "").lower()
        if not int(flags, 16) & 0x20:
            req = {"protocol": int(proto or 0), "ni": nonce, "spi_i": spi}
        elif req is not None:
            req.update(nr=nonce, spi_r=spi)
            out.append(req)
            req = None
    return out


def build_rekeys(s, seq, pcap, uat, tshark_fields, error):
    """The session's rekeys (after its first IKE SA and first CHILD_SA), in log order."""
    blocks = derivation_blocks(seq)
    ikes = [b for b in blocks if b["type"] == "ike"][1:]
    childs = [b for b in blocks if b["type"] == "child"][1:]
    if not ikes and not childs:
        return []
    if uat is None:
        raise error("rekeys present but Wireshark cannot decrypt this IKE algorithm")
    xs = exchanges(pcap, uat, tshark_fields)
    ike_xs = [x for x in xs if x["protocol"] == 1]
    esp_xs = [x for x in xs if x["protocol"] == 3]
    if len(ike_xs) != len(ikes) or len(esp_xs) != len(childs):
        raise error(f"log has {len(ikes)} IKE and {len(childs)} CHILD_SA rekeys, the "
                    f"capture {len(ike_xs)} and {len(esp_xs)} CREATE_CHILD_SA exchanges")
    rekeys, firsts = [], [next((b for b in blocks if b["type"] == t), None)
                          for t in ("ike", "child")]
    for b in blocks:
        if any(b is f for f in firsts):
            continue
        x = (ike_xs if b["type"] == "ike" else esp_xs).pop(0)
        r = {"type": b["type"], "ni": x["ni"], "nr": x["nr"]}
        if b["type"] == "ike":
            r.update(spi_i=x["spi_i"], spi_r=x["spi_r"])
            r.update({k: b.get(k, "") for k in ["dh_shared", "skeyseed"] + SK_ORDER})
        else:
            r["dh_shared"] = b.get("dh_shared", "")
            r.update({k: b.get(k, "") for k in KEYMAT_ORDER})
            if b.get("seed") != r["dh_shared"] + r["ni"] + r["nr"]:
                raise error("CHILD_SA rekey seed in the log is not g^ir | Ni | Nr")
        rekeys.append(r)
    return rekeys


def check_rekeys(s, prf_plus, hash_fn, error):
    """Recompute every rekey from the SK_d in force when it happened."""
    h = bytes.fromhex
    sk_d = h(s["sk_d"])
    for i, r in enumerate(s.get("rekeys", [])):
        ni, nr, gir = h(r["ni"]), h(r["nr"]), h(r["dh_shared"])
        if not ni or not nr:
            raise error(f"rekey {i}: empty nonce")
        if r["type"] == "child":
            want = "".join(r[k] for k in KEYMAT_ORDER)
            if prf_plus(s["prf"], sk_d, gir + ni + nr, len(want) // 2).hex() != want:
                raise error(f"rekey {i}: CHILD_SA keys != prf+(SK_d, g^ir | Ni | Nr)")
            continue
        skeyseed = hmac.new(sk_d, gir + ni + nr, hash_fn).digest()
        if skeyseed.hex() != r["skeyseed"]:
            raise error(f"rekey {i}: SKEYSEED != prf(SK_d (old), g^ir | Ni | Nr)")
        want = "".join(r[k] for k in SK_ORDER)
        seed = ni + nr + h(r["spi_i"]) + h(r["spi_r"])
        if prf_plus(s["prf"], skeyseed, seed, len(want) // 2).hex() != want:
            raise error(f"rekey {i}: SK_* != prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)")
        sk_d = h(r["sk_d"])
