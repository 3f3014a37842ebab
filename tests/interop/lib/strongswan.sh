# shellcheck shell=bash
# shellcheck disable=SC2034  # IA_* globals are set here for the tests that source this
# interop harness, strongSwan part: charon instances, one per namespace, each in its
# own mount namespace with a private /run, its own strongswan.conf (STRONGSWAN_CONF)
# and swanctl directory (SWANCTL_DIR), its vici socket in the instance directory.
# swanctl runs from the host and reaches an instance through `--uri`.
#
# An instance INST lives in $IA_WORK/INST:
#   strongswan.conf  charon.log (filelog)  charon.out (stdout/stderr)  charon.vici
#   swanctl/swanctl.conf  swanctl/x509ca/  swanctl/x509/  swanctl/private/
# swanctl.conf values run to the end of the line: write one key per line.

IA_CHARON_BIN=${IA_CHARON_BIN:-/usr/lib/ipsec/charon}
IA_PLUGIN_DIR=${IA_PLUGIN_DIR:-/usr/lib/ipsec/plugins}
# Crypto first (openssl wins ties), then credentials, then control and sockets.
IA_PLUGINS_BASE="random nonce openssl aes sha1 sha2 hmac gcm chapoly curve25519 gmp kdf \
pem pkcs1 pkcs8 x509 pubkey constraints vici socket-default"
# swanctl reads credentials from these folders of SWANCTL_DIR, complaining if absent.
IA_SWANCTL_SUBDIRS="x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12"
# swanctl and pki load only these (the default list drags in tpm and others).
IA_TOOL_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints"
declare -gA IA_CHARON_NS=() IA_CHARON_PID=()

# ia_require_strongswan [PLUGIN...]: skip unless charon, swanctl and the named
# plugins (default: the ones every instance loads) are installed.
ia_require_strongswan() {
  local p plugins=("$@")
  [ $# -gt 0 ] || plugins=(openssl vici socket-default kernel-netlink)
  [ -x "$IA_CHARON_BIN" ] || ia_skip "needs strongSwan's charon ($IA_CHARON_BIN): strongswan-charon"
  ia_require_cmd swanctl
  for p in "${plugins[@]}"; do
    [ -e "$IA_PLUGIN_DIR/libstrongswan-$p.so" ] ||
      ia_skip "needs strongSwan plugin '$p' (scripts/deps.d/test.txt, interop.txt)"
    [ "$p" != kernel-libipsec ] || [ -c /dev/net/tun ] ||
      ia_skip "needs /dev/net/tun for kernel-libipsec (userspace ESP)"
  done
}

# ia_strongswan_test NAME [CMD...]: the start of a test with strongSwan charons
# carrying ESP in userspace (this kernel has none): ia_init NAME, root, charon and
# the plugins every instance loads with kernel-libipsec, and the commands CMD.
ia_strongswan_test() {
  ia_init "$1"
  shift
  ia_require_root
  ia_require_strongswan openssl vici socket-default kernel-netlink kernel-libipsec
  [ $# -eq 0 ] || ia_require_cmd "$@"
}

# ia_charon_dir INST / ia_charon_log INST: the instance directory / its log file.
ia_charon_dir() { echo "$IA_WORK/$1"; }
ia_charon_log() { echo "$IA_WORK/$1/charon.log"; }

# ia_charon_setup INST NS [--kernel libipsec|netlink] [--log "ike=4 chd=4 ..."]
#                 [--fragment-size BYTES] [--conf TEXT]
# Prepare instance INST to run in namespace NS (short name). --kernel libipsec
# (default) carries CHILD_SA traffic in userspace (a TUN device): kernels without
# ESP, like this one; netlink programs the kernel's XFRM (the VM). --log sets
# filelog levels per subsystem (default "default=1 ike=2 cfg=2 chd=2 knl=1");
# --conf adds raw text inside the charon { } section of strongswan.conf.
ia_charon_setup() {
  local inst=$1 ns=$2 kernel=libipsec log="default=1 ike=2 cfg=2 chd=2 knl=1"
  local frag="" extra="" dir lv plugins
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --kernel) kernel=$2 ;;
      --log) log=$2 ;;
      --fragment-size) frag="fragment_size = $2" ;;
      --conf) extra=$2 ;;
      *) ia_fail "ia_charon_setup: unknown option $1" ;;
    esac
    shift 2
  done
  case $kernel in
    libipsec) plugins="$IA_PLUGINS_BASE kernel-libipsec kernel-netlink" ;;
    netlink) plugins="$IA_PLUGINS_BASE kernel-netlink" ;;
    *) ia_fail "ia_charon_setup: --kernel libipsec|netlink, not $kernel" ;;
  esac
  dir=$(ia_charon_dir "$inst")
  mkdir -p "$dir/swanctl" || ia_fail "mkdir $dir"
  (cd "$dir/swanctl" && mkdir -p $IA_SWANCTL_SUBDIRS) || ia_fail "mkdir $dir/swanctl"
  IA_CHARON_NS[$inst]=$ns
  {
    echo "charon {"
    echo "  load_modular = no"
    echo "  load = $(ia_plugins_present $plugins)"
    echo "  install_routes = yes"
    echo "  $frag"
    echo "  plugins {"
    echo "    vici {"
    echo "      socket = unix://$dir/charon.vici"
    echo "    }"
    echo "  }"
    echo "  filelog {"
    echo "    main {"
    echo "      path = $dir/charon.log"
    echo "      append = no"
    echo "      flush_line = yes"
    for lv in $log; do echo "      ${lv%%=*} = ${lv#*=}"; done
    echo "    }"
    echo "  }"
    echo "  syslog {"
    echo "    daemon {"
    echo "      default = -1"
    echo "    }"
    echo "  }"
    echo "$extra"
    echo "}"
    echo "swanctl {"
    echo "  load = $(ia_plugins_present $IA_TOOL_PLUGINS)"
    echo "}"
  } >"$dir/strongswan.conf"
}

