# shellcheck shell=bash
# The answerd interop harness: source this file from a test script.
#   . "$(dirname "$0")/lib/interop.sh"
#   ia_init my-test; ia_require_root; ia_require_strongswan kernel-libipsec
# Parts: common.sh (skip, cleanup, polling), netns.sh (namespaces, veth, NAT,
# captures), strongswan.sh (charon instances, swanctl), pki.sh (test certificates),
# swanctl_conf.sh (ia_conn: connection and secret sections), libreswan.sh (pluto),
# keylog.py (session.json from a charon log and a capture).
IA_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$IA_LIB/common.sh"
. "$IA_LIB/netns.sh"
. "$IA_LIB/strongswan.sh"
. "$IA_LIB/pki.sh"
. "$IA_LIB/swanctl_conf.sh"
. "$IA_LIB/libreswan.sh"
. "$IA_LIB/answerd.sh"
