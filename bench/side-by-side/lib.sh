# shellcheck shell=bash
# bench/side-by-side, responder part: answerd and strongSwan's charon as the
# responder in namespace "resp", pinned to $SBS_DCPU; the IKE SA count and resident
# size of the running one; ike-bench runs pinned to $SBS_BCPU in namespace "ini".
# Sourced by bench/side-by-side/side-by-side after tests/interop/lib/interop.sh.
# Globals read: SBS_ANSWERD, SBS_BENCH, SBS_DCPU, SBS_BCPU, SBS_PSK, SBS_PKI,
# SBS_BPFFS, SBS_RESERVED (charon's threads that never process IKE), SBS_UNIQUE
# (`unique` of the connection on both responders), IA_WORK.

SBS_ACTIVE=""  # "answerd" or "charon": the responder now running

# sbs_pinned CPUS CMD...: run CMD (a shell function that starts a daemon in the
# background) with this shell pinned to CPUS, so the daemon and all its threads
# inherit that affinity; the shell's own affinity is restored afterwards.
sbs_pinned() {
  local cpus=$1 old
  shift
  old=$(taskset -pc $$ | sed 's/.*: //')
  taskset -pc "$cpus" $$ >/dev/null
  "$@"
  taskset -pc "$old" $$ >/dev/null
}

# sbs_answerd_start WORKERS AUTH(psk|cert) PROFILE(bench|default|xdp) [INIT_RATE BURST]
# bench: cookies and half-open limits out of the way; default: answerd's defaults
# (cookie_threshold 10); xdp: defaults plus the XDP filter on the responder's veth
# (native mode) with the per-source IKE_SA_INIT bucket INIT_RATE/BURST.
sbs_answerd_start() {
  local workers=$1 auth=$2 profile=$3 rate=${4:-200} burst=${5:-50} conf=$IA_WORK/answerd.conf
  local sock=$IA_WORK/answerd.sock limits="" xdp="" lauth rauth secret=""
  case $profile in
    bench) limits="cookie_threshold = 1000000" ;;
    default) ;;
    xdp) xdp="xdp {
    interfaces = $IA_RESP_DEV
    mode = native
    init_rate = $rate
    init_burst = $burst
  }" ;;
  esac
  if [ "$auth" = cert ]; then
    lauth="auth = pubkey
      id = hub.example
      certs = $SBS_PKI/hub.pem"
    rauth="auth = pubkey
      id = %any
      cacerts = $SBS_PKI/ca.pem"
    secret="secrets {
  private-hub {
    file = $SBS_PKI/hub.key
  }
}"
  else
    lauth="auth = psk
      id = hub.example"
    rauth="auth = psk
      id = %any"
    secret="secrets {
  ike-hub {
    id-hub = hub.example
    secret = \"$SBS_PSK\"
  }
}"
  fi
  cat >"$conf" <<CONF
connections {
  hub {
    local_addrs = $IA_RESP_ADDR
    remote_addrs = %any
    proposals = aes256gcm16-prfsha256-x25519
    unique = $SBS_UNIQUE
    local {
      $lauth
    }
    remote {
      $rauth
    }
  }
}
$secret
answerd {
  dataplane = none
  control_socket = $sock
  bpffs = $SBS_BPFFS
  workers = $workers
  $limits
  $xdp
  log {
    level = warning
  }
}
CONF
  rm -f "$sock"
  [ -z "${SBS_CHECK_ONLY:-}" ] || { "$SBS_ANSWERD" --check-config -c "$conf" >/dev/null 2>&1; return; }
  sbs_pinned "$SBS_DCPU" ia_answerd_start "$SBS_ANSWERD" resp "$conf" "$sock" "$IA_WORK/answerd.log"
  SBS_ACTIVE=answerd
  SBS_PID=${IA_BG_PID[answerd]}
}

# sbs_charon_setup WORKERS AUTH PROFILE: strongswan.conf and swanctl.conf for
# charon with threads = SBS_RESERVED + WORKERS (the reserved ones run the receiver,
# sender, scheduler and watcher jobs and never process an IKE message), an IKE SA
# hash table large enough for 50,000 SAs, and log level 0 (the established SA
# line, as answerd's warning level logs nothing per SA). bench: cookies, the
# per-IP block and the half-open limit out of the way; default: charon's own DoS
# protection (cookie_threshold 10, block_threshold 5, no half-open limit).
sbs_charon_setup() {
  local workers=$1 auth=$2 profile=$3 dos="" conn
  [ "$profile" = default ] || dos="  cookie_threshold = 10000000
  block_threshold = 10000000
  init_limit_half_open = 0"
  ia_charon_setup resp resp --log "default=0" --conf "  threads = $((SBS_RESERVED + workers))
  ikesa_table_size = 65536
  ikesa_table_segments = 16
$dos"
  if [ "$auth" = cert ]; then
    conn=$(ia_conn hub local_addrs="$IA_RESP_ADDR" local_id=hub.example remote_id=%any auth=pubkey \
      certs=hub.pem conn_extra="childless = allow;unique = $SBS_UNIQUE")
    ia_pki_install resp "$SBS_PKI" --ca ca --cert hub --key hub
  else
    conn=$(ia_conn hub local_addrs="$IA_RESP_ADDR" local_id=hub.example remote_id=%any \
      secret="$SBS_PSK" conn_extra="childless = allow;unique = $SBS_UNIQUE")
  fi
  ia_swanctl_conf resp <<<"$conn"
}