# ia_plugins_present NAME...: print those of the plugins that are installed (a
# missing optional plugin, e.g. kdf on older versions, must not stop charon).
ia_plugins_present() {
  local p out=()
  for p in "$@"; do
    [ ! -e "$IA_PLUGIN_DIR/libstrongswan-$p.so" ] || out+=("$p")
  done
  echo "${out[*]}"
}

# ia_swanctl_conf INST < TEXT: write the instance's swanctl.conf from stdin.
ia_swanctl_conf() { cat >"$(ia_charon_dir "$1")/swanctl/swanctl.conf"; }

# ia_charon_start INST: start charon for INST in its namespace, in a new mount
# namespace with tmpfs on /run; wait until its vici socket answers (10 s).
ia_charon_start() {
  local inst=$1 dir
  dir=$(ia_charon_dir "$inst")
  [ -n "${IA_CHARON_NS[$inst]:-}" ] || ia_fail "ia_charon_start: $inst was not set up"
  ia_bg_start --private-run "charon-$inst" "${IA_CHARON_NS[$inst]}" "$dir/charon.out" \
    env STRONGSWAN_CONF="$dir/strongswan.conf" "$IA_CHARON_BIN"
  IA_CHARON_PID[$inst]=${IA_BG_PID[charon-$inst]}
  ia_log_file "$dir/charon.log"
  if ! ia_wait_until 10 ia_charon_ready "$inst"; then
    ia_fail "charon $inst did not come up: $(tail -5 "$dir/charon.out" "$dir/charon.log" 2>/dev/null)"
  fi
}

# ia_charon_run INST NS SWANCTL_CONF [SETUP_OPTION...]: ia_charon_setup INST NS with
# the options, write SWANCTL_CONF (text) as its swanctl.conf, start it, load it.
ia_charon_run() {
  local inst=$1 ns=$2 conf=$3
  shift 3
  ia_charon_setup "$inst" "$ns" "$@"
  printf '%s\n' "$conf" | ia_swanctl_conf "$inst"
  ia_charon_start "$inst"
  ia_swanctl_load "$inst"
}

