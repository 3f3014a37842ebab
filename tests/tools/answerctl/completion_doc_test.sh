#!/usr/bin/env bash
# answerctl's bash completion offers the objects and commands of the built binary,
# and docs/answerctl.md's generated part equals what gen-doc.sh prints today.
set -euo pipefail
build=${ANSWERD_BUILD_DIR:?}
src=${ANSWERD_SOURCE_DIR:-$(pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }

# The generated block of the docs is current.
want=$("$src/tools/answerctl/gen-doc.sh" "$build/tools/answerctl/answerctl")
have=$(sed -n '/^<!-- BEGIN GENERATED/,/^<!-- END GENERATED/p' "$src/docs/answerctl.md")
[ "$want" = "$have" ] || {
  diff <(echo "$have") <(echo "$want") >&2 || true
  fail "docs/answerctl.md is stale: run tools/answerctl/gen-doc.sh $build/tools/answerctl/answerctl and paste its output"
}

bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "SKIP: bash-completion is not installed ($bc)"; exit 77; }
complete_words() {  # complete_words WORD...: completions for the last (partial) word
  PATH="$build/tools/answerctl:$PATH" bash -c '
    source "$1"; source "$2"; shift 2
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _answerctl answerctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$bc" "$src/tools/answerctl/answerctl.bash" "$@"
}
[ "$(complete_words answerctl '')" = "conn daemon help ike peer sa stats version xdp " ] ||
  fail "objects: '$(complete_words answerctl '')'"
[ "$(complete_words answerctl sa '')" = "help list show terminate " ] || fail "sa: '$(complete_words answerctl sa '')'"
[ "$(complete_words answerctl -j xdp a)" = "attach " ] || fail "xdp a: '$(complete_words answerctl -j xdp a)'"
[ "$(complete_words answerctl ike decode --p)" = "--pcap --pretty " ] || fail "ike --p: '$(complete_words answerctl ike decode --p)'"
[ "$(complete_words answerctl xdp attach lo mode g)" = "generic " ] || fail "mode g"
echo "completion and docs: ok"
