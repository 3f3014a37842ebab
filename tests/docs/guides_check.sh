#!/usr/bin/env bash
# The setup guides (docs/guide-*.md) say what they mean: every ```conf block is a
# complete answerd configuration that `answerd --check-config` accepts without a
# warning; every ```nft block is a ruleset that `nft -c` accepts (in a network
# namespace of its own, when root and nft are there); every if_id the route-based
# guide configures is one of the xfrm interfaces it tells the operator to create,
# each guide has at least one configuration to check, and the route-based guide's
# blocks are the ones tests/vm/scenarios/vagrant_guide_route.sh runs.
#
#   guides_check.sh ANSWERD_BIN [SOURCE_DIR]
set -euo pipefail
answerd=${1:-}
src=${2:-${ANSWERD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
[ -x "$answerd" ] || { echo "guides_check: SKIP: answerd not built ($answerd)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "guides_check: FAIL: $*" >&2; fail=1; }

# blocks FILE LANG: write each ```LANG block of FILE to $work/<guide>.<LANG>.<n>; print the paths.
blocks() {
  awk -v lang="$2" -v out="$work/$(basename "$1" .md)" '
    $0 == "```" lang { n++; f = out "." lang "." n; inb = 1; next }
    inb && /^```/ { inb = 0; print f; next }
    inb { print > f }' "$1"
}

nft_ok=0
if command -v nft >/dev/null && [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  nft_ok=1
else
  echo "guides_check: nft rulesets not checked (needs root, unshare -n and nft)"
fi

for guide in "$src"/docs/guide-*.md; do
  name=$(basename "$guide")
  mapfile -t confs < <(blocks "$guide" conf)
  [ ${#confs[@]} -gt 0 ] || bad "$name has no \`\`\`conf block to check"
  for c in "${confs[@]}"; do
    if ! out=$("$answerd" --check-config -c "$c" 2>&1); then
      bad "$name: answerd rejects config block ${c##*.}: $out"
    elif grep -qi warning <<<"$out"; then
      bad "$name: config block ${c##*.} gives warnings: $out"
    else
      echo "$name: config block ${c##*.}: $out"
    fi
  done
  if [ "$nft_ok" = 1 ]; then
    while read -r r; do
      if out=$(unshare -n nft -c -f "$r" 2>&1); then
        echo "$name: nft block ${r##*.}: accepted by nft -c"
      else
        bad "$name: nft rejects ruleset ${r##*.}: $out"
      fi
    done < <(blocks "$guide" nft)
  fi
done

# The route-based guide: each if_id of its answerd config is an interface it creates.
rb=$src/docs/guide-route-based.md
mapfile -t ids < <(cat "$work"/guide-route-based.conf.* | awk '$1 == "if_id_in" || $1 == "if_id_out" {print $3}' | sort -u)
[ ${#ids[@]} -gt 0 ] || bad "guide-route-based.md configures no if_id_in/if_id_out"
for id in "${ids[@]}"; do
  grep -Eq "^ip link add [a-z0-9]+ type xfrm .*if_id $id\$" "$rb" ||
    bad "guide-route-based.md: if_id $id is configured but no 'ip link add ... type xfrm ... if_id $id' creates it"
done
# tests/vm/scenarios/vagrant_guide_route.sh runs that guide's blocks, picked by content.
python3 - "$rb" <<'PY' || bad "guide-route-based.md: blocks are not as vagrant_guide_route.sh picks them"
import re, sys
blocks = re.findall(r"^```(\w*)\n(.*?)^```", open(sys.argv[1]).read(), re.S | re.M)
want = {"conf": lambda l, b: l == "conf", "hub commands": lambda l, b: l == "" and "ip link add xi11" in b,
        "branch commands": lambda l, b: l == "" and "ip link add xi0" in b,
        "branch swanctl.conf": lambda l, b: l == "" and b.startswith("connections {")}
n = {k: sum(1 for l, b in blocks if p(l, b)) for k, p in want.items()}
print("guide-route-based.md blocks:", n)
sys.exit(0 if all(v == 1 for v in n.values()) else 1)
PY
[ "$fail" = 0 ] || exit 1
echo "guides_check: every configuration and ruleset in docs/guide-*.md is accepted"
