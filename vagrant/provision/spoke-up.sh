#!/usr/bin/env bash
# spoke-up.sh: configure and (re)start strongSwan's charon as a spoke that
# initiates one IKEv2 tunnel (PSK, x25519 + AES-GCM) to the answerd hub, and wait
# until the tunnel is up.
#
#   spoke-up.sh --name NAME --addr ADDR --lan NET --hub HUB_ADDR --remote NETS
#               --psk PSK [--dir DIR] [--vici PATH] [--timeout S] [--charon BIN]
#
# NAME is the spoke's name as the hub knows it (identity NAME.answerd.lab), ADDR
# its outer address, NET the subnet it protects, NETS the comma list of subnets it
# reaches through the hub (the hub's and the other spokes'). The connection starts
# when loaded (start_action = start), retries forever (keyingtries = 0: the hub
# may come up later) and restarts on dead peer detection. charon runs with
# DIR/strongswan.conf (default DIR /etc/answerd-spoke; only the plugins it
# needs; routes installed in table 220), its vici socket at PATH (default
# /var/run/charon.vici, where a plain `swanctl` looks), its log in DIR/charon.log.
# Run by vagrant/provision/spoke.sh and by tests/vm/scenarios/vagrant_topology.sh
# (there in a mount namespace with its own /run).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
name="" addr="" lan="" hub="" remote="" psk="" dir=/etc/answerd-spoke vici=/var/run/charon.vici
timeout=60 charon=/usr/lib/ipsec/charon
pv_options "name addr lan hub remote psk dir vici timeout charon" "$@"
for o in name addr lan hub remote psk; do pv_need "$o" "${!o}"; done
[ -x "$charon" ] || pv_fail "strongSwan's charon not found at $charon (strongswan-charon)"
command -v swanctl >/dev/null || pv_fail "swanctl not found (strongswan-swanctl)"
pv_iface_of "$addr" >/dev/null
mkdir -p "$dir/swanctl"
(cd "$dir/swanctl" && mkdir -p x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12)

# present PLUGIN...: those of the plugins that are installed.
present() {
  local p out=()
  for p in "$@"; do [ ! -e "/usr/lib/ipsec/plugins/libstrongswan-$p.so" ] || out+=("$p"); done
  echo "${out[*]}"
}
cat >"$dir/strongswan.conf" <<CONF
# Written by vagrant/provision/spoke-up.sh
charon {
  load_modular = no
  load = $(present random nonce openssl aes sha1 sha2 hmac gcm chapoly curve25519 gmp kdf pem pkcs1 pkcs8 x509 pubkey constraints vici socket-default kernel-netlink)
  install_routes = yes
  plugins {
    vici {
      socket = unix://$vici
    }
  }
  filelog {
    main {
      path = $dir/charon.log
      append = no
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
swanctl {
  load = $(present random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints)
}
CONF
cat >"$dir/swanctl/swanctl.conf" <<CONF
# Written by vagrant/provision/spoke-up.sh: $name initiates to the answerd hub $hub.
connections {
  hub {
    version = 2
    local_addrs = $addr
    remote_addrs = $hub
    proposals = aes256gcm16-prfsha256-x25519
    keyingtries = 0
    dpd_delay = 30s
    local {
      auth = psk
      id = $name.answerd.lab
    }
    remote {
      auth = psk
      id = hub.answerd.lab
    }
    children {
      net {
        local_ts = $lan
        remote_ts = ${remote//,/, }
        esp_proposals = aes256gcm16
        mode = tunnel
        start_action = start
        dpd_action = restart
      }
    }
  }
}
secrets {
  ike-hub {
    id-hub = hub.answerd.lab
    id-spoke = $name.answerd.lab
    secret = "$psk"
  }
}
CONF
chmod 600 "$dir/swanctl/swanctl.conf"

sw() { STRONGSWAN_CONF="$dir/strongswan.conf" SWANCTL_DIR="$dir/swanctl" swanctl "$@" --uri "unix://$vici"; }
pv_stop_pidfile "$dir/charon.pid"
rm -f "$vici"
pv_start_bg "$dir/charon.pid" "$dir/charon.out" env STRONGSWAN_CONF="$dir/strongswan.conf" "$charon"
pv_wait 15 sw --stats || pv_fail "charon did not come up: $(tail -n 5 "$dir/charon.out" "$dir/charon.log" 2>/dev/null)"
loaded=$(sw --load-all --noprompt --file "$dir/swanctl/swanctl.conf" 2>&1) || pv_fail "swanctl --load-all: $loaded"
! grep -qi 'failed\|error' <<<"$loaded" || pv_fail "swanctl --load-all: $loaded"

# up: the IKE SA is ESTABLISHED and its CHILD_SA INSTALLED.
up() {
  local l
  l=$(sw --list-sas --raw 2>/dev/null)
  grep -q 'state=ESTABLISHED' <<<"$l" && grep -q 'state=INSTALLED' <<<"$l"
}
pv_wait "$timeout" up ||
  pv_fail "no tunnel to $hub within ${timeout}s: $(sw --list-sas 2>&1 | head -20; tail -n 15 "$dir/charon.log")"
pv_log "$name ($addr, $lan) has its tunnel to the hub $hub for $remote"
