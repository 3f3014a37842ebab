#!/usr/bin/env bash
# VM scenario strongswan_kernel: two strongSwan 5.9.8 charons (Debian's package, run
# from the host tree) in namespaces "ini" and "resp" negotiate IKEv2 with a PSK,
# aes256gcm16-prfsha256-x25519, and install the CHILD_SA in the kernel's XFRM
# (kernel-netlink, real ESP; no libipsec). Uses the interop harness in
# tests/interop/lib (read-only): ini 192.0.2.1 / inner 10.1.0.1, resp 192.0.2.2 /
# inner 10.2.0.1.
#
# Checks: IKE SA ESTABLISHED and CHILD_SA INSTALLED on both; two ESP SAs in each
# kernel; a ping between the protected addresses; a 4 MiB TCP transfer arrives
# intact (SHA-256); the kernel's byte and packet counters of each direction's SA
# agree between sender and receiver, cover the transfer, and swanctl reports the
# same bytes as the kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
vm_init strongswan_kernel
ia_dir="$(dirname "$0")/../../interop/lib"
[ -f "$ia_dir/interop.sh" ] || vm_skip "needs the interop harness in tests/interop/lib"
# shellcheck source=../../interop/lib/interop.sh
. "$ia_dir/interop.sh"
ia_init strongswan_kernel
ia_require_root
ia_require_strongswan openssl vici socket-default kernel-netlink
ia_require_cmd python3
# Leave the charon logs in the VM's output folder (run-vm --out DIR keeps them).
for side in ini resp; do
  ia_on_exit cp "$IA_WORK/$side/charon.log" "$ANSWERD_VM_OUT/charon-$side.log"
done

ia_topology_direct

conf() {  # conf ME OTHER LOCAL_ADDR REMOTE_ADDR LOCAL_NET REMOTE_NET
  cat <<CONF
connections {
  psk {
    version = 2
    local_addrs = $3
    remote_addrs = $4
    proposals = aes256gcm16-prfsha256-x25519
    local {
      auth = psk
      id = $1.answerd.test
    }
    remote {
      auth = psk
      id = $2.answerd.test
    }
    children {
      net {
        local_ts = $5
        remote_ts = $6
        esp_proposals = aes256gcm16
        mode = tunnel
      }
    }
  }
}
secrets {
  ike-psk {
    id-ini = ini.answerd.test
    id-resp = resp.answerd.test
    secret = "answerd VM kernel ESP test key"
  }
}
CONF
}
ia_charon_setup resp resp --kernel netlink
ia_charon_setup ini ini --kernel netlink
conf resp ini 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 | ia_swanctl_conf resp
conf ini resp 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 | ia_swanctl_conf ini
for side in resp ini; do
  ia_charon_start "$side"
  ia_swanctl_load "$side"
done
vm_log "charons up"

ia_initiate ini net 60
for side in ini resp; do
  ia_wait_ike "$side" 1 ESTABLISHED 20 || vm_fail "no ESTABLISHED IKE SA on $side"
  [ "$(ia_child_count "$side" INSTALLED)" -eq 1 ] ||
    vm_fail "no INSTALLED CHILD_SA on $side: $(ia_list_sas "$side")"
  [ "$(ia_sa_value "$side" encr-alg)" = AES_GCM_16 ] || vm_fail "$side: encr-alg $(ia_sa_value "$side" encr-alg)"
  [ "$(ia_sa_value "$side" dh-group)" = CURVE_25519 ] || vm_fail "$side: dh-group $(ia_sa_value "$side" dh-group)"
  # (read whole: ip flushes per SA, and an early-exiting reader would SIGPIPE it)
  states=$(ia_ns_exec "$side" ip xfrm state)
  n=$(grep -c '^src ' <<<"$states" || true)
  [ "$n" -eq 2 ] || vm_fail "$side: $n SAs in the kernel, want 2: $states"
  [ "$(grep -c 'aead rfc4106(gcm(aes))' <<<"$states")" -eq 2 ] ||
    vm_fail "$side: kernel SAs are not rfc4106(gcm(aes)): $states"
done
vm_log "IKE SA established, CHILD_SA in both kernels"

ia_ns_exec ini ping -q -c 3 -i 0.2 -W 5 -I 10.1.0.1 10.2.0.1 >/dev/null ||
  vm_fail "no ping through the tunnel"

