// `gateway completion bash|zsh`: a completion script for the shell, generated from the command
// table: commands, each command's flags, -o formats and document types.
import { kinds } from '@sluice/model';
import { COMMANDS, COMMON_FLAGS } from './commands.mjs';
import { FLAGS } from './options.mjs';
import { UsageError } from './usage-error.mjs';

const OUTPUTS = 'table wide json yaml name';
const TYPED = ['get', 'delete'];

function cases() {
  return Object.entries(COMMANDS).map(([name, c]) => [name, [...c.flags, ...COMMON_FLAGS].map((f) => `--${f}`).join(' ')]);
}

function bash() {
  const types = kinds.map((k) => k.collection).join(' ');
  return `# bash completion for gateway: source <(gateway completion bash)
_gateway() {
  local cur prev cmd flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(COMMANDS).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W "${OUTPUTS}" -- "$cur")); return ;;
    -f|--file|--config|--kubeconfig|--manifests|--plugins-dir|--data-dir|--webhook-cert|--webhook-key|--etcd-cacert|--etcd-cert|--etcd-key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
${cases()
  .map(([name, flags]) => `    ${name}) flags="${flags}" ;;`)
  .join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [[ " ${TYPED.join(' ')} " == *" $cmd "* ]]; then
    COMPREPLY=($(compgen -W "${types}" -- "$cur"))
  elif [ "$cmd" = completion ]; then
    COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
  fi
}
complete -o default -F _gateway gateway
`;
}

function zsh() {
  const flagSpec = (f) => {
    const [type, , help] = FLAGS[f];
    const text = help.replace(/[[\]:'\\]/g, ' ').slice(0, 80);
    const arg = f === 'output' ? `:format:(${OUTPUTS})` : type === 'string' ? ':value:_default' : '';
    return `'--${f}[${text}]${arg}'`;
  };
  const types = kinds.map((k) => k.collection).join(' ');
  return `#compdef gateway
# zsh completion for gateway: source <(gateway completion zsh) (after compinit)
_gateway() {
  local -a commands
  commands=(
${Object.entries(COMMANDS)
  .map(([name, c]) => `    '${name}:${c.summary.replace(/'/g, '')}'`)
  .join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'gateway command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${Object.entries(COMMANDS)
  .map(([name, c]) => {
    const positional = TYPED.includes(name) ? ` '1:type:(${types})'` : name === 'completion' ? " '1:shell:(bash zsh)'" : '';
    return `    ${name}) _arguments -s ${[...c.flags, ...COMMON_FLAGS].map(flagSpec).join(' ')}${name === 'get' ? " '-o[output format]:format:(" + OUTPUTS + ")'" : ''}${['apply', 'diff', 'translate'].includes(name) ? " '-f[file]:file:_files'" : ''}${positional} ;;`;
  })
  .join('\n')}
  esac
}
compdef _gateway gateway
`;
}

export async function run(_command, o) {
  const [shell, extra] = o.positionals;
  if (extra !== undefined || !['bash', 'zsh'].includes(shell)) throw new UsageError('which shell? gateway completion bash|zsh');
  process.stdout.write(shell === 'bash' ? bash() : zsh());
}
