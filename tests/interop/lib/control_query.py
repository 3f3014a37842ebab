#!/usr/bin/env python3
"""control_query.py SOCK COMMAND [ASSERTION]: one request on answerd's control
socket (protocol version 1); exits 1 unless the Python expression ASSERTION
(default True) holds for the parsed response `r`."""
import json
import socket
import sys

path, cmd = sys.argv[1:3]
check = sys.argv[3] if len(sys.argv) > 3 else "True"
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(path)
s.sendall((json.dumps({"version": 1, "command": cmd}) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
r = json.loads(buf)
if not eval(check):
    print("FAIL: %s: %s does not hold for %s" % (cmd, check, r))
    sys.exit(1)
