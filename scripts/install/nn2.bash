# bash completion of nn2 (installed as share/bash-completion/completions/nn2, where
# bash-completion finds it when `nn2` is first completed; or `source` this file).
# The option list is nn2's own: `nn2 --help` read once per shell. The completion test
# (tests/test_completion.sh) checks it against the option table of src/cli_args.c.

_nn2_options() {
  # the long options that `nn2 --help` lists, once per shell
  if [ -z "${_nn2_opts_cache-}" ]; then
    _nn2_opts_cache=$("${1:-nn2}" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u | tr '\n' ' ')
  fi
  printf '%s' "$_nn2_opts_cache"
}

_nn2() {
  local cur prev cmd i words
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()
  # the command: the first word after nn2 that is not an option
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      train | eval | predict | info) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  # a value after an option that takes one
  case $prev in
    --activation) words="sigmoid tanh relu" ;;
    --output) words="sigmoid softmax" ;;
    --cost) words="cross-entropy quadratic log-likelihood" ;;
    --init) words="default large xavier glorot he" ;;
    --reg) words="l2 l1" ;;
    --schedule) words="constant step plateau" ;;
    --bind) words="compact spread none" ;;
    --eval-set | --set) words="validation test training" ;;
    --data)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return 0 ;;
    --save | --metrics | --metrics-json | --model | --images | --labels | --out | --checkpoint | --resume)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0 ;;
    --sizes | --dropout | --epochs | --batch-size | --mini-batch-size | --eta | --lr | --lambda | \
      --momentum | --lr-step | --lr-gamma | --plateau | --early-stop | --seed | --threads | \
      --train-size | --validation-size | --checkpoint-every | --data-prefix)
      return 0 ;; # a number or a list: nothing to offer
  esac
  if [ -n "${words-}" ]; then
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    return 0
  fi
  if [ -z "$cmd" ] && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "train eval predict info" -- "$cur")
    return 0
  fi
  if [[ $cur == -* ]] || [ -z "$cur" ]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_nn2_options "${COMP_WORDS[0]}")" -- "$cur")
    return 0
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _nn2 nn2
