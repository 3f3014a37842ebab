#!/usr/bin/env bash
# VM scenario esp_manual: real kernel ESP with SAs and policies installed by hand
# (ip xfrm), between two gateways that protect a subnet each:
#
#   lhost 10.1.0.2 -- 10.1.0.1 left 172.16.0.1 ==ESP== 172.16.0.2 right 10.2.0.1 -- 10.2.0.2 rhost
#   (fd01::2)          (fd01::1)   (fd00:172::1)        (fd00:172::2)   (fd02::1)       (fd02::2)
#
# Tunnel mode with AES-GCM-16 (rfc4106), AES-CBC + HMAC-SHA-256-128 (authenc) and
# ChaCha20-Poly1305 (rfc7539esp); transport mode between the gateways; an IPv6 outer
# tunnel for the IPv6 subnets. Each case: hosts ping across, and the ESP SAs' packet
# counters moved equally on the sending and the receiving gateway, with no failures.
. "$(dirname "$0")/lib.sh"
vm_init esp_manual

vm_topology_gateways

hexkey() { echo "0x$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"; }

# algo NAME: the ip-xfrm algorithm arguments of NAME with fresh random keys.
algo() {
  case $1 in
    aes256gcm16) echo "aead rfc4106(gcm(aes)) $(hexkey 36) 128" ;;  # 32-byte key + 4-byte salt
    aes128-sha256) echo "enc cbc(aes) $(hexkey 16) auth-trunc hmac(sha256) $(hexkey 32) 128" ;;
    chacha20poly1305) echo "aead rfc7539esp(chacha20,poly1305) $(hexkey 36) 128" ;;
    *) vm_fail "unknown algorithm $1" ;;
  esac
}

# sa_pair NS MODE LOCAL REMOTE SPI_OUT SPI_IN ALGO_OUT ALGO_IN: both SAs on one side.
sa_pair() {
  local ns=$1 mode=$2 l=$3 r=$4
  # shellcheck disable=SC2086  # the algorithm arguments are words
  ip -n "$ns" xfrm state add src "$l" dst "$r" proto esp spi "$5" reqid 7 mode "$mode" $7 ||
    vm_fail "$ns: xfrm state add spi $5 ($7)"
  # shellcheck disable=SC2086
  ip -n "$ns" xfrm state add src "$r" dst "$l" proto esp spi "$6" reqid 7 mode "$mode" $8 ||
    vm_fail "$ns: xfrm state add spi $6 ($8)"
}

# tunnel_policies NS LOCAL REMOTE LOCAL_NET REMOTE_NET: gateway policies, tunnel mode.
tunnel_policies() {
  local ns=$1 l=$2 r=$3 ln=$4 rn=$5 dir
  ip -n "$ns" xfrm policy add src "$ln" dst "$rn" dir out \
    tmpl src "$l" dst "$r" proto esp reqid 7 mode tunnel
  for dir in in fwd; do
    ip -n "$ns" xfrm policy add src "$rn" dst "$ln" dir "$dir" \
      tmpl src "$r" dst "$l" proto esp reqid 7 mode tunnel
  done
}

flush() {
  local ns
  for ns in left right; do ip -n "$ns" xfrm state flush; ip -n "$ns" xfrm policy flush; done
}

