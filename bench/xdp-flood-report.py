#!/usr/bin/env python3
"""xdp-flood-report: the arithmetic of bench/xdp-flood, kept out of bash.

  snapshot PID NETNS CPU    stdin: `answerctl -j stats show`; stdout: one snapshot
                            (XDP global counters, answerd's IKE counters, answerd's
                            CPU ticks from /proc/PID/stat, UDP counters of NETNS,
                            softirq time of CPU from /proc/stat: where veth runs XDP
                            and delivers to the socket for the sending CPU, and the
                            time answerd's main thread waited for a CPU)
  row MODE RATE BEFORE AFTER SECONDS FLOOD_JSON LEGIT_JSON
                            one measured row from two snapshots and ike-bench's
                            flood and negotiation reports ("-" when not run)
  report ROWS_JSONL META_JSON OUT_JSON OUT_MD [--check]
                            the final JSON and markdown table; --check (the short
                            CTest run) fails unless the counters moved as expected.
                            Rates are reported, never asserted.
"""
import json
import os
import subprocess
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")
# DESIGN.md "XDP verdicts": the drop counters of the global XDP stats.
XDP_DROPS = ("malformed", "unknown_peer", "role_violation", "unsolicited_response",
             "retransmit_dropped", "rate_limited")


def udp_counters(netns):
    """Udp InDatagrams/InErrors/RcvbufErrors of a namespace (/proc/net/snmp)."""
    text = subprocess.run(["ip", "netns", "exec", netns, "cat", "/proc/net/snmp"],
                          check=True, capture_output=True, text=True).stdout
    lines = [line.split() for line in text.splitlines() if line.startswith("Udp:")]
    names, values = lines[0][1:], [int(v) for v in lines[1][1:]]
    d = dict(zip(names, values))
    return {k: d.get(k, 0) for k in ("InDatagrams", "InErrors", "RcvbufErrors")}


def daemon_ike(stats):
    d = stats.get("daemon")
    if not d:
        return {}
    d = d.get("daemon", d)  # the daemon half may nest its own "daemon" object
    return d.get("ike", {})


def softirq_s(cpu):
    """Seconds CPU `cpu` spent in softirq (/proc/stat, field 7 of its line)."""
    with open("/proc/stat") as f:
        for line in f:
            fields = line.split()
            if fields[0] == f"cpu{cpu}":
                return int(fields[7]) / CLK_TCK
    return 0.0


def snapshot(pid, netns, cpu):
    stats = json.load(sys.stdin)
    with open(f"/proc/{pid}/stat") as f:
        # Fields after the command name (which may hold spaces): utime is field 14.
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    with open(f"/proc/{pid}/schedstat") as f:  # main thread: ns on CPU, ns waiting on a runqueue
        runq_wait_ns = int(f.read().split()[1])
    xdp = stats.get("xdp", {})
    snap = {"xdp": {k: v for k, v in xdp.items() if isinstance(v, int)},
            "ike": {k: v for k, v in daemon_ike(stats).items() if isinstance(v, int)},
            "cpu_s": ticks / CLK_TCK, "udp": udp_counters(netns), "softirq_s": softirq_s(cpu),
            "runq_wait_s": runq_wait_ns / 1e9}
    json.dump(snap, sys.stdout)
    print()


def delta(after, before, key):
    return {k: v - before.get(key, {}).get(k, 0) for k, v in after.get(key, {}).items()}


def load(path):
    if path == "-" or not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def row(mode, rate, before_path, after_path, seconds, flood_path, legit_path):
    before, after = load(before_path), load(after_path)
    seconds = float(seconds)
    xdp, ike, udp = delta(after, before, "xdp"), delta(after, before, "ike"), delta(after, before, "udp")
    flood, legit = load(flood_path), load(legit_path)
    sent = flood["sent"] if flood else 0
    span = flood["duration_s"] if flood and flood["duration_s"] > 0 else seconds
    dropped = sum(xdp.get(k, 0) for k in XDP_DROPS)
    cpu = after["cpu_s"] - before["cpu_s"]
    # What answerd received beyond the legitimate initiator's requests: IKE_SA_INIT and
    # IKE_AUTH per negotiation, INFORMATIONAL { D } per completed one (--delete), plus
    # COOKIE/INVALID_KE retries and retransmissions.
    legit_requests = (2 * legit["started"] + legit["completed"] + legit["retransmissions"] + legit["init_retries"]
                      if legit else 0)
    flood_reached = max(0, ike.get("received", 0) - legit_requests)
    r = {"mode": mode, "rate": rate if rate == "max" else float(rate), "sent": sent, "sent_pps": round(sent / span),
         "flood_s": round(span, 3), "xdp_dropped": dropped, "xdp_dropped_pps": round(dropped / span),
         "xdp_drops": {k: xdp.get(k, 0) for k in XDP_DROPS if xdp.get(k, 0)},
         "daemon_received": ike.get("received", 0), "legit_requests": legit_requests,
         "flood_reached_daemon": flood_reached, "flood_reached_daemon_pps": round(flood_reached / span),
         "daemon": {k: v for k, v in ike.items() if v},
         "udp_rcvbuf_errors": udp.get("RcvbufErrors", 0),
         "answerd_cpu_s": round(cpu, 2), "answerd_cpu_pct": round(100 * cpu / span, 1),
         "answerd_runq_wait_s": round(after["runq_wait_s"] - before["runq_wait_s"], 2),
         "sender_cpu_softirq_s": round(after["softirq_s"] - before["softirq_s"], 2)}
    if legit:
        r["legit"] = {k: legit.get(k) for k in ("completed", "failed", "handshakes_per_s", "latency_ms",
                                                 "failures")}
    json.dump(r, sys.stdout)
    print()


