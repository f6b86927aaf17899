// `ruong dead-letters [--limit N]`: for the platform operator, the rejected input no cooperative can see
// in the API (GET /api/v1/dead-letters is scoped to a cooperative): uplinks of an unknown device or
// DevEUI — typically a LoRaWAN sensor heard by the network server before it was provisioned here —
// grouped by topic and reason, newest first.
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { openConfiguredRegistry } from './open-registry.js';
import { deadLettersHelp } from './usage-texts.js';

export async function runDeadLetters(config: Config, argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { limit: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) { out(deadLettersHelp); return 0; }
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) { out('ruong dead-letters: --limit must be a whole number from 1 to 10000'); return 2; }
  const registry = await openConfiguredRegistry(config, 'ruong dead-letters');
  try {
    const groups = await registry.unownedDeadLetters(limit);
    if (groups.length === 0) { out('No dead letters without a cooperative.'); return 0; }
    out('last received              count  code               topic — reason');
    for (const g of groups) out(`${new Date(g.lastAt).toISOString()}  ${String(g.count).padStart(5)}  ${g.code.padEnd(17)}  ${g.topic} — ${g.reason}`);
    out('Provision the device (POST /api/v1/devices with its devEui, or `ruong provision --dev-eui`) to receive its next uplinks.');
    return 0;
  } finally {
    await registry.close();
  }
}
