#!/usr/bin/env node
// The `ruong` command. The only module that reads process.env and the process's arguments.
import { configDocs, loadConfig, type Config } from '../core/config.js';
import { isRuongError } from '../core/errors.js';
import { runAgro } from './agro.js';
import { provisionHelp, runProvision } from './provision.js';
import { runStart } from './start.js';

const commands: Record<string, string> = {
  start: 'run the whole platform in one process (broker, ingest, API + dashboard, demo simulator)',
  provision: 'create a device in a field and print its MQTT credentials',
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
    ...Object.entries(commands).map(([name, text]) => `  ${name.padEnd(10)} ${text}`),
    '',
    'Configuration (environment variables, default in brackets):',
    ...configDocs.map(([name, def, text]) => `  ${name.padEnd(width)}  ${text} [${def}]`),
    '',
    `provision: ${provisionHelp}`,
  ].join('\n');
}

function config(): Config {
  return loadConfig(process.env);
}

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(config(), out);
    case 'provision':
      return runProvision(config(), rest, (l) => (l.startsWith('ruong provision:') ? err(l) : out(l)));
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
      process.stderr.write(`ruong: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ruong: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