# check_counters CASE L R SPI_LR SPI_RL MIN: packets sent == packets received on
# each direction, at least MIN, and no replay/integrity failures.
check_counters() {
  local c=$1 l=$2 r=$3 s_lr=$4 s_rl=$5 min=$6 tx rx
  tx=$(vm_sa_counter left "$l" "$r" "$s_lr" packets)
  rx=$(vm_sa_counter right "$l" "$r" "$s_lr" packets)
  vm_expect_ge "$c: left->right packets encrypted" "$tx" "$min"
  [ "$tx" = "$rx" ] || vm_fail "$c: left encrypted $tx packets, right decrypted $rx"
  tx=$(vm_sa_counter right "$r" "$l" "$s_rl" packets)
  rx=$(vm_sa_counter left "$r" "$l" "$s_rl" packets)
  vm_expect_ge "$c: right->left packets encrypted" "$tx" "$min"
  [ "$tx" = "$rx" ] || vm_fail "$c: right encrypted $tx packets, left decrypted $rx"
  [ "$(vm_sa_errors left "$r" "$l" "$s_rl")" = 0 ] || vm_fail "$c: failures on left"
  [ "$(vm_sa_errors right "$l" "$r" "$s_lr")" = 0 ] || vm_fail "$c: failures on right"
  vm_log "$c: ok ($tx packets each way)"
}

# tunnel_case NAME ALGO SPI_BASE: IPv4 subnets through an IPv4 tunnel.
tunnel_case() {
  local name=$1 a=$2 s_lr=$(($3 + 1)) s_rl=$(($3 + 2)) k_lr k_rl
  flush
  k_lr=$(algo "$a")
  k_rl=$(algo "$a")
  sa_pair left tunnel 172.16.0.1 172.16.0.2 "$s_lr" "$s_rl" "$k_lr" "$k_rl"
  sa_pair right tunnel 172.16.0.2 172.16.0.1 "$s_rl" "$s_lr" "$k_rl" "$k_lr"
  tunnel_policies left 172.16.0.1 172.16.0.2 10.1.0.0/24 10.2.0.0/24
  tunnel_policies right 172.16.0.2 172.16.0.1 10.2.0.0/24 10.1.0.0/24
  vm_ping lhost 10.2.0.2
  vm_ping rhost 10.1.0.2
  check_counters "$name" 172.16.0.1 172.16.0.2 "$s_lr" "$s_rl" 6
}

tunnel_case "tunnel aes256gcm16" aes256gcm16 0x1000
tunnel_case "tunnel aes128-sha256" aes128-sha256 0x2000
tunnel_case "tunnel chacha20poly1305" chacha20poly1305 0x3000

# Transport mode: the gateways' own traffic to each other.
flush
k1=$(algo aes256gcm16)
k2=$(algo aes256gcm16)
sa_pair left transport 172.16.0.1 172.16.0.2 0x4001 0x4002 "$k1" "$k2"
sa_pair right transport 172.16.0.2 172.16.0.1 0x4002 0x4001 "$k2" "$k1"
for side in "left 172.16.0.1 172.16.0.2" "right 172.16.0.2 172.16.0.1"; do
  read -r ns l r <<<"$side"
  ip -n "$ns" xfrm policy add src "$l/32" dst "$r/32" dir out tmpl proto esp reqid 7 mode transport
  ip -n "$ns" xfrm policy add src "$r/32" dst "$l/32" dir in tmpl proto esp reqid 7 mode transport
done
vm_ping left 172.16.0.2
check_counters "transport aes256gcm16" 172.16.0.1 172.16.0.2 0x4001 0x4002 3

# IPv6 outer tunnel carrying the IPv6 subnets.
flush
k1=$(algo chacha20poly1305)
k2=$(algo chacha20poly1305)
sa_pair left tunnel fd00:172::1 fd00:172::2 0x5001 0x5002 "$k1" "$k2"
sa_pair right tunnel fd00:172::2 fd00:172::1 0x5002 0x5001 "$k2" "$k1"
tunnel_policies left fd00:172::1 fd00:172::2 fd01::/64 fd02::/64
tunnel_policies right fd00:172::2 fd00:172::1 fd02::/64 fd01::/64
vm_ping lhost fd02::2
vm_ping rhost fd01::2
check_counters "ipv6 tunnel chacha20poly1305" fd00:172::1 fd00:172::2 0x5001 0x5002 6

echo "esp_manual: GCM, CBC+HMAC, ChaCha20-Poly1305 tunnels, transport mode and an IPv6 tunnel carried traffic through kernel ESP"