# ia_charon_ready INST: true when INST's charon runs and answers on vici.
ia_charon_ready() {
  ia_bg_running "charon-$1" && ia_swanctl "$1" --stats >/dev/null 2>&1
}

# ia_charon_stop INST: stop INST's charon (TERM, KILL after 5 s). Idempotent.
ia_charon_stop() {
  ia_bg_stop "charon-$1" || true
  unset "IA_CHARON_PID[$1]"
}

# ia_swanctl INST ARGS...: run swanctl against INST (its vici socket, conf, dir).
ia_swanctl() {
  local dir
  dir=$(ia_charon_dir "$1")
  shift
  STRONGSWAN_CONF="$dir/strongswan.conf" SWANCTL_DIR="$dir/swanctl" \
    swanctl "$@" --uri "unix://$dir/charon.vici"
}

# ia_swanctl_load INST: load INST's swanctl.conf (credentials, connections).
ia_swanctl_load() {
  local dir out
  dir=$(ia_charon_dir "$1")
  out=$(ia_swanctl "$1" --load-all --noprompt --file "$dir/swanctl/swanctl.conf" 2>&1) ||
    ia_fail "swanctl --load-all for $1: $out"
  ! grep -qi 'failed\|error' <<<"$out" || ia_fail "swanctl --load-all for $1: $out"
}

# ia_initiate INST CHILD [TIMEOUT_S]: initiate CHILD (and its IKE SA) from INST and
# wait for the result (default 20 s); fails with swanctl's output if it did not work.
ia_initiate() {
  local out
  out=$(ia_swanctl "$1" --initiate --child "$2" --timeout "${3:-20}" 2>&1) ||
    ia_fail "initiate $2 from $1: $out"
}

# ia_terminate_ike INST IKE [TIMEOUT_S]: delete IKE SA IKE (INFORMATIONAL DELETE).
ia_terminate_ike() {
  ia_swanctl "$1" --terminate --ike "$2" --timeout "${3:-10}" >/dev/null 2>&1
}

# ia_list_sas INST: `swanctl --list-sas --raw`, one line per IKE SA:
#   list-sa event {NAME {uniqueid=1 version=2 state=ESTABLISHED ... child-sas {...}}}
ia_list_sas() { ia_swanctl "$1" --list-sas --raw 2>/dev/null | grep '^list-sa event'; }

# ia_ike_count INST [STATE]: number of IKE SAs (in STATE, e.g. ESTABLISHED).
ia_ike_count() {
  ia_list_sas "$1" | grep -o "version=[12] state=${2:-[A-Z_]*}" | grep -c . || true
}

# ia_child_count INST [STATE]: number of CHILD_SAs (in STATE, e.g. INSTALLED).
ia_child_count() {
  ia_list_sas "$1" | grep -o "reqid=[0-9]* state=${2:-[A-Z_]*}" | grep -c . || true
}

# ia_sa_value INST KEY: first value of KEY in the raw SA list, e.g. encr-alg,
# remote-host, dh-group, nat-remote (IKE keys come before the CHILD_SA keys).
ia_sa_value() {
  ia_list_sas "$1" | grep -o "[ {]$2=[^ }]*" | head -1 | cut -d= -f2-
}

# ia_wait_ike INST COUNT [STATE] [TIMEOUT_S]: wait until INST has COUNT IKE SAs in
# STATE (default ESTABLISHED) within TIMEOUT_S (default 20).
ia_wait_ike() {
  ia_wait_until "${4:-20}" ia_ike_count_is "$1" "$2" "${3:-ESTABLISHED}"
}
ia_ike_count_is() { [ "$(ia_ike_count "$1" "$3")" -eq "$2" ]; }
