# shellcheck shell=bash
# Helpers for the answerd_* VM scenarios: answerd itself (dataplane = xfrm, from the
# build folder) as the responder in namespace "resp", a strongSwan 5.9.8 initiator
# with kernel ESP (kernel-netlink) in "ini", hosts behind both gateways, and the
# checks every scenario makes: traffic through the tunnel, `ip -s xfrm state`
# counters on both kernels against `answerctl -j sa list`, and the SAD/SPD counts.
# Builds on lib.sh (vm_*) and the interop harness tests/interop/lib (ia_*):
#
#   lh 10.1.0.2 -- 10.1.0.1 ini 192.0.2.1 ==ESP== 192.0.2.2 resp 10.2.0.1 -- 10.2.0.2 rh
#   (fd01::2)       (fd01::1)  (2001:db8::1)       (2001:db8::2)  (fd02::1)     (fd02::2)
#   strongSwan initiator                              answerd responder
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AD_PSK="answerd VM end-to-end test key"

# ad_init NAME: the VM guard, the interop harness, answerd and answerctl from
# $ANSWERD_BUILD_DIR, strongSwan with kernel-netlink; logs go to the output folder.
ad_init() {
  vm_init "$1"
  local ia_dir
  ia_dir="$(dirname "${BASH_SOURCE[0]}")/../../interop/lib"
  [ -f "$ia_dir/interop.sh" ] || vm_skip "needs the interop harness in tests/interop/lib"
  # shellcheck source=../../interop/lib/interop.sh
  . "$ia_dir/interop.sh"
  ia_init "$1"
  ia_require_root
  ia_require_strongswan openssl vici socket-default kernel-netlink
  ia_require_cmd python3 jq tcpdump
  AD_BIN=${ANSWERD_BUILD_DIR:-}/userspace/daemon/answerd
  AD_CTL=${ANSWERD_BUILD_DIR:-}/tools/answerctl/answerctl
  [ -x "$AD_BIN" ] && [ -x "$AD_CTL" ] ||
    vm_skip "answerd/answerctl not built in ANSWERD_BUILD_DIR=${ANSWERD_BUILD_DIR:-} (areas daemon, answerctl, sa, xfrm)"
  AD_SOCK=$IA_WORK/answerd.sock
  AD_LOG=$IA_WORK/answerd.log
  ia_on_exit ad_save_logs
}