# sbs_charon_start WORKERS AUTH PROFILE: set up and start charon pinned, load config.
sbs_charon_start() {
  sbs_charon_setup "$@"
  sbs_pinned "$SBS_DCPU" ia_charon_start resp
  ia_swanctl_load resp
  SBS_ACTIVE=charon
  SBS_PID=${IA_CHARON_PID[resp]}
}

# sbs_stop: stop the running responder (and detach answerd's XDP program).
sbs_stop() {
  case $SBS_ACTIVE in
    answerd)
      # At shutdown answerd sends a DELETE for every IKE SA and waits for the
      # answers ike-bench no longer gives: KILL after 2 s (dataplane = none: nothing
      # to clean up but the XDP link, removed below).
      ia_bg_stop answerd 2 || true
      sbs_xdp_detach ;;
    charon) ia_charon_stop resp ;;
  esac
  SBS_ACTIVE=""
}

# sbs_xdp_detach: remove an XDP program left on the responder's veth (answerd
# leaves its pinned link by design) and its pins.
sbs_xdp_detach() {
  ia_ns_exec resp ip link set dev "$IA_RESP_DEV" xdp off 2>/dev/null || true
  find "$SBS_BPFFS" -mindepth 1 -delete 2>/dev/null || true
}

# sbs_check_pinned: fail unless every thread of the responder runs on SBS_DCPU only.
sbs_check_pinned() {
  local t
  for t in /proc/"$SBS_PID"/task/*; do
    [ "$(taskset -pc "${t##*/}" | sed 's/.*: //')" = "$SBS_DCPU" ] ||
      ia_fail "$SBS_ACTIVE thread ${t##*/} is not pinned to CPU $SBS_DCPU"
  done
}

# sbs_ike_sas: number of IKE SAs the running responder holds.
sbs_ike_sas() {
  if [ "$SBS_ACTIVE" = answerd ]; then
    ia_answerd_query --print "$IA_WORK/answerd.sock" "stats show" 'r["result"]["daemon"]["ike"]["ike_sas"]'
  else
    ia_swanctl resp --stats | sed -n 's/^IKE_SAs: \([0-9]*\) total.*/\1/p'
  fi
}

# sbs_rss_kib: resident set size of the running responder (VmRSS, KiB).
sbs_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SBS_PID/status"; }

# sbs_cpu_ticks: user+system clock ticks the responder has used so far.
sbs_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SBS_PID/stat"; }

# sbs_bench NAME ARGS...: ike-bench pinned to SBS_BCPU in "ini" against the
# responder, report in $IA_WORK/NAME.json (ike-bench's exit status is ignored:
# failures are counted in the report).
sbs_bench() {
  local name=$1
  shift
  # Under SCHED_RR the legitimate initiator runs one priority above the flood
  # sender on the same CPU: it is never queued behind a flood time slice.
  local rr=()
  [ "$(chrt -p $$ | head -1 | sed 's/.*: //')" != SCHED_RR ] || rr=(chrt -r 2)
  # shellcheck disable=SC2016  # expanded by the inner bash
  ia_ns_exec ini taskset -c "$SBS_BCPU" "${rr[@]}" bash -c 'TIMEFORMAT="%3U %3S"; out=$1; shift
    { time "$@" >"$out" 2>&1; } 2>"$out.time"' _ "$IA_WORK/$name.out" \
    "$SBS_BENCH" --target "$IA_RESP_ADDR" --remote-id hub.example \
    --proposal aes256gcm16-prfsha256-x25519 --childless --json "$IA_WORK/$name.json" "$@" || true
  [ -s "$IA_WORK/$name.json" ] || ia_fail "ike-bench $name wrote no report: $(tail -3 "$IA_WORK/$name.out")"
}

# sbs_bench_cpu NAME: CPU seconds (user + system) the ike-bench run NAME used.
sbs_bench_cpu() { awk '{print $1 + $2}' "$IA_WORK/$1.out.time"; }

# sbs_auth_args AUTH [PREFIX]: ike-bench's credential and identity options for psk
# (IDi PREFIX-<n>.example, one identity per negotiation) or cert (the identity of
# the one initiator certificate, spoke.example).
sbs_auth_args() {
  if [ "$1" = cert ]; then
    echo "--cert $SBS_PKI/spoke.pem --key $SBS_PKI/spoke.key --cacert $SBS_PKI/ca.pem --id-pattern spoke.example"
  else
    echo "--psk $SBS_PSK --id-pattern ${2:-spoke}-%d.example"
  fi
}

# sbs_answerd_counters: a JSON object with answerd's datagrams received by its
# sockets, worker jobs dropped (queue full) and COOKIEs sent; {} for charon.
sbs_answerd_counters() {
  if [ "$SBS_ACTIVE" = answerd ]; then
    ia_answerd_query --print "$IA_WORK/answerd.sock" "stats show" '{
      "daemon_received": r["result"]["daemon"]["sockets"]["received"],
      "jobs_dropped": r["result"]["daemon"]["workers"]["dropped"],
      "cookies_sent": r["result"]["daemon"]["ike"]["sa"]["cookies_sent"]}'
  else
    echo '{}'
  fi
}
