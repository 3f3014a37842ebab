#!/usr/bin/env bash
# End-to-end test of the answerd binary (needs root: a fresh network namespace so
# that UDP 500/4500 are free). Starts answerd with dataplane = none on a config in a
# temporary directory, queries it over the control socket, sends it an IKE_SA_INIT
# request (which it must count and leave unanswered: no IKE SA engine yet), reloads
# it with SIGHUP (valid, then broken config: it must keep running), stops it with
# SIGTERM and checks the clean exit and the removal of the control socket.
set -euo pipefail
build=${ANSWERD_BUILD_DIR:?ANSWERD_BUILD_DIR not set}
answerd=$build/userspace/daemon/answerd
if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root (network namespace for UDP 500/4500)"; exit 77; fi
if [ ! -x "$answerd" ]; then echo "skipped: $answerd not built (needs the config area)"; exit 77; fi
if [ "${ANSWERD_E2E_IN_NETNS:-}" != 1 ]; then
  exec unshare --net env ANSWERD_E2E_IN_NETNS=1 "$0" "$@"
fi
ip link set lo up

tmp=$(mktemp -d /tmp/answerd-e2e.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
sock=$tmp/run/answerd.sock
write_config() {  # $1: extra line in the connection (to break the config), $2: dataplane
  cat > "$tmp/answerd.conf" <<CONF
connections {
  hub {
    local_addrs = 127.0.0.1
    $1
    local {
      auth = psk
      id = hub.example
    }
    remote {
      auth = psk
    }
    children {
      net {
        local_ts = 10.1.0.0/24
      }
    }
  }
}
secrets {
  ike-hub {
    secret = "a long random pre-shared key for the test"
  }
}
answerd {
  dataplane = ${2:-none}
  control_socket = $sock
}
CONF
}
# dataplane = xfrm on a kernel without ESP must fail at startup, saying why.
# The oracle is iproute2 installing an ESP SA in this namespace.
write_config "" xfrm
if ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 mode transport \
     enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
     auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 2>/dev/null; then
  ip xfrm state flush
  echo "kernel has ESP: dataplane = xfrm startup failure not testable here"
else
  rc=0; timeout 10 "$answerd" -c "$tmp/answerd.conf" 2> "$tmp/xfrm.log" || rc=$?
  [ "$rc" -eq 1 ] || { cat "$tmp/xfrm.log"; echo "FAIL: dataplane = xfrm without ESP: exit $rc, want 1"; exit 1; }
  grep -q "no ESP support" "$tmp/xfrm.log" || { cat "$tmp/xfrm.log"; echo "FAIL: no clear ESP message"; exit 1; }
  [ ! -e "$sock" ] || { echo "FAIL: control socket created by a daemon that did not start"; exit 1; }
fi

write_config ""
"$answerd" --check-config -c "$tmp/answerd.conf"

# --check-config on a broken file: file:line: message, exit 1.
printf 'connections {\n  hub {\n    bogus_key = 1\n' > "$tmp/broken.conf"
rc=0; "$answerd" --check-config -c "$tmp/broken.conf" 2> "$tmp/check.err" || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: --check-config on a broken file: exit $rc"; exit 1; }
grep -q "^$tmp/broken.conf:[0-9]*: " "$tmp/check.err" || { cat "$tmp/check.err"; echo "FAIL: no file:line: diagnostic"; exit 1; }

# systemd readiness: READY=1 arrives on NOTIFY_SOCKET once answerd serves.
python3 - "$tmp/notify.sock" > "$tmp/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(10)
print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
notify_pid=$!
for _ in $(seq 100); do [ -S "$tmp/notify.sock" ] && break; sleep 0.05; done
export NOTIFY_SOCKET=$tmp/notify.sock

"$answerd" -c "$tmp/answerd.conf" --foreground --log-level debug 2> "$tmp/log" &
pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { cat "$tmp/log"; echo "FAIL: no control socket"; exit 1; }
wait "$notify_pid" || true
unset NOTIFY_SOCKET
grep -q "^READY=1" "$tmp/notify.out" || { echo "FAIL: no READY=1 on NOTIFY_SOCKET: $(cat "$tmp/notify.out")"; exit 1; }

# ctl COMMAND [PYTHON-ASSERTION on r (the response)]
ctl() { python3 "${ANSWERD_SOURCE_DIR:-.}/tests/interop/lib/control_query.py" "$sock" "$@"; }

ctl "daemon status" 'r["ok"] and r["result"]["dataplane"] == "none" and r["result"]["installs_sas"] is False and r["result"]["xdp"] == "off" and r["result"]["connections"] == 1 and "warning" in r["result"]'
ctl "conn list" 'r["ok"] and r["result"]["connections"][0]["name"] == "hub"'
ctl "sa list" 'r["ok"] and r["result"]["ike_sas"] == []'
ctl "no such thing" 'not r["ok"] and "unknown command" in r["error"]'
grep -q "dataplane = none" "$tmp/log" || { echo "FAIL: dataplane = none not said in the log"; exit 1; }

# IKE_SA_INIT request header (RFC 7296 3.1): counted, and answerd sends nothing.
python3 - <<'PY'
import socket, struct, sys
hdr = bytes(range(1, 9)) + bytes(8) + bytes([0x21, 0x20, 34, 0x08]) + struct.pack(">II", 0, 28)
for port, prefix in ((500, b""), (4500, b"\0\0\0\0")):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(0.5)
    u.sendto(prefix + hdr, ("127.0.0.1", port))
    try:
        data = u.recv(65536)
        print("FAIL: answerd answered on port %d: %r" % (port, data)); sys.exit(1)
    except socket.timeout:
        pass
PY
ctl "stats show" 'r["result"]["daemon"]["sockets"]["received"] == 2 and r["result"]["daemon"]["ike"]["by_exchange"].get("IKE_SA_INIT") == 2 and r["result"]["daemon"]["sockets"]["sent"] == 0'

kill -HUP "$pid"
for _ in $(seq 50); do grep -q "configuration reloaded" "$tmp/log" && break; sleep 0.05; done
ctl "daemon status" 'r["result"]["reloads"] == 1'
write_config "no_such_key = 1"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "reload failed" "$tmp/log" && break; sleep 0.05; done
ctl "daemon status" 'r["result"]["reload_failures"] == 1 and r["result"]["connections"] == 1'
ctl "daemon reload" 'not r["ok"] and "previous configuration kept" in r["error"]'

kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || { cat "$tmp/log"; echo "FAIL: exit code $rc after SIGTERM"; exit 1; }
[ ! -e "$sock" ] || { echo "FAIL: control socket left behind"; exit 1; }
grep -q "SIGTERM received" "$tmp/log" || { echo "FAIL: no shutdown line"; exit 1; }
echo "PASS"