# 4 MiB over TCP from 10.1.0.1 to 10.2.0.1:5001 through the tunnel.
size=$((4 * 1024 * 1024))
head -c "$size" /dev/urandom >"$IA_WORK/blob"
want=$(sha256sum <"$IA_WORK/blob" | cut -d' ' -f1)
ia_ns_exec resp python3 -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.2.0.1", 5001)); s.listen(1); open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
open(sys.argv[1], "w").write("%d %s\n" % (n, h.hexdigest()))
' "$IA_WORK/received" &
ia_wait_until 20 test -f "$IA_WORK/received.ready" || vm_fail "TCP receiver did not start"
t0=$(date +%s.%N)
ia_ns_exec ini python3 -c '
import socket, sys
c = socket.create_connection(("10.2.0.1", 5001), timeout=60, source_address=("10.1.0.1", 0))
c.sendall(open(sys.argv[1], "rb").read()); c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
' "$IA_WORK/blob" || vm_fail "TCP transfer through the tunnel failed"
wait $! || vm_fail "TCP receiver failed"
t1=$(date +%s.%N)
read -r got_n got_h <"$IA_WORK/received"
[ "$got_n" = "$size" ] && [ "$got_h" = "$want" ] ||
  vm_fail "TCP transfer: received $got_n bytes sha256 $got_h, sent $size bytes sha256 $want"
vm_log "4 MiB TCP transfer intact ($(awk -v a="$t0" -v b="$t1" -v n="$size" 'BEGIN{printf "%.1f MB/s", n / (b - a) / 1e6}'))"

# spi_of NS SRC DST: the SPI of the ESP SA from SRC to DST in NS's kernel.
spi_of() {
  ia_ns_exec "$1" ip xfrm state list src "$2" dst "$3" proto esp | awk '/proto esp spi/ && !n++ {print $4}'
}
for dir in "ini resp 192.0.2.1 192.0.2.2" "resp ini 192.0.2.2 192.0.2.1"; do
  read -r from to src dst <<<"$dir"
  spi=$(spi_of "$from" "$src" "$dst")
  [ "$spi" = "$(spi_of "$to" "$src" "$dst")" ] || vm_fail "$from->$to: SPIs differ between the kernels"
  declare -A cnt=()
  for field in bytes packets; do
    tx=$(vm_sa_counter "$(ia_ns "$from")" "$src" "$dst" "$spi" "$field")
    rx=$(vm_sa_counter "$(ia_ns "$to")" "$src" "$dst" "$spi" "$field")
    [ -n "$tx" ] && [ "$tx" = "$rx" ] || vm_fail "$from->$to SA $spi: $from sent $tx $field, $to received $rx"
    cnt[$field]=$tx
  done
  # The data direction carried the 4 MiB (plus headers) in at least 4 MiB / MTU packets.
  if [ "$from" = ini ]; then
    vm_expect_ge "ini->resp SA bytes" "${cnt[bytes]}" "$size"
    vm_expect_ge "ini->resp SA packets" "${cnt[packets]}" $((size / 1500))
  fi
  vm_log "$from->$to SA $spi: ${cnt[packets]} packets, ${cnt[bytes]} bytes on both kernels"
done
out_bytes=$(ia_sa_value ini bytes-out)
in_bytes=$(ia_sa_value resp bytes-in)
k_bytes=$(vm_sa_counter "$(ia_ns ini)" 192.0.2.1 192.0.2.2 "$(spi_of ini 192.0.2.1 192.0.2.2)" bytes)
[ "$out_bytes" = "$in_bytes" ] && [ "$out_bytes" = "$k_bytes" ] ||
  vm_fail "swanctl bytes-out on ini $out_bytes, bytes-in on resp $in_bytes, kernel $k_bytes"

ia_terminate_ike ini psk || vm_fail "terminate"
ia_wait_ike resp 0 "" 10 || vm_fail "responder kept its IKE SA after DELETE"
n=$(ia_ns_exec resp ip xfrm state | grep -c '^src ' || true)
[ "$n" -eq 0 ] || vm_fail "resp: $n SAs left in the kernel after DELETE"
echo "strongswan_kernel: PSK/x25519/AES-GCM tunnel in the kernel, ping and 4 MiB TCP through ESP, counters agree, SAs removed on DELETE"