def fmt(n):
    if isinstance(n, str):
        return n
    return f"{n:,.0f}".replace(",", " ")


def markdown(rows):
    out = ["| XDP | flood offered pps | sent pps | dropped by XDP pps | flood reaching answerd pps |"
           " socket overflows | answerd CPU | legit done/failed | legit hs/s | legit p50/p99 ms |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lg = r.get("legit")
        done = f"{lg['completed']}/{lg['failed']}" if lg else "-"
        hs = fmt(lg["handshakes_per_s"]) if lg else "-"
        lat = f"{lg['latency_ms']['p50']:.1f} / {lg['latency_ms']['p99']:.1f}" if lg and lg["completed"] else "-"
        out.append(f"| {r['mode']} | {fmt(r['rate'])} | {fmt(r['sent_pps'])} | {fmt(r['xdp_dropped_pps'])} |"
                   f" {fmt(r['flood_reached_daemon_pps'])} | {fmt(r['udp_rcvbuf_errors'])} |"
                   f" {r['answerd_cpu_pct']} % | {done} | {hs} | {lat} |")
    return "\n".join(out) + "\n"


def summary(rows):
    xdp = [r for r in rows if r["mode"] == "on" and r["sent"]]
    off = [r for r in rows if r["mode"] == "off" and r["sent"]]
    s = {"max_xdp_dropped_pps": max((r["xdp_dropped_pps"] for r in xdp), default=0),
         "max_flood_reaching_daemon_pps": max((r["flood_reached_daemon_pps"] for r in off), default=0)}
    s["ratio"] = round(s["max_xdp_dropped_pps"] / s["max_flood_reaching_daemon_pps"], 1) \
        if s["max_flood_reaching_daemon_pps"] else None
    # answerd's CPU per flood datagram it read (XDP off), beyond the baseline row's
    # CPU rate (the legitimate load alone): what each datagram XDP drops saves it.
    base = [r for r in rows if r["mode"] == "off" and not r["sent"]]
    base_rate = base[0]["answerd_cpu_s"] / base[0]["flood_s"] if base else 0.0
    per = sorted((r["answerd_cpu_s"] - base_rate * r["flood_s"]) / r["flood_reached_daemon"] * 1e6
                 for r in off if r["flood_reached_daemon"])
    # Under a load that starves answerd the baseline's CPU rate can exceed a row's:
    # no figure then rather than a negative one.
    s["answerd_us_per_flood_datagram"] = round(per[len(per) // 2], 2) if per and per[len(per) // 2] > 0 else None
    return s


def check(rows):
    """--short: the script works end to end; counters moved where they must."""
    errors = []
    for r in rows:
        if not r["sent"]:
            continue
        reached = r["flood_reached_daemon"]
        if r["mode"] == "on" and (r["xdp_dropped"] == 0 or reached > r["sent"] // 2):
            errors.append(f"XDP on: {r['xdp_dropped']} dropped by XDP, {reached} flood datagrams reached answerd")
        if r["mode"] == "off" and (reached == 0 or r["xdp_dropped"] != 0):
            errors.append(f"XDP off: {reached} flood datagrams reached answerd, {r['xdp_dropped']} dropped by XDP")
        # With the filter, negotiations must go on during the flood; without it they
        # may all fail (that is what the filter is for), so that is not checked.
        if r["mode"] == "on" and r.get("legit") and not r["legit"]["completed"]:
            errors.append("XDP on: no legitimate negotiation completed during the flood")
    if not any(r["sent"] for r in rows):
        errors.append("no flood was sent")
    return errors


def report(rows_path, meta_path, out_json, out_md, want_check):
    with open(rows_path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    meta = load(meta_path) or {}
    result = dict(meta, runs=rows, summary=summary(rows))
    with open(out_json, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    table = markdown(rows)
    s = result["summary"]
    table += (f"\nmax dropped by XDP: {fmt(s['max_xdp_dropped_pps'])} pps; max reaching answerd with XDP off:"
              f" {fmt(s['max_flood_reaching_daemon_pps'])} pps; ratio {s['ratio']}; answerd CPU per flood datagram"
              f" read: {s['answerd_us_per_flood_datagram']} us\n")
    with open(out_md, "w") as f:
        f.write(table)
    sys.stdout.write(table)
    errors = check(rows) if want_check else []
    for e in errors:
        print(f"xdp-flood: FAIL: {e}", file=sys.stderr)
    return 1 if errors else 0


def main(argv):
    if len(argv) == 5 and argv[1] == "snapshot":
        snapshot(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 9 and argv[1] == "row":
        row(*argv[2:])
        return 0
    if len(argv) in (6, 7) and argv[1] == "report":
        return report(*argv[2:6], want_check=len(argv) == 7 and argv[6] == "--check")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
