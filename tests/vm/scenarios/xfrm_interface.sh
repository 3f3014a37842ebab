#!/usr/bin/env bash
# VM scenario xfrm_interface: route-based IPsec. The left gateway uses an xfrm
# interface (xi0, if_id 42): its SAs and its policies carry if_id 42 and match any
# traffic, and what is protected is decided by routes through xi0, the way answerd's
# if_id_in/if_id_out connections work. The right gateway stays policy-based, which
# also shows that the two styles interoperate on the wire.
#
#   lhost 10.1.0.2 -- left [xi0 if_id 42 over lgw-out 172.16.0.1] ==ESP== 172.16.0.2 right -- 10.2.0.2 rhost
#
# Checks: ping both ways, the ESP SAs' counters on both gateways, xi0's own
# packet counters, and that traffic to the far subnet is dropped by xi0 (not sent in
# the clear) once its SAs are gone.
. "$(dirname "$0")/lib.sh"
vm_init xfrm_interface

vm_ns lhost left right rhost
vm_link lhost lh0 10.1.0.2/24 left lgw-in 10.1.0.1/24
vm_link left lgw-out 172.16.0.1/24 right rgw-out 172.16.0.2/24
vm_link right rgw-in 10.2.0.1/24 rhost rh0 10.2.0.2/24
vm_router left
vm_router right
ip -n lhost route add default via 10.1.0.1
ip -n rhost route add default via 10.2.0.1
ip -n right route add 10.1.0.0/24 via 172.16.0.1

hexkey() { echo "0x$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"; }
k_lr=$(hexkey 36)
k_rl=$(hexkey 36)
gcm=(aead 'rfc4106(gcm(aes))')

# Left: xfrm interface over the outer link; SAs and catch-all policies in if_id 42.
ip -n left link add xi0 type xfrm dev lgw-out if_id 42 || vm_fail "ip link add xi0 type xfrm"
ip -n left link set xi0 up
ip -n left route add 10.2.0.0/24 dev xi0
ip -n left xfrm state add src 172.16.0.1 dst 172.16.0.2 proto esp spi 0x6001 reqid 42 \
  mode tunnel if_id 42 "${gcm[@]}" "$k_lr" 128 || vm_fail "left: state out with if_id"
ip -n left xfrm state add src 172.16.0.2 dst 172.16.0.1 proto esp spi 0x6002 reqid 42 \
  mode tunnel if_id 42 "${gcm[@]}" "$k_rl" 128 || vm_fail "left: state in with if_id"
ip -n left xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 42 \
  tmpl src 172.16.0.1 dst 172.16.0.2 proto esp reqid 42 mode tunnel
for dir in in fwd; do
  ip -n left xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir "$dir" if_id 42 \
    tmpl src 172.16.0.2 dst 172.16.0.1 proto esp reqid 42 mode tunnel
done

# Right: classic policy-based gateway for 10.2.0.0/24 <-> 10.1.0.0/24.
ip -n right xfrm state add src 172.16.0.1 dst 172.16.0.2 proto esp spi 0x6001 reqid 1 \
  mode tunnel "${gcm[@]}" "$k_lr" 128
ip -n right xfrm state add src 172.16.0.2 dst 172.16.0.1 proto esp spi 0x6002 reqid 1 \
  mode tunnel "${gcm[@]}" "$k_rl" 128
ip -n right xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir out \
  tmpl src 172.16.0.2 dst 172.16.0.1 proto esp reqid 1 mode tunnel
for dir in in fwd; do
  ip -n right xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir "$dir" \
    tmpl src 172.16.0.1 dst 172.16.0.2 proto esp reqid 1 mode tunnel
done

# xi_stat FIELD: rx or tx packets of xi0 (sysfs statistics).
xi_stat() { ip netns exec left cat "/sys/class/net/xi0/statistics/$1_packets"; }

vm_ping lhost 10.2.0.2
vm_ping rhost 10.1.0.2
vm_log "pings through xi0 answered"

for dir in "left 172.16.0.1 172.16.0.2 0x6001" "right 172.16.0.2 172.16.0.1 0x6002"; do
  read -r from src dst spi <<<"$dir"
  [ "$from" = left ] && to=right || to=left
  tx=$(vm_sa_counter "$from" "$src" "$dst" "$spi" packets)
  rx=$(vm_sa_counter "$to" "$src" "$dst" "$spi" packets)
  vm_expect_ge "$from->$to packets encrypted" "$tx" 6
  [ "$tx" = "$rx" ] || vm_fail "$from encrypted $tx packets with spi $spi, $to decrypted $rx"
done
vm_expect_ge "xi0 tx packets" "$(xi_stat tx)" 6
vm_expect_ge "xi0 rx packets" "$(xi_stat rx)" 6
[ "$(vm_sa_errors left 172.16.0.2 172.16.0.1 0x6002)" = 0 ] || vm_fail "failures on left's inbound SA"
vm_log "ESP SA counters match on both gateways; xi0 tx $(xi_stat tx) rx $(xi_stat rx)"

# Without SAs, the route through xi0 must not leak cleartext: the ping fails and
# right sees no packet from 10.1.0.0/24 arrive unprotected on its outer link (an
# nftables counter; other traffic on the link, e.g. IPv6 ND, does not count).
ip -n left xfrm state flush
ip netns exec right nft -f - <<'NFT' || vm_fail "nft counter on right"
table ip leak {
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    iifname "rgw-out" ip saddr 10.1.0.0/24 counter
  }
}
NFT
if ip netns exec lhost ping -q -c 2 -i 0.2 -W 1 10.2.0.2 >/dev/null 2>&1; then
  vm_fail "ping crossed xi0 with no SA installed"
fi
leaked=$(ip netns exec right nft list chain ip leak pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "$leaked" = 0 ] || vm_fail "right received $leaked cleartext packets from 10.1.0.0/24 with no SA on left"
vm_log "no SA: xi0 dropped the traffic, nothing left in the clear"

echo "xfrm_interface: route-based tunnel over xi0 (if_id 42) carried traffic through kernel ESP to a policy-based peer"
