// The `ruong` command, loaded by cli/main.ts once cli/young-generation.ts has run. The only module that reads
// process.env and the process's arguments (with cli/young-generation.ts).
import { loadConfig, type Config } from '../core/config.js';
import { createLineSink, resolveLogFormat, setStdoutLogFormat } from '../core/log.js';
import { asksForHelp, expectNoArguments } from './args.js';
import { describeFailure } from './errors.js';
import { helpFor, mainHelp } from './help.js';
// Each command's module is loaded only when that command runs: `ruong broker` does not load the API, the
// ingest, the rules engine or the simulator (issue 19, a broker's base memory: docs/benchmarks.md).

const commands: Record<string, string> = {
  start: 'run the whole platform in one process (broker, ingest, API + dashboard, demo simulator)',
  broker: 'run the MQTT broker alone (e.g. with REDIS_URL), sharing DATA_DIR\'s registry',
  ingest: 'run the ingest alone against a broker (INGEST_MQTT_URL), sharing DATA_DIR\'s registry',
  api: 'run the HTTP API + dashboard alone (stateless; several behind a load balancer), sharing DATA_DIR\'s registry',
  rules: 'run the rules engine + alert notifications alone, fed by an MQTT subscription (INGEST_MQTT_URL)',
  provision: 'create a device in a field and print its MQTT credentials',
  cooperative: 'create a cooperative and its first admin: `ruong cooperative create --name … --admin <username>`',
  'dead-letters': 'list rejected input that belongs to no cooperative (unknown devices / DevEUIs)',
  sim: 'the firmware simulator: a scenario file or a fleet of N devices against a broker (`ruong sim --help`)',
  agro: 'agronomy calculators: `ruong agro et0 …`, `ruong agro balance …` (FAO-56), JSON output',
  help: 'show this help',
};

function help(): string {
  return mainHelp(commands);
}

/** The command being run and its configuration, once loaded: what a failure's message is told with (cli/errors.ts). */
let running = { command: 'ruong', config: undefined as Config | undefined };
/** The banner stands out from the log lines on a colour terminal. */
let emphasis = false;

function config(): Config {
  const loaded = loadConfig(process.env);
  running = { ...running, config: loaded };
  // Readable log lines for a person at a terminal, JSON for a pipe or when asked (LOG_FORMAT, core/log.ts).
  const tty = process.stdout.isTTY === true;
  const format = resolveLogFormat(loaded.LOG_FORMAT, tty);
  const color = tty && format === 'pretty' && !process.env.NO_COLOR;
  setStdoutLogFormat(format, { color });
  emphasis = color;
  return loaded;
}

// A closed stdout/stderr (`ruong start | head -3`) must never crash or block the process (issue 14). What a
// command prints is never dropped (a slow reader only delays it); the log's own cap is in core/log.ts.
const stdout = createLineSink(process.stdout, Number.POSITIVE_INFINITY);
const stderr = createLineSink(process.stderr, Number.POSITIVE_INFINITY);

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => stdout.write(`${line}\n`);
  const err = (line: string) => stderr.write(`${line}\n`);
  const banner = (line: string) => out(emphasis && line ? `\u001b[1m${line}\u001b[0m` : line);
  const [command = 'help', ...rest] = argv;
  running = { ...running, command };
  // `ruong <command> --help` prints and exits 0 before anything starts or any variable is read (cli/help.ts).
  const commandHelp = helpFor(command);
  if (commandHelp && asksForHelp(rest)) {
    out(commandHelp);
    return 0;
  }
  if (['start', 'broker', 'ingest', 'api', 'rules'].includes(command)) expectNoArguments(command, rest);
  switch (command) {
    case 'start':
      return (await import('./start.js')).runStart(config(), banner);
    case 'broker':
      return (await import('./broker.js')).runBroker(config(), banner);
    case 'ingest':
      return (await import('./ingest.js')).runIngest(config(), banner);
    case 'api':
      return (await import('./api.js')).runApi(config(), banner);
    case 'rules':
      return (await import('./rules.js')).runRules(config(), banner);
    case 'provision':
      return (await import('./provision.js')).runProvision(config(), rest, (l) => (l.startsWith('ruong provision:') ? err(l) : out(l)));
    case 'cooperative':
      return (await import('./cooperative.js')).runCooperative(config(), rest, (l) => (l.startsWith('ruong cooperative:') ? err(l) : out(l)));
    case 'dead-letters':
      return (await import('./dead-letters.js')).runDeadLetters(config(), rest, (l) => (l.startsWith('ruong dead-letters:') ? err(l) : out(l)));
    case 'sim':
      return (await import('./sim.js')).runSim(config(), rest, out);
    case 'agro':
      return (await import('./agro.js')).runAgro(rest.map((a) => (a === '-h' ? '--help' : a)), (l) => (l.startsWith('ruong agro') ? err(agroUsageLine(l)) : out(l)));
    case 'help':
    case '--help':
    case '-h':
      out((rest[0] && helpFor(rest[0])) || help());
      return 0;
    default:
      err(`ruong: unknown command "${command}" (commands: ${Object.keys(commands).join(', ')}; see ruong --help)`);
      return 2;
  }
}

/** parseArgs' wording in `ruong agro` ("Unknown option '--x'. To specify a positional …") cut to the point. */
function agroUsageLine(line: string): string {
  const [, where, flag] = /^(ruong agro \S*): Unknown option '([^']+)'/.exec(line) ?? [];
  return where && flag ? `${where}: unknown option ${flag} (see ${where.trim()} --help)` : line;
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (error: unknown) => {
    // One line per problem naming the option or variable (cli/errors.ts); a stack only for the unexpected.
    const failure = describeFailure(running.command, error, running.config);
    stderr.write(`${failure.lines.join('\n')}\n`);
    process.exit(failure.exitCode);
  },
);
