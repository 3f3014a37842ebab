# shellcheck shell=bash
# shellcheck disable=SC2154  # sas, rates, seconds, short, concurrency, legit_range, spoof_range: side-by-side
# bench/side-by-side, phases 3 and 4: memory per established IKE SA, and the
# legitimate handshake rate under a spoofed IKE_SA_INIT flood. Sourced by
# side-by-side after lib.sh; uses its globals (sas, rates, seconds, concurrency,
# legit_range, spoof_range) and its record function.

# XDP per-source IKE_SA_INIT bucket for the flood phase: answerd's defaults
# (200/s, burst 50), above a legitimate source's rate (the legit load comes from
# 240 addresses: 9,000 handshakes/s with a COOKIE round trip each is 75
# IKE_SA_INIT/s per source), far below a flooding source's (16 spoofed sources).
SBS_XDP_RATE=200
SBS_XDP_BURST=50

# sbs_memory_phase: for each responder, VmRSS at rest and after each count in $sas
# of established IKE SAs (one identity each, never deleted); bytes per IKE SA is the
# growth over the count.
sbs_memory_phase() {
  local d n prev rss0 rss got
  for d in answerd charon; do
    if [ "$d" = answerd ]; then sbs_answerd_start 1 psk bench; else sbs_charon_start 1 psk bench; fi
    sleep 1
    rss0=$(sbs_rss_kib)
    prev=0
    for n in ${sas//,/ }; do
      # shellcheck disable=SC2046
      sbs_bench "mem-$d-$n" $(sbs_auth_args psk "m$n") --local-range "$legit_range" \
        --concurrency "$concurrency" --count $((n - prev))
      ia_wait_until 60 sbs_ike_sas_at_least "$n" || true
      sleep 1
      got=$(sbs_ike_sas)
      rss=$(sbs_rss_kib)
      record memory "$(jq -n --arg d "$d" --argjson n "$n" --argjson got "${got:-0}" --argjson r0 "$rss0" \
        --argjson r "$rss" --argjson f "$(jq .failed "$IA_WORK/mem-$d-$n.json")" \
        '{daemon: $d, target_sas: $n, ike_sas: $got, failed: $f, rss_base_kib: $r0, rss_kib: $r,
          bytes_per_sa: (if $got > 0 then (($r - $r0) * 1024 / $got | floor) else null end)}')"
      ia_log "memory $d: $got IKE SAs, VmRSS $rss0 -> $rss KiB"
      prev=$n
    done
    sbs_stop
  done
}
sbs_ike_sas_at_least() { [ "$(sbs_ike_sas)" -ge "$1" ]; }

# sbs_flood_phase: for each flood rate in $rates, a fresh responder (1 worker, PSK,
# DoS protection at its defaults), ike-bench flood --kind init from the spoofed
# range for the whole measurement, and the legitimate load as in phase 1.
sbs_flood_phase() {
  local cfg r name fpid t0 t1
  for cfg in answerd-xdp answerd charon; do
    for r in ${rates//,/ }; do
      case $cfg in
        answerd-xdp) sbs_answerd_start 1 psk xdp "$SBS_XDP_RATE" "$SBS_XDP_BURST" ;;
        answerd) sbs_answerd_start 1 psk default ;;
        charon) sbs_charon_start 1 psk default ;;
      esac
      name=flood-$cfg-$r
      fpid=""
      if [ "$r" -gt 0 ]; then
        ia_ns_exec ini taskset -c "$SBS_BCPU" "$SBS_BENCH" flood --kind init --target "$IA_RESP_ADDR" \
          --rate "$r" --duration $((seconds + 1 + (1 - short))) --spoof-range "$spoof_range" \
          --json "$IA_WORK/$name-flood.json" >"$IA_WORK/$name-flood.out" 2>&1 &
        fpid=$!
        sleep "$([ "$short" = 1 ] && echo 0.3 || echo 1)"
      fi
      t0=$(sbs_cpu_ticks)
      # shellcheck disable=SC2046
      sbs_bench "$name" $(sbs_auth_args psk "f$r") --local-range "$legit_range" \
        --concurrency "$concurrency" --duration "$seconds"
      t1=$(sbs_cpu_ticks)
      [ -z "$fpid" ] || wait "$fpid" || true
      record flood "$(jq -c --arg cfg "$cfg" --argjson rate "$r" --argjson ctr "$(sbs_answerd_counters)" \
        --argjson cpu "$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (b - a) / hz}')" \
        --argjson sent "$(jq '.sent / .duration_s | floor' "$IA_WORK/$name-flood.json" 2>/dev/null || echo 0)" \
        '{config: $cfg, flood_rate: $rate, flood_sent: $sent, daemon_cpu_s: $cpu, duration_s, handshakes_per_s, completed, failed,
          retransmissions, init_retries, failures, p50_ms: .latency_ms.p50, p99_ms: .latency_ms.p99} + $ctr' \
          "$IA_WORK/$name.json")"
      ia_log "$name: $(jq -c '{handshakes_per_s, failed, p50: .latency_ms.p50}' "$IA_WORK/$name.json")"
      sbs_stop
    done
  done
}
