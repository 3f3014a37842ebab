# shellcheck shell=bash
# interop harness, swanctl.conf part: writes the connection and secret sections a
# test needs from key=value arguments, one swanctl.conf key per line (values run to
# the end of the line). Several calls may be concatenated into one swanctl.conf:
# strongSwan merges repeated "connections { }" and "secrets { }" sections.

# ia_conn NAME KEY=VALUE...: print a swanctl.conf fragment with IKEv2 connection NAME,
# one CHILD_SA and, for auth=psk with a secret, its IKE secret. Keys and defaults:
#   local_addrs (%any)  remote_addrs (%any)
#   proposals (aes256gcm16-prfsha256-x25519)  esp_proposals (aes256gcm16)
#   auth (psk | pubkey)  local_id  remote_id (%any)  certs (pubkey: file in x509/)
#   secret (psk: the pre-shared key)  child (net)  local_ts (dynamic)  remote_ts (dynamic)
#   mode (tunnel)  fragmentation (yes)  start_action (none)
#   conn_extra / child_extra: raw lines ("key = value", ';' separates lines)
ia_conn() {
  local name=$1 kv
  shift
  local -A o=([local_addrs]=%any [remote_addrs]=%any [proposals]=aes256gcm16-prfsha256-x25519
    [esp_proposals]=aes256gcm16 [auth]=psk [local_id]="" [remote_id]=%any [certs]=""
    [secret]="" [child]=net [local_ts]=dynamic [remote_ts]=dynamic [mode]=tunnel
    [fragmentation]=yes [start_action]=none [conn_extra]="" [child_extra]="")
  for kv in "$@"; do
    [ -n "${o[${kv%%=*}]+set}" ] || ia_fail "ia_conn: unknown key '${kv%%=*}'"
    o[${kv%%=*}]=${kv#*=}
  done
  cat <<CONF
connections {
  $name {
    version = 2
    local_addrs = ${o[local_addrs]}
    remote_addrs = ${o[remote_addrs]}
    proposals = ${o[proposals]}
    fragmentation = ${o[fragmentation]}
$(ia_conf_lines "    " "${o[conn_extra]}")
    local {
      auth = ${o[auth]}
$( [ -z "${o[local_id]}" ] || echo "      id = ${o[local_id]}")
$( [ -z "${o[certs]}" ] || echo "      certs = ${o[certs]}")
    }
    remote {
      auth = ${o[auth]}
      id = ${o[remote_id]}
    }
    children {
      ${o[child]} {
        local_ts = ${o[local_ts]}
        remote_ts = ${o[remote_ts]}
        esp_proposals = ${o[esp_proposals]}
        mode = ${o[mode]}
        start_action = ${o[start_action]}
$(ia_conf_lines "        " "${o[child_extra]}")
      }
    }
  }
}
CONF
  [ "${o[auth]}" != psk ] || [ -z "${o[secret]}" ] || cat <<CONF
secrets {
  ike-$name {
$( [ -z "${o[local_id]}" ] || echo "    id-local = ${o[local_id]}")
$( [ "${o[remote_id]}" = %any ] || echo "    id-remote = ${o[remote_id]}")
    secret = "${o[secret]}"
  }
}
CONF
}

# ia_conf_lines INDENT "a = 1;b = 2": one indented line per ';'-separated item.
ia_conf_lines() {
  local line
  local IFS=';'
  for line in $2; do
    [ -z "$line" ] || echo "$1$line"
  done
}
