/**
 * `interflow completion bash|zsh|fish`: prints a completion script generated from the real command
 * tree (buildProgram([]) declares every group), so a command or flag added anywhere is completed
 * without touching this file. Profile names are read when completing, from
 * `interflow profiles list --json` (no config: no names).
 */
import type { Command } from 'commander';
import { buildProgram } from '../../cli.js';
import { UsageError } from '../../errors.js';
import { mediaKinds } from '../../message/model.js';
import type { CommandContext } from '../context.js';

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

/** Flag values offered as words. */
export const optionValues: Record<string, readonly string[]> = {
  '--kind': mediaKinds,
  '--policy': ['deterministic', 'fallback'],
  '--wait': ['delivered', 'read'],
  '--fail-status': ['429', '500', '502', '503', '504'],
};

/** Flags whose value is a file path. */
export const fileOptions = [
  '--config',
  '--file',
  '--template-file',
  '--list',
  '--vcard',
  '--contact-file',
  '--output',
  '--journal',
  '--templates',
];

interface Flag {
  long: string;
  short?: string;
  takesValue: boolean;
  description: string;
}

/** One command path ('' for the root) and what may follow it. */
export interface CompletionNode {
  path: string;
  subcommands: { name: string; aliases: string[]; description: string }[];
  /** The command's own flags, then the global ones, then --help. */
  flags: Flag[];
  /** Its positional arguments include a file (e.g. bulk's <csv>). */
  fileArgument: boolean;
}

function flagsOf(command: Command): Flag[] {
  return command.options
    .filter((o) => o.long)
    .map((o) => ({
      long: o.long!,
      short: o.short,
      takesValue: o.required || o.optional,
      description: o.description,
    }));
}

