#!/usr/bin/env bash
# VM scenario harness: checks what run-vm promises a scenario (tests/vm/README.md):
# arguments, environment, mounts, modules, on-demand module loading through the
# kernel's modprobe, the writable output folder. Writes "harness ok ARGS" to
# $ANSWERD_VM_OUT/harness.out and exits with its last argument, which
# tests/vm/check-harness compares on the host.
. "$(dirname "$0")/lib.sh"
vm_init harness
[ $# -ge 2 ] || vm_fail "usage: harness.sh WORDS... EXIT_CODE"
want_rc=${!#}

[ "$(id -u)" = 0 ] || vm_fail "not root"
[ -d "${ANSWERD_SOURCE_DIR:?}/tests/vm" ] || vm_fail "ANSWERD_SOURCE_DIR=$ANSWERD_SOURCE_DIR"
[ -n "${ANSWERD_BUILD_DIR:-}" ] || vm_fail "ANSWERD_BUILD_DIR unset"
[ "$(pwd)" = "$ANSWERD_SOURCE_DIR" ] || vm_fail "working directory $(pwd)"
[ "$(uname -r)" = "${ANSWERD_VM_KERNEL_VERSION:?}" ] || vm_fail "kernel $(uname -r)"
case $(uname -r) in *-amd64) ;; *) vm_fail "not Debian's kernel: $(uname -r)" ;; esac

fstype() { findmnt -n -o FSTYPE --target "$1"; }
[ "$(fstype /)" = 9p ] || vm_fail "/ is $(fstype /)"
! touch /usr/.answerd-vm-write-test 2>/dev/null || vm_fail "the host root is writable"
for d in /tmp /run /var/tmp /var/log /dev/shm; do
  [ "$(fstype "$d")" = tmpfs ] || vm_fail "$d is $(fstype "$d"), want tmpfs"
  touch "$d/.w" || vm_fail "$d not writable"
done
[ "$(fstype /sys/fs/bpf)" = bpf ] || vm_fail "no bpffs on /sys/fs/bpf"
[ "$(fstype "$ANSWERD_VM_OUT")" = 9p ] || vm_fail "ANSWERD_VM_OUT is not the 9p share"

for m in esp4 esp6 xfrm_user xfrm_interface veth dummy; do
  grep -q "^$m " /proc/modules || vm_fail "module $m not loaded"
done
# On demand: nf_tables is not preloaded; the kernel asks its modprobe for it.
grep -q '^nf_tables ' /proc/modules && vm_fail "nf_tables loaded before use (test is void)"
nft add table ip harness || vm_fail "nft could not load nf_tables on demand"
grep -q '^nf_tables ' /proc/modules || vm_fail "nf_tables not loaded"
modprobe -d /run/kmod dummy || vm_fail "modprobe -d /run/kmod"
ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x77 mode tunnel \
  aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 ||
  vm_fail "no GCM ESP SA"
ip link add xi9 type xfrm if_id 9 || vm_fail "no xfrm interface"

shift_args=("${@:1:$#-1}")
echo "harness ok ${shift_args[*]}" >"$ANSWERD_VM_OUT/harness.out"
vm_log "contract holds; exiting $want_rc"
exit "$want_rc"
