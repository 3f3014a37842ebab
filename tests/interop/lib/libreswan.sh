# shellcheck shell=bash
# interop harness, Libreswan part: pluto (Libreswan 4.10 from Debian) as a second
# IKEv2 implementation. Debian's libreswan package conflicts with strongSwan's, so it
# is not installed: `apt-get download` fetches it once into IA_CACHE and `dpkg -x`
# unpacks it there; its libraries (scripts/deps.d/interop.txt) are installed normally.
# pluto runs in its namespace with a private mount namespace where tmpfs covers /run
# and /usr/libexec, and the unpacked usr/libexec/ipsec is bound over
# /usr/libexec/ipsec (pluto runs its helpers from there). On this kernel (no ESP)
# pluto completes IKE_SA_INIT and IKE_AUTH, then fails to add its ESP SAs
# ("Function not implemented") and deletes the IKE SA without notifying the peer.
#
# An instance INST lives in $IA_WORK/INST: ipsec.conf, ipsec.secrets, nss/, run/
# (pluto.ctl), pluto.out (its log on stderr).

IA_CACHE=${IA_CACHE:-/var/cache/answerd-interop}
IA_LSW_DIR=$IA_CACHE/libreswan
IA_LSW_EXEC=$IA_LSW_DIR/usr/libexec/ipsec
declare -gA IA_PLUTO_NS=()

# ia_require_libreswan: skip unless pluto can be made available (downloaded and
# unpacked into IA_CACHE on first use) and certutil (libnss3-tools) is installed.
ia_require_libreswan() {
  ia_require_cmd certutil dpkg apt-get
  if [ ! -x "$IA_LSW_EXEC/pluto" ]; then
    local tmp
    mkdir -p "$IA_CACHE" || ia_skip "cannot create $IA_CACHE"
    tmp=$(mktemp -d "$IA_CACHE/dl.XXXXXX")
    # shellcheck disable=SC2015  # either step failing means: skip
    (cd "$tmp" && apt-get download -q libreswan >/dev/null 2>&1) &&
      dpkg -x "$tmp"/libreswan_*.deb "$tmp/x" && rm -rf "$IA_LSW_DIR" &&
      mv "$tmp/x" "$IA_LSW_DIR" || { rm -rf "$tmp"; ia_skip "cannot fetch libreswan (apt-get download)"; }
    rm -rf "$tmp"
  fi
  "$IA_LSW_EXEC/pluto" --version >/dev/null 2>&1 ||
    ia_skip "Libreswan's pluto does not run (missing libraries? scripts/deps.d/interop.txt)"
}

# ia_pluto_setup INST NS: prepare instance INST in namespace NS (short name) with an
# empty NSS database; write its connections with ia_pluto_conf, secrets with
# ia_pluto_secrets.
ia_pluto_setup() {
  local dir=$IA_WORK/$1
  mkdir -p "$dir/nss" "$dir/run" || ia_fail "mkdir $dir"
  certutil -N -d "sql:$dir/nss" --empty-password || ia_fail "certutil for $1"
  IA_PLUTO_NS[$1]=$2
}

# ia_pluto_conf INST < CONN_TEXT: ipsec.conf = a "config setup" with full debug
# logging (plutodebug=all to pluto.out) followed by the given conn sections.
ia_pluto_conf() {
  { printf 'config setup\n\tplutodebug=all\n\n'; cat; } >"$IA_WORK/$1/ipsec.conf"
}

# ia_pluto_secrets INST < SECRETS_TEXT: ipsec.secrets, e.g.
#   @ini.example @resp.example : PSK "secret"
ia_pluto_secrets() {
  cat >"$IA_WORK/$1/ipsec.secrets" && chmod 600 "$IA_WORK/$1/ipsec.secrets"
}

# ia_pluto_start INST: start pluto and wait for its control socket (10 s).
ia_pluto_start() {
  local dir=$IA_WORK/$1
  ia_bg_start "pluto-$1" "${IA_PLUTO_NS[$1]}" "$dir/pluto.out" \
    unshare -m --propagation private sh -c 'mount -t tmpfs tmp /run &&
      mount -t tmpfs libexec /usr/libexec && mkdir /usr/libexec/ipsec &&
      mount --bind "$0" /usr/libexec/ipsec && exec /usr/libexec/ipsec/pluto "$@"' \
    "$IA_LSW_EXEC" --nofork --stderrlog --config "$dir/ipsec.conf" --rundir "$dir/run" \
    --secretsfile "$dir/ipsec.secrets" --nssdir "$dir/nss" --ipsecdir "$dir"
  ia_wait_until 10 test -S "$dir/run/pluto.ctl" ||
    ia_fail "pluto $1 did not come up: $(grep -v '^.\{28\}| ' "$dir/pluto.out" | tail -5)"
}

# ia_pluto_stop INST: stop pluto (TERM, then KILL).
ia_pluto_stop() { ia_bg_stop "pluto-$1" || true; }

# ia_whack INST ARGS...: Libreswan's whack against INST's control socket.
ia_whack() {
  local inst=$1
  shift
  ia_ns_exec "${IA_PLUTO_NS[$inst]}" "$IA_LSW_EXEC/whack" --ctlsocket "$IA_WORK/$inst/run/pluto.ctl" "$@"
}

# ia_pluto_has_conn INST CONN: true once pluto has loaded CONN (its addconn helper
# loads ipsec.conf asynchronously after start).
ia_pluto_has_conn() { ia_whack "$1" --status 2>/dev/null | grep -q "\"$2\":"; }

# ia_pluto_initiate INST CONN: wait until CONN (auto=add in ipsec.conf) is loaded,
# then start it without waiting for the result; check the peer's side instead.
ia_pluto_initiate() {
  ia_wait_until 10 ia_pluto_has_conn "$1" "$2" || ia_fail "pluto $1 did not load conn $2"
  ia_whack "$1" --name "$2" --initiate --asynchronous >/dev/null 2>&1 ||
    ia_fail "whack --initiate $2 on $1"
}