/** Every command path of the program with its subcommands and flags. */
export function completionTree(program: Command = buildProgram([])): CompletionNode[] {
  const globals = flagsOf(program);
  const help: Flag = { long: '--help', short: '-h', takesValue: false, description: 'show help (with examples)' };
  const nodes: CompletionNode[] = [];
  const walk = (command: Command, path: string): void => {
    const own = path === '' ? globals : [...flagsOf(command), ...globals.filter((f) => f.long !== '--version')];
    nodes.push({
      path,
      subcommands: command.commands.map((c) => ({ name: c.name(), aliases: c.aliases(), description: c.description() })),
      flags: [...own, help],
      fileArgument: command.registeredArguments.some((a) => /csv|file/i.test(a.name())),
    });
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return nodes;
}

/** A single-quoted shell word (bash, zsh and fish all read '\'' inside as a quote). */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A fish single-quoted string. */
function fq(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function childCases(nodes: CompletionNode[], indent: string, emit: (key: string, path: string) => string): string[] {
  const lines: string[] = [];
  for (const node of nodes) {
    for (const sub of node.subcommands) {
      const target = node.path ? `${node.path} ${sub.name}` : sub.name;
      for (const word of [sub.name, ...sub.aliases]) lines.push(`${indent}${emit(`${node.path}/${word}`, target)}`);
    }
  }
  return lines;
}

export function bashScript(nodes: CompletionNode[] = completionTree(), forZsh = false): string {
  const nodeCases = nodes.map((n) => {
    const flags = n.flags.flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));
    const valued = n.flags.filter((f) => f.takesValue).flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));
    return [
      `    ${sq(n.path)})`,
      `      _interflow_subs=${sq(n.subcommands.flatMap((s) => [s.name]).join(' '))}`,
      `      _interflow_opts=${sq(flags.join(' '))}`,
      `      _interflow_vals=${sq(valued.join(' '))}`,
      `      _interflow_files=${n.fileArgument ? 1 : 0} ;;`,
    ].join('\n');
  });
  const children = childCases(nodes, '    ', (key, path) => `${sq(key)}) _interflow_next=${sq(path)} ;;`);
  const valueCases = Object.entries(optionValues).map(
    ([flag, words]) => `      ${flag}) COMPREPLY=( $(compgen -W ${sq(words.join(' '))} -- "$cur") ) ;;`,
  );
  const header = forZsh
    ? `#!/usr/bin/env zsh
# zsh completion for interflow. Add to ~/.zshrc:  source <(interflow completion zsh)
# (it runs the bash completion through zsh's bashcompinit)
if ! (( $+functions[compdef] )); then
  autoload -U +X compinit && compinit
fi
autoload -U +X bashcompinit && bashcompinit
`
    : `#!/usr/bin/env bash
# bash completion for interflow. Install with one of:
#   interflow completion bash > /etc/bash_completion.d/interflow
#   source <(interflow completion bash)          # in ~/.bashrc
`;
  return `${header}
# Generated by \`interflow completion\` from the command tree: commands, flags, flag values and
# profile names (read at completion time from \`interflow profiles list --json\`).

_interflow_node() {
  _interflow_subs='' _interflow_opts='' _interflow_vals='' _interflow_files=0
  case "$1" in
${nodeCases.join('\n')}
  esac
}

_interflow_child() {
  case "$1/$2" in
${children.join('\n')}
    *) _interflow_next='' ;;
  esac
}

_interflow_profiles() {
  local bin="\${COMP_WORDS[0]}"
  [[ $bin == "~/"* ]] && bin="$HOME/\${bin#\\~/}"
  if [[ -n $1 ]]; then
    "$bin" profiles list --json --config "$1"
  else
    "$bin" profiles list --json
  fi 2>/dev/null </dev/null | grep -o '"name":"[^"]*"' | sed -e 's/^"name":"//' -e 's/"$//'
}

_interflow() {
  [[ -n \${ZSH_VERSION:-} ]] && setopt localoptions ksharrays
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev='' opt='' cfg='' path='' w i skip=0
  local _interflow_subs _interflow_opts _interflow_vals _interflow_files _interflow_next
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  # Walk the words before the cursor: the command path, skipping flag values.
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    if (( skip )); then
      skip=0
      [[ $w == "=" ]] && skip=1
      [[ $w != "=" && \${COMP_WORDS[i-1]} == --config ]] && cfg="$w"
      [[ $w != "=" && \${COMP_WORDS[i-1]} == "=" && \${COMP_WORDS[i-2]} == --config ]] && cfg="$w"
      continue
    fi
    case "$w" in
      --config=*) cfg="\${w#--config=}" ;;
      --*=*|-) ;;
      -*)
        _interflow_node "$path"
        [[ " $_interflow_vals " == *" $w "* ]] && skip=1 ;;
      *)
        _interflow_child "$path" "$w"
        [[ -n $_interflow_next ]] && path="$_interflow_next" ;;
    esac
  done
  _interflow_node "$path"

  # A flag's value: --flag VALUE, or --flag=VALUE (bash splits the '=' into its own word).
  if [[ $cur == "=" ]]; then
    opt="$prev" cur=''
  elif [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then
    opt="\${COMP_WORDS[COMP_CWORD-2]}"
  elif [[ $prev == -* ]]; then
    opt="$prev"
  fi
  if [[ -n $opt && " $_interflow_vals " == *" $opt "* ]]; then
    case "$opt" in
${valueCases.join('\n')}
      --profile) COMPREPLY=( $(compgen -W "$(_interflow_profiles "$cfg")" -- "$cur") ) ;;
      ${fileOptions.join('|')})
        compopt -o filenames 2>/dev/null
        local IFS=$'\\n'
        COMPREPLY=( $(compgen -f -- "$cur") ) ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$_interflow_opts" -- "$cur") )
  elif [[ -n $_interflow_subs ]]; then
    COMPREPLY=( $(compgen -W "$_interflow_subs" -- "$cur") )
  elif (( _interflow_files )); then
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}

complete -F _interflow interflow
`;
}