# ad_save_logs: answerd's and the charons' logs into the VM output folder.
ad_save_logs() {
  cp "$AD_LOG"* "$ANSWERD_VM_OUT/" 2>/dev/null || true
  for f in "$IA_WORK"/*/charon.log; do
    [ -f "$f" ] && cp "$f" "$ANSWERD_VM_OUT/charon-$(basename "$(dirname "$f")").log"
  done
  return 0
}

# ad_topology: the four namespaces above, forwarding on both gateways, routes to
# the far subnets (answerd installs policies, not routes: the operator routes).
# The hosts' links have MTU 1400 so that tunnel-mode ESP of a full segment still
# fits the 1500-byte gateway link without relying on PMTU discovery.
ad_topology() {
  ia_ns_create ini resp lh rh
  ia_link ini 192.0.2.1/24 resp 192.0.2.2/24
  ia_link lh 10.1.0.2/24 ini 10.1.0.1/24
  ia_link resp 10.2.0.1/24 rh 10.2.0.2/24
  ia_addr_add ini 2001:db8::1/64 to-resp
  ia_addr_add resp 2001:db8::2/64 to-ini
  ia_addr_add lh fd01::2/64 to-ini
  ia_addr_add ini fd01::1/64 to-lh
  ia_addr_add resp fd02::1/64 to-rh
  ia_addr_add rh fd02::2/64 to-resp
  local n
  for n in lh rh; do ip -n "$(ia_ns "$n")" link set dev "to-$( [ "$n" = lh ] && echo ini || echo resp)" mtu 1400; done
  for n in ini resp; do vm_router "$(ia_ns "$n")"; done
  ia_route_add lh default via 10.1.0.1
  ia_route_add lh default via fd01::1
  ia_route_add rh default via 10.2.0.1
  ia_route_add rh default via fd02::1
  ia_route_add ini 10.2.0.0/24 via 192.0.2.2
  ia_route_add ini fd02::/64 via 2001:db8::2
  ia_route_add resp 10.1.0.0/24 via 192.0.2.1
  ia_route_add resp fd01::/64 via 2001:db8::1
}

# ad_answerd_conf CONNECTIONS_TEXT: answerd.conf with these connections (text inside
# connections { }), one PSK for resp.answerd.test and each identity in AD_INI_IDS
# (default ini.answerd.test), dataplane = xfrm.
ad_answerd_conf() {
  local id i=0 ids=""
  for id in ${AD_INI_IDS:-ini.answerd.test}; do ids+="    id-ini$((i++)) = $id"$'\n'; done
  cat >"$IA_WORK/answerd.conf" <<CONF
connections {
$1
}
secrets {
  ike-all {
    id-resp = resp.answerd.test
$ids    secret = "$AD_PSK"
  }
}
answerd {
  dataplane = xfrm
  control_socket = $AD_SOCK
}
CONF
}

# ad_conn NAME REMOTE_ID LOCAL_ADDRS REMOTE_ADDRS LOCAL_TS REMOTE_TS [CHILD_LINES] [CONN_LINES]:
# one answerd connection (PSK, AES-GCM-256/X25519) with one child "NAME-net".
ad_conn() {
  cat <<CONF
  $1 {
    local_addrs = $3
    remote_addrs = $4
    proposals = aes256gcm16-prfsha256-x25519
$(ia_conf_lines "    " "${8:-}")
    local {
      auth = psk
      id = resp.answerd.test
    }
    remote {
      auth = psk
      id = $2
    }
    children {
      $1-net {
        local_ts = $5
        remote_ts = $6
        esp_proposals = aes256gcm16, aes128-sha256
$(ia_conf_lines "        " "${7:-}")
      }
    }
  }
CONF
}

# ad_answerd_start: start answerd in "resp" (debug log) and wait for its sockets.
# Under TCG the kernel probe at startup (each ESP algorithm's crypto template is
# instantiated once, through the usermode modprobe) takes several seconds.
ad_answerd_start() {
  local t0=$SECONDS
  "$AD_BIN" --check-config -c "$IA_WORK/answerd.conf" >/dev/null 2>&1 ||
    vm_fail "answerd rejects its config: $("$AD_BIN" --check-config -c "$IA_WORK/answerd.conf" 2>&1)"
  rm -f "$AD_SOCK"
  [ ! -e "$AD_LOG" ] || mv "$AD_LOG" "$AD_LOG.$((++AD_RUNS))"
  ia_bg_start answerd resp "$AD_LOG" "$AD_BIN" -c "$IA_WORK/answerd.conf" --log-level debug
  ia_wait_until 120 test -S "$AD_SOCK" || vm_fail "answerd did not open its control socket: $(tail -5 "$AD_LOG")"
  ia_wait_udp resp 500 30 || vm_fail "answerd does not listen on UDP 500: $(tail -5 "$AD_LOG")"
  vm_log "answerd up after $((SECONDS - t0))s"
}
AD_RUNS=0

# ad_ctl ARGS...: answerctl against answerd's control socket.
ad_ctl() { "$AD_CTL" --socket "$AD_SOCK" "$@"; }

# ad_stat NAME: one engine counter from `answerctl -j stats show` (the object under
# daemon ... ike.sa that holds ike_established and the other SA counters).
ad_stat() {
  ad_ctl -j stats show | jq -r --arg k "$1" 'first(.. | objects | select(has("ike_established")) | .[$k])'
}

# ad_children: one line per Child SA answerd lists (`answerctl -j sa list`):
#   local_addr remote_addr name mode spi_in spi_out bytes_in packets_in bytes_out packets_out
ad_children() {
  ad_ctl -j sa list | jq -r '(.ike_sas // .result.ike_sas)[] as $s | $s.child_sas[] |
    [$s.local.addr, $s.remote.addr, .name, .mode, .spi_in, .spi_out,
     .bytes_in, .packets_in, .bytes_out, .packets_out] | @tsv'
}

# ad_ike_count: IKE SAs answerd lists.
ad_ike_count() { ad_ctl -j sa list | jq '(.ike_sas // .result.ike_sas) | length'; }

# ad_xfrm_count NS: "SAs policies" in NS's kernel (policies: those with a template,
# i.e. without the per-socket bypass entries charon adds for its IKE sockets).
ad_xfrm_count() {
  local s p
  s=$(ip -n "$(ia_ns "$1")" xfrm state)
  p=$(ip -n "$(ia_ns "$1")" xfrm policy)
  echo "$(grep -c '^src ' <<<"$s" || true) $(grep -c 'tmpl ' <<<"$p" || true)"
}

# ad_check_counters CASE PEER PEER_ADDR MIN_IN_PACKETS MIN_OUT_PACKETS: every Child SA
# answerd lists has kernel counters (ip -s xfrm state in "resp") equal to answerctl's
# bytes and packets in both directions, the peer's kernel counted the same on its
# side of each SA (sent = received, bytes and packets), without replay or integrity
# failures, and at least the given packets. Traffic must be quiet while it runs.
ad_check_counters() {
  local c=$1 peer=$2 paddr=$3 min_in=$4 min_out=$5 rows la ra name mode si so bi pi bo po k
  local rns pns
  rns=$(ia_ns resp) pns=$(ia_ns "$peer")
  rows=$(ad_children)
  [ -n "$rows" ] || vm_fail "$c: answerctl lists no Child SA"
  while read -r la ra name mode si so bi pi bo po; do
    for k in "bytes $bi" "packets $pi"; do
      set -- $k
      [ "$(vm_sa_counter "$rns" "$ra" "$la" "0x$si" "$1")" = "$2" ] ||
        vm_fail "$c: $name inbound SA $si: answerctl says $2 $1, kernel $(vm_sa_counter "$rns" "$ra" "$la" "0x$si" "$1")"
      [ "$(vm_sa_counter "$pns" "$paddr" "$la" "0x$si" "$1")" = "$2" ] ||
        vm_fail "$c: $name SA $si: $peer sent $(vm_sa_counter "$pns" "$paddr" "$la" "0x$si" "$1") $1, answerd received $2"
    done
    for k in "bytes $bo" "packets $po"; do
      set -- $k
      [ "$(vm_sa_counter "$rns" "$la" "$ra" "0x$so" "$1")" = "$2" ] ||
        vm_fail "$c: $name outbound SA $so: answerctl says $2 $1, kernel $(vm_sa_counter "$rns" "$la" "$ra" "0x$so" "$1")"
      [ "$(vm_sa_counter "$pns" "$la" "$paddr" "0x$so" "$1")" = "$2" ] ||
        vm_fail "$c: $name SA $so: answerd sent $2 $1, $peer received $(vm_sa_counter "$pns" "$la" "$paddr" "0x$so" "$1")"
    done
    [ "$(vm_sa_errors "$rns" "$ra" "$la" "0x$si")" = 0 ] || vm_fail "$c: replay/integrity failures on answerd's SA $si"
    [ "$(vm_sa_errors "$pns" "$la" "$paddr" "0x$so")" = 0 ] || vm_fail "$c: replay/integrity failures on $peer's SA $so"
    vm_expect_ge "$c: $name packets in" "$pi" "$min_in"
    vm_expect_ge "$c: $name packets out" "$po" "$min_out"
    vm_log "$c: $name ($mode) in $si $pi pkts/$bi B, out $so $po pkts/$bo B: answerctl = kernel = $peer"
  done <<<"$rows"
}

# ad_python: the TCP sender/receiver both transfer scenarios use (written once).
ad_python() {
  [ -f "$IA_WORK/xfer.py" ] || cat >"$IA_WORK/xfer.py" <<'PY'
# xfer.py recv ADDR PORT OUT | send ADDR PORT SRC BYTES [SECONDS]: a TCP stream of
# pseudo-random bytes (seeded, reproducible); the receiver writes "N SHA256" to OUT,
# the sender prints the same for what it sent. With SECONDS the sender paces itself
# to spread BYTES over that time (a continuous transfer during rekeys).
import hashlib, random, socket, sys, time
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "recv":
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1); open(sys.argv[4] + ".ready", "w").close()
    c, _ = s.accept(); h = hashlib.sha256(); n = 0
    while True:
        b = c.recv(65536)
        if not b: break
        h.update(b); n += len(b)
    open(sys.argv[4], "w").write("%d %s\n" % (n, h.hexdigest()))
else:
    src, total = sys.argv[4], int(sys.argv[5])
    secs = float(sys.argv[6]) if len(sys.argv) > 6 else 0
    c = socket.create_connection((addr, port), timeout=60, source_address=(src, 0))
    rnd = random.Random(4); h = hashlib.sha256(); n = 0; t0 = time.time()
    while n < total:
        b = rnd.randbytes(min(65536, total - n)); c.sendall(b); h.update(b); n += len(b)
        if secs:
            ahead = t0 + secs * n / total - time.time()
            if ahead > 0: time.sleep(ahead)
    c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
    print("%d %s" % (n, h.hexdigest()))
PY
}

# ad_tcp FROM TO DST_ADDR SRC_ADDR BYTES [SECONDS]: a TCP transfer from namespace FROM
# to TO that must arrive whole (length and SHA-256); sets AD_TCP_SECS (duration).
ad_tcp() {
  local from=$1 to=$2 dst=$3 src=$4 bytes=$5 secs=${6:-} out sent got t0 t1
  ad_python
  out=$IA_WORK/received.$RANDOM
  ia_ns_exec "$to" python3 "$IA_WORK/xfer.py" recv "$dst" 5001 "$out" &
  local rpid=$!
  ia_wait_until 20 test -f "$out.ready" || vm_fail "TCP receiver on $dst did not start"
  t0=$(date +%s.%N)
  sent=$(ia_ns_exec "$from" python3 "$IA_WORK/xfer.py" send "$dst" 5001 "$src" "$bytes" $secs) ||
    vm_fail "TCP transfer $src -> $dst failed"
  wait "$rpid" || vm_fail "TCP receiver on $dst failed"
  t1=$(date +%s.%N)
  got=$(cat "$out")
  [ "$got" = "$sent" ] || vm_fail "TCP $src -> $dst: received '$got', sent '$sent'"
  AD_TCP_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
  vm_log "TCP $src -> $dst: $bytes bytes intact in ${AD_TCP_SECS}s ($(awk -v s="$AD_TCP_SECS" -v n="$bytes" 'BEGIN{printf "%.2f", n / s / 1e6}') MB/s)"
}

# ad_ping NS DST [SRC]: three answered pings (TCG: 5 s timeout each).
ad_ping() {
  local src=()
  [ -z "${3:-}" ] || src=(-I "$3")
  ia_ns_exec "$1" ping -q -c 3 -i 0.2 -W 5 "${src[@]}" "$2" >/dev/null || vm_fail "ping $2 from $1 got no answer"
}

# ad_initiator_start: (re)start strongSwan in "ini" with kernel ESP and the
# swanctl.conf text read from stdin; AD_CHARON_CONF adds strongswan.conf lines
# inside charon { } (e.g. shorter retransmissions).
ad_initiator_start() {
  ia_charon_stop ini
  ia_charon_setup ini ini --kernel netlink --log "default=1 ike=2 cfg=1 chd=2 knl=2" --conf "${AD_CHARON_CONF:-}"
  ia_swanctl_conf ini
  ia_charon_start ini
  ia_swanctl_load ini
}

# ad_ini_conn NAME ID LOCAL REMOTE LOCAL_TS REMOTE_TS [ia_conn KEY=VALUE...]: a
# strongSwan connection to answerd (PSK, AES-GCM-256/X25519) with child NAME-net.
ad_ini_conn() {
  local name=$1 id=$2 l=$3 r=$4 lts=$5 rts=$6
  shift 6
  ia_conn "$name" local_addrs="$l" remote_addrs="$r" local_ts="$lts" remote_ts="$rts" \
    child="$name-net" local_id="$id" remote_id=resp.answerd.test secret="$AD_PSK" "$@"
}

# ad_up NAME: initiate NAME-net from strongSwan and wait until answerd lists it.
ad_up() {
  ia_initiate ini "$1-net" 60
  ia_wait_until 10 ad_has_child "$1-net" || vm_fail "$1: answerd does not list Child SA $1-net: $(ad_ctl sa list)"
}
ad_has_child() { ad_children | awk -v n="$1" '$3 == n {f = 1} END {exit !f}'; }

# ad_down NAME: strongSwan deletes IKE SA NAME; answerd drops it and its SAs.
ad_down() {
  ia_terminate_ike ini "$1" || vm_fail "$1: swanctl --terminate"
  ia_wait_until 10 ad_no_child "$1-net" || vm_fail "$1: answerd kept $1-net after the DELETE"
}
ad_no_child() { ! ad_has_child "$1"; }
