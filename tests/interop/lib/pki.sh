# shellcheck shell=bash
# interop harness, credentials part: a test CA and leaf certificates made with
# strongSwan's pki tool (strongswan-pki), and their installation into an instance's
# swanctl directory (x509ca/, x509/, private/).

# ia_pki_ca DIR NAME [TYPE SIZE]: make a self-signed CA: DIR/NAME.key, DIR/NAME.pem.
# TYPE/SIZE default to ecdsa 256 (also: rsa 3072, ecdsa 384, ed25519 0).
ia_pki_ca() {
  local dir=$1 name=$2 type=${3:-ecdsa} size=${4:-256}
  ia_require_cmd pki
  mkdir -p "$dir"
  ia_pki_key "$dir/$name.key" "$type" "$size"
  ia_pki --self --ca --lifetime 3650 --type priv --in "$dir/$name.key" \
    --dn "C=CH, O=answerd test, CN=$name" --outform pem >"$dir/$name.pem" ||
    ia_fail "pki --self $name"
}

# ia_pki_leaf DIR NAME CA SAN [TYPE SIZE]: make a key DIR/NAME.key and a certificate
# DIR/NAME.pem for identity SAN (a DNS name; also the subjectAltName), issued by
# DIR/CA.pem. CA may itself be a leaf made with --ca (see ia_pki_sub_ca).
ia_pki_leaf() {
  local dir=$1 name=$2 ca=$3 san=$4 type=${5:-ecdsa} size=${6:-256}
  ia_pki_key "$dir/$name.key" "$type" "$size"
  ia_pki --pub --type priv --in "$dir/$name.key" |
    ia_pki --issue --lifetime 3650 --cacert "$dir/$ca.pem" --cakey "$dir/$ca.key" \
      --dn "C=CH, O=answerd test, CN=$san" --san "$san" --outform pem >"$dir/$name.pem" ||
    ia_fail "pki --issue $name"
}

# ia_pki_sub_ca DIR NAME CA: make an intermediate CA DIR/NAME.{key,pem} under DIR/CA.
ia_pki_sub_ca() {
  local dir=$1 name=$2 ca=$3
  ia_pki_key "$dir/$name.key" ecdsa 256
  ia_pki --pub --type priv --in "$dir/$name.key" |
    ia_pki --issue --ca --lifetime 3650 --cacert "$dir/$ca.pem" --cakey "$dir/$ca.key" \
      --dn "C=CH, O=answerd test, CN=$name" --outform pem >"$dir/$name.pem" ||
    ia_fail "pki --issue --ca $name"
}

# ia_pki CMD...: the pki tool, loading only the plugins it needs (quiet).
ia_pki() {
  local conf="$IA_WORK/pki-strongswan.conf"
  [ -e "$conf" ] || echo "pki { load = $(ia_plugins_present $IA_TOOL_PLUGINS) }" >"$conf"
  STRONGSWAN_CONF=$conf pki "$@"
}

ia_pki_key() {  # FILE TYPE SIZE
  if [ "$2" = ed25519 ]; then
    ia_pki --gen --type ed25519 --outform pem >"$1" || ia_fail "pki --gen $1"
  else
    ia_pki --gen --type "$2" --size "$3" --outform pem >"$1" || ia_fail "pki --gen $1"
  fi
}

# ia_pki_install INST DIR [--ca NAME]... [--cert NAME]... [--key NAME]...: copy CA
# certificates into INST's x509ca/, certificates into x509/ and private keys into
# private/. In swanctl.conf refer to them by file name: certs = NAME.pem.
ia_pki_install() {
  local sw dir=$2
  sw=$(ia_charon_dir "$1")/swanctl
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --ca) cp "$dir/$2.pem" "$sw/x509ca/" ;;
      --cert) cp "$dir/$2.pem" "$sw/x509/" ;;
      --key) cp "$dir/$2.key" "$sw/private/$2.pem" ;;
      *) ia_fail "ia_pki_install: unknown option $1" ;;
    esac || ia_fail "ia_pki_install $1 $2"
    shift 2
  done
}
