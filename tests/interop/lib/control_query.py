#!/usr/bin/env python3
"""control_query.py [--print] [--args JSON] SOCK COMMAND [EXPR] (options anywhere): one request on
answerd's control socket (protocol version 1) with the parsed response in `r`.
Without --print, exits 1 unless the Python expression EXPR (default True) holds;
with --print, prints the value of EXPR (JSON for lists and objects).
--args sends JSON as the request's "args", e.g. '{"id": 3}' for "sa show"."""
import json
import socket
import sys

argv = []
show = False
args = None
rest = sys.argv[1:]
while rest:  # options may come anywhere (wrappers put SOCK first)
    a = rest.pop(0)
    if a == "--print":
        show = True
    elif a == "--args":
        args = json.loads(rest.pop(0))
    else:
        argv.append(a)
path, cmd = argv[0:2]
check = argv[2] if len(argv) > 2 else ("r" if show else "True")
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(path)
req = {"version": 1, "command": cmd}
if args is not None:
    req["args"] = args
s.sendall((json.dumps(req) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
r = json.loads(buf)
v = eval("(" + check + "\n)")  # parenthesized: EXPR may span lines
if show:
    print(json.dumps(v) if isinstance(v, (list, dict)) else v)
elif not v:
    print("FAIL: %s: %s does not hold for %s" % (cmd, check, r))
    sys.exit(1)
