import { COMMANDS, COMMON_FLAGS } from './commands.mjs';
import { COMMAND_DEFAULTS, FLAGS } from './options.mjs';

const SHORT = { file: '-f, ', output: '-o, ', help: '-h, ' };

function flagLines(names, command) {
  return names.map((name) => {
    const [type, flagDefault, help] = FLAGS[name];
    const def = COMMAND_DEFAULTS[command]?.[name] ?? flagDefault;
    const left = `  ${SHORT[name] ?? '    '}--${name}${type === 'string' ? ' VALUE' : ''}`;
    return left.padEnd(41) + help + (def !== undefined && def !== false ? ` (default ${def})` : '');
  });
}

const SOURCES = [
  'Flags can also be set by GATEWAY_<FLAG> environment variables (GATEWAY_HTTP_PORT=9080) or by keys',
  'of the --config YAML file (http-port: 9080, optionally inside a section named after the command).',
  'Precedence: flag > environment variable > config file (command section, then top level) > default.',
];

/** `gateway --help`: the commands, and how to get a command's flags. */
export function mainHelp() {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 4;
  return [
    'Usage: gateway <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Flags:',
    "  -h, --help                             show help (gateway <command> --help: that command's flags)",
    '      --version                          print the version',
    '',
    "Run 'gateway <command> --help' for a command's flags.",
  ].join('\n');
}

/** `gateway <command> --help`: that command's usage and only its flags. */
export function commandHelp(command) {
  const c = COMMANDS[command];
  return [
    `Usage: ${c.usage}`,
    '',
    c.summary[0].toUpperCase() + c.summary.slice(1) + '.',
    ...(c.details ? ['', ...c.details] : []),
    '',
    'Flags:',
    ...flagLines([...c.flags, ...COMMON_FLAGS], command),
    '',
    ...SOURCES,
  ].join('\n');
}
