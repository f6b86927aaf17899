#!/usr/bin/env node
// The `ruong` command. The only module that reads process.env and the process's arguments.
import { configDocs, loadConfig, type Config } from '../core/config.js';
import { isRuongError } from '../core/errors.js';
import { createLineSink } from '../core/log.js';
import { runAgro } from './agro.js';
import { runApi } from './api.js';
import { runBroker } from './broker.js';
import { cooperativeHelp, runCooperative } from './cooperative.js';
import { deadLettersHelp, runDeadLetters } from './dead-letters.js';
import { runIngest } from './ingest.js';
import { runRules } from './rules.js';
import { provisionHelp, runProvision } from './provision.js';
import { runSim, simHelp } from './sim.js';
import { runStart } from './start.js';

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
  const width = Math.max(...configDocs.map(([n]) => n.length));
  return [
    'Ruộng — telemetry and irrigation alerts for farm cooperatives',
    '',
    'Usage: ruong <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, text]) => `  ${name.padEnd(12)} ${text}`),
    '',
    'Configuration (environment variables, default in brackets):',
    ...configDocs.map(([name, def, text]) => `  ${name.padEnd(width)}  ${text} [${def}]`),
    '',
    `provision: ${provisionHelp}`,
    '',
    `sim: ${simHelp}`,
    '',
    `cooperative: ${cooperativeHelp}`,
    '',
    `dead-letters: ${deadLettersHelp}`,
  ].join('\n');
}

function config(): Config {
  return loadConfig(process.env);
}

// A closed stdout/stderr (`ruong start | head -3`) must never crash or block the process (issue 14). What a
// command prints is never dropped (a slow reader only delays it); the log's own cap is in core/log.ts.
const stdout = createLineSink(process.stdout, Number.POSITIVE_INFINITY);
const stderr = createLineSink(process.stderr, Number.POSITIVE_INFINITY);

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => stdout.write(`${line}\n`);
  const err = (line: string) => stderr.write(`${line}\n`);
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(config(), out);
    case 'broker':
      return runBroker(config(), out);
    case 'ingest':
      return runIngest(config(), out);
    case 'api':
      return runApi(config(), out);
    case 'rules':
      return runRules(config(), out);
    case 'provision':
      return runProvision(config(), rest, (l) => (l.startsWith('ruong provision:') ? err(l) : out(l)));
    case 'cooperative':
      return runCooperative(config(), rest, (l) => (l.startsWith('ruong cooperative:') ? err(l) : out(l)));
    case 'dead-letters':
      return runDeadLetters(config(), rest, (l) => (l.startsWith('ruong dead-letters:') ? err(l) : out(l)));
    case 'sim':
      return runSim(config(), rest, out);
    case 'agro':
      return runAgro(rest, (l) => (l.startsWith('ruong agro') ? err(l) : out(l)));
    case 'help':
    case '--help':
    case '-h':
      out(help());
      return 0;
    default:
      err(`ruong: unknown command "${command}"\n\n${help()}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (error: unknown) => {
    if (isRuongError(error) && error.code === 'CONFIG_INVALID') {
      stderr.write(`ruong: ${error.message}\n`);
      process.exit(2);
    }
    stderr.write(`ruong: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
