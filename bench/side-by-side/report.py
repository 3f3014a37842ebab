#!/usr/bin/env python3
"""report.py RESULTS.jsonl OUTDIR: the side-by-side benchmark's report.

Reads the result lines written by bench/side-by-side/side-by-side (one JSON object
per line, "kind" = info | ceiling | rate | memory | flood) and writes to OUTDIR:
results.json (every line grouped by kind), results.md (the tables of
docs/benchmarks.md) and flood.png (legitimate handshakes/s against the spoofed
IKE_SA_INIT flood rate, one line per responder configuration, drawn by gnuplot)."""
import json
import os
import subprocess
import sys

FLOOD_LABELS = {"answerd-xdp": "answerd, XDP on", "answerd": "answerd, XDP off",
                "charon": "strongSwan charon"}


def load(path):
    out = {"info": {}, "ceiling": {}, "end": {}, "rate": [], "memory": [], "flood": []}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            kind = r.pop("kind")
            if isinstance(out[kind], list):
                out[kind].append(r)
            else:
                out[kind] = r
    return out


def num(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}".replace(",", " ")


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def pct(a, b):
    return f"{100 * a / b:.0f} %" if a is not None and b else "-"


def rate_table(res, auth):
    ceil = res["ceiling"]["psk_handshakes_per_s" if auth == "psk" else "cert_handshakes_per_s"]
    rows = ["| workers | answerd hs/s | hs per CPU-s | CPU % resp / bench | p50 / p99 ms "
            "| strongSwan hs/s | hs per CPU-s | CPU % resp / bench | p50 / p99 ms "
            "| answerd / strongSwan (hs/s; per CPU-s) | answerd / ceiling (hs/s; per CPU-s) "
            "| strongSwan / ceiling (hs/s; per CPU-s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for w in sorted({r["workers"] for r in res["rate"] if r["auth"] == auth}):
        get = {r["daemon"]: r for r in res["rate"] if r["auth"] == auth and r["workers"] == w}
        a, c = get.get("answerd"), get.get("charon")

        def per_cpu(r):
            return r["completed"] / r["daemon_cpu_s"] if r and r["daemon_cpu_s"] else None

        def cells(r):
            if not r:
                return ["not supported", "-", "-", "-"]
            fail = f" ({r['failed']} failed)" if r["failed"] else ""
            util = f"{pct(r['daemon_cpu_s'], r['duration_s'])} / {pct(r['bench_cpu_s'], r['duration_s'])}"
            return [num(r["handshakes_per_s"]) + fail, num(per_cpu(r)), util,
                    f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}"]
        ah = a["handshakes_per_s"] if a else None
        ch = c["handshakes_per_s"] if c else None
        rows.append("| " + " | ".join([str(w)] + cells(a) + cells(c) + [
            f"{ratio(ah, ch)}; {ratio(per_cpu(a), per_cpu(c))}", f"{pct(ah, ceil)}; {pct(per_cpu(a), ceil)}",
            f"{pct(ch, ceil)}; {pct(per_cpu(c), ceil)}"]) + " |")
    return "\n".join(rows)


def memory_table(res):
    rows = ["| IKE SAs | answerd VmRSS KiB (at rest) | answerd bytes/SA | strongSwan VmRSS KiB (at rest) "
            "| strongSwan bytes/SA | answerd / strongSwan |", "|---:|---:|---:|---:|---:|---:|"]
    counts = sorted({m["target_sas"] for m in res["memory"]})
    for n in counts:
        get = {m["daemon"]: m for m in res["memory"] if m["target_sas"] == n}
        a, c = get.get("answerd", {}), get.get("charon", {})

        def cells(m):
            if not m:
                return ["-", "-"]
            held = "" if m["ike_sas"] == n else f", {m['ike_sas']} held"
            return [f"{num(m['rss_kib'])} ({num(m['rss_base_kib'])}){held}", num(m["bytes_per_sa"])]
        rows.append("| " + " | ".join([num(n)] + cells(a) + cells(c) + [
            ratio(a.get("bytes_per_sa"), c.get("bytes_per_sa"))]) + " |")
    if len(counts) >= 2:
        lo, hi = counts[0], counts[-1]
        marg = {}
        for d in ("answerd", "charon"):
            m = {x["target_sas"]: x for x in res["memory"] if x["daemon"] == d}
            if lo in m and hi in m and m[hi]["ike_sas"] > m[lo]["ike_sas"]:
                marg[d] = (m[hi]["rss_kib"] - m[lo]["rss_kib"]) * 1024 / (m[hi]["ike_sas"] - m[lo]["ike_sas"])
        rows.append(f"| {num(lo)} -> {num(hi)} (growth) | | {num(marg.get('answerd'))} | "
                    f"| {num(marg.get('charon'))} | {ratio(marg.get('answerd'), marg.get('charon'))} |")
    return "\n".join(rows)


def flood_table(res):
    cfgs = [c for c in FLOOD_LABELS if any(f["config"] == c for f in res["flood"])]
    base = {c: next((f["handshakes_per_s"] for f in res["flood"] if f["config"] == c and f["flood_rate"] == 0),
                    None) for c in cfgs}
    rows = ["| flood IKE_SA_INIT/s offered (achieved, highest of the runs) | " + " | ".join(
        f"{FLOOD_LABELS[c]} hs/s (% of no flood; responder CPU)" for c in cfgs) + " |",
        "|---:|" + "---:|" * len(cfgs)]
    for r in sorted({f["flood_rate"] for f in res["flood"]}):
        cells = [f"{num(r)} ({num(max((f['flood_sent'] for f in res['flood'] if f['flood_rate'] == r), default=0))})"]
        for c in cfgs:
            f = next((f for f in res["flood"] if f["config"] == c and f["flood_rate"] == r), None)
            cells.append(f"{num(f['handshakes_per_s'])} ({pct(f['handshakes_per_s'], base[c])}; CPU "
                         f"{pct(f['daemon_cpu_s'], f['duration_s'])})" if f else "-")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ceiling_table(res):
    c = res["ceiling"]
    return "\n".join([
        "| primitive (openssl speed, responder CPU) | ops/s |", "|---|---:|",
        f"| X25519 derive | {num(c['x25519_per_s'])} |",
        f"| ECDSA P-256 sign | {num(c['ecdsa_p256_sign_per_s'])} |",
        f"| ECDSA P-256 verify | {num(c['ecdsa_p256_verify_per_s'])} |",
        f"| ceiling, PSK handshake (2 X25519) | {num(c['psk_handshakes_per_s'])} |",
        f"| ceiling, ECDSA handshake (2 X25519 + 1 sign + 2 verify) | {num(c['cert_handshakes_per_s'])} |"])


def plot(res, outdir):
    cfgs = [c for c in FLOOD_LABELS if any(f["config"] == c for f in res["flood"])]
    for c in cfgs:
        with open(os.path.join(outdir, f"flood-{c}.dat"), "w") as f:
            for r in sorted((f for f in res["flood"] if f["config"] == c), key=lambda f: f["flood_rate"]):
                f.write(f"{r['flood_sent']} {r['handshakes_per_s']}\n")
    lines = ", ".join(f"'{outdir}/flood-{c}.dat' using 1:2 with linespoints lw 2 title '{FLOOD_LABELS[c]}'"
                      for c in cfgs)
    script = f"""set terminal png size 900,540 noenhanced
set output '{outdir}/flood.png'
set title 'Legitimate IKEv2 handshakes/s under a spoofed IKE_SA_INIT flood (1 responder CPU)'
set xlabel 'flood: spoofed IKE_SA_INIT per second (achieved by the sender, on the initiator CPU)'
set ylabel 'legitimate handshakes completed per second'
set yrange [0:*]
set grid
set key outside bottom center horizontal
plot {lines}
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


def main():
    res = load(sys.argv[1])
    outdir = sys.argv[2]
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(res, f, indent=2)
    i = res["info"]
    md = [f"Run: {i.get('cpu')}, kernel {i.get('kernel')}, {i.get('strongswan')}, {i.get('openssl')}, "
          f"answerd {i.get('commit')}; responder on CPU {i.get('daemon_cpu')}, ike-bench on CPU "
          f"{i.get('bench_cpu')}, both under {i.get('sched')}; unique = {i.get('unique')} on both; concurrency {i.get('concurrency')}, {i.get('seconds')} s per run; "
          f"charon threads = {i.get('charon_reserved_threads')} reserved + workers; load average "
          f"{i.get('loadavg_start')} at the start, {res.get('end', {}).get('loadavg', '-')} at the end.",
          "", "### Crypto ceiling", "", ceiling_table(res),
          "", "### Handshakes/s, PSK, x25519, AES-GCM-256, childless", "", rate_table(res, "psk"),
          "", "### Handshakes/s, ECDSA P-256 certificates", "", rate_table(res, "cert"),
          "", "### Memory per established IKE SA", "", memory_table(res),
          "", "### Legitimate handshakes/s under a spoofed IKE_SA_INIT flood", "", flood_table(res), ""]
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(md))
    if res["flood"]:
        plot(res, outdir)


if __name__ == "__main__":
    main()
