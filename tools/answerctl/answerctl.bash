# bash completion for answerctl. Objects and commands come from answerctl's own
# help text (`answerctl help`, `answerctl OBJECT help`), so they never drift from
# the binary. Install as /usr/share/bash-completion/completions/answerctl.

# _answerctl_commands OBJECT: the first word of each top-level alternative of the
# object's "Usage: answerctl OBJECT ..." line.
_answerctl_commands() {
  answerctl "$1" help 2>/dev/null | awk -v obj="$1" '
    NR == 1 {
      sub("^Usage: answerctl " obj " *", "")
      n = split($0, ch, "")
      depth = 0; word = ""; want = 1
      for (i = 1; i <= n; i++) {
        c = ch[i]
        if (c == "{" || c == "[") { depth++; if (depth == 1 && c == "{") want = 1; continue }
        if (c == "}" || c == "]") { depth--; continue }
        if (c == "|" && depth == 1) { want = 1; continue }
        if (c == " ") { if (word != "") { if (want && word ~ /^[a-z]+$/) print word; want = 0; word = "" } continue }
        if (depth <= 1) word = word c
      }
      if (word != "" && want && word ~ /^[a-z]+$/) print word
    }'
}

_answerctl() {
  local cur prev words cword
  _init_completion || return
  local opts="-j --json -p --pretty --socket --bpffs -h --help"
  case $prev in
    --socket) _filedir; return ;;
    --bpffs) _filedir -d; return ;;
    --pcap) _filedir; return ;;
    mode) COMPREPLY=($(compgen -W "native generic" -- "$cur")); return ;;
    attach|detach)
      COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
  esac
  # Words that are not global options (and not their arguments).
  local i pos=() skip=0
  for ((i = 1; i < cword; i++)); do
    if ((skip)); then skip=0; continue; fi
    case ${words[i]} in
      --socket|--bpffs) skip=1 ;;
      -*) ;;
      *) pos+=("${words[i]}") ;;
    esac
  done
  if [[ $cur == -* ]]; then
    [[ ${pos[0]:-} == ike ]] && opts+=" --hex --pcap"
    COMPREPLY=($(compgen -W "$opts" -- "$cur")); return
  fi
  case ${#pos[@]} in
    0)
      local objs
      objs=$(answerctl help 2>/dev/null | sed -n 's/.*OBJECT := { \(.*\) }/\1/p' | tr -d '|')
      COMPREPLY=($(compgen -W "$objs help version" -- "$cur")) ;;
    1)
      COMPREPLY=($(compgen -W "$(_answerctl_commands "${pos[0]}") help" -- "$cur")) ;;
  esac
}
complete -F _answerctl answerctl
