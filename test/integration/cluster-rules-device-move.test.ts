// A pump controller moved to another field through one process (here the test's own registry handle, as `ruong api`
// would) is commanded on its new field by a separate `ruong rules` that had cached the old one (issue 17 review):
// the rules process follows the registry's device context change feed. Without it every command to the moved
// device is refused there ("device … not found"). The oracle is the command's state in the shared registry.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCommands } from '../../core/registry/commands.js';
import { createRegistry } from '../../core/registry/registry.js';
import { seedClusterDataDir, startClusterBroker, startClusterRules, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { eventually } from '../helpers/platform.js';

describe('a controller moved by another process, with ruong broker + ruong rules', () => {
  let broker: ClusterBroker | undefined;
  let rules: RuongChild | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await rules?.kill9();
    await broker?.kill9();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a command to the moved pump on its new field instead of refusing it', async () => {
    const seeded = await seedClusterDataDir('ruong-rules-move-', []);
    dataDir = seeded.dataDir;
    const registry = createRegistry(join(dataDir, 'registry.db'));
    const [fieldA] = await registry.fields({ cooperativeId: 'coop-demo', role: 'technician', farmIds: [] });
    await registry.provisionDevice({ id: 'pump-mover', fieldId: fieldA!.id, kind: 'pump_controller', name: 'Bơm' });
    const fieldB = await registry.createField({ farmId: fieldA!.farmId, name: 'Field B', crop: 'coffee' });
    const commands = createCommands(registry.sql);
    // an off: never refused by an interlock, so only the device's field decides between sent and refused
    const off = (fieldId: string) => commands.recordCommand({
      cooperativeId: 'coop-demo', fieldId, deviceId: 'pump-mover', cmd: 'pump', action: 'off', minutes: null, origin: 'manual', requestedBy: 'test',
    });
    const settled = (id: string) => eventually(async () => {
      const c = (await commands.commandsOfField('coop-demo', fieldA!.id)).concat(await commands.commandsOfField('coop-demo', fieldB)).find((x) => x.id === id);
      return Promise.resolve(c && c.state !== 'requested' ? c : undefined);
    }, 15_000, `command ${id} taken by the dispatcher`);
    broker = await startClusterBroker(dataDir);
    rules = await startClusterRules(dataDir, broker.url);
    try {
      expect((await settled((await off(fieldA!.id)).id)).state).toBe('sent'); // the rules process now caches field A
      expect(await registry.moveDevice('pump-mover', fieldB)).toBe(true);
      // the change feed is polled every second: ask again until one is sent (a refusal before it is read is fine)
      const sent = await eventually(async () => {
        const c = await settled((await off(fieldB)).id);
        return c.state === 'sent' ? c : undefined;
      }, 20_000, 'a command to the moved pump sent');
      expect(sent.fieldId).toBe(fieldB);
    } finally {
      await registry.close();
    }
  }, 60_000);
});