export function fishScript(nodes: CompletionNode[] = completionTree()): string {
  const valuedCases = nodes
    .filter((n) => n.flags.some((f) => f.takesValue))
    .map((n) => {
      const valued = n.flags.filter((f) => f.takesValue).flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));
      return `        case ${fq(n.path)}\n            printf '%s\\n' ${valued.map(fq).join(' ')}`;
    });
  const children = childCases(nodes, '        ', (key, path) => `case ${fq(key)}\n            echo ${fq(path)}`);
  const lines: string[] = [];
  const root = nodes.find((n) => n.path === '');
  const globalLongs = new Set(root?.flags.map((f) => f.long) ?? []);
  for (const node of nodes) {
    const condition = `-n "__interflow_path_is ${fq(node.path).replace(/"/g, '\\"')}"`;
    for (const sub of node.subcommands) {
      for (const word of [sub.name, ...sub.aliases]) {
        lines.push(`complete -c interflow ${condition} -a ${fq(word)} -d ${fq(sub.description)}`);
      }
    }
    for (const f of node.flags) {
      // Global flags and --help are written once (at the root) with no condition: every path has them.
      if (node.path !== '' && (globalLongs.has(f.long) || f.long === '--help')) continue;
      const parts = ['complete -c interflow'];
      if (node.path !== '' || f.long === '--version') parts.push(condition);
      parts.push(`-l ${f.long.slice(2)}`);
      if (f.short) parts.push(`-s ${f.short.slice(1)}`);
      if (f.takesValue) {
        const words = optionValues[f.long];
        if (words) parts.push(`-x -a ${fq(words.join(' '))}`);
        else if (f.long === '--profile') parts.push(`-x -a '(__interflow_profiles)'`);
        else if (fileOptions.includes(f.long)) parts.push('-r -F');
        else parts.push('-x');
      }
      parts.push(`-d ${fq(f.description)}`);
      lines.push(parts.join(' '));
    }
    if (node.fileArgument) lines.push(`complete -c interflow ${condition} -F`);
  }
  return `# fish completion for interflow. Install with:
#   interflow completion fish > ~/.config/fish/completions/interflow.fish
# Generated by \`interflow completion\` from the command tree: commands, flags, flag values and
# profile names (read at completion time from \`interflow profiles list --json\`).

function __interflow_child
    switch "$argv[1]/$argv[2]"
${children.join('\n')}
    end
end

function __interflow_valued
    switch "$argv[1]"
${valuedCases.join('\n')}
    end
end

# The command path typed so far ('' at the top), flag values skipped.
function __interflow_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l skip 0
    for w in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case '--*=*' '-'
            case '-*'
                if contains -- $w (__interflow_valued "$path")
                    set skip 1
                end
            case '*'
                set -l next (__interflow_child "$path" $w)
                if test -n "$next"
                    set path $next
                end
        end
    end
    echo $path
end

function __interflow_path_is
    set -l path (__interflow_path)
    test "$path" = "$argv[1]"
end

function __interflow_profiles
    set -l bin (commandline -opc)[1]
    $bin profiles list --json 2>/dev/null </dev/null | string match -a -r '"name":"[^"]*"' | string replace -r '^"name":"(.*)"$' '$1'
end

complete -c interflow -f
${lines.join('\n')}
`;
}

export function completionScript(shell: string): string {
  switch (shell) {
    case 'bash':
      return bashScript();
    case 'zsh':
      return bashScript(completionTree(), true);
    case 'fish':
      return fishScript();
    default:
      throw new UsageError(`unknown shell '${shell}': use one of ${shells.join(', ')}`, {
        hint: 'interflow completion bash > /etc/bash_completion.d/interflow',
      });
  }
}

export async function runCompletion({ shell }: { shell: string }, ctx: CommandContext): Promise<void> {
  ctx.io.out(completionScript(shell));
}
