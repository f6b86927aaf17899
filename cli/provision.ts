// `ruong provision --field F --kind K [--id ID] [--name N] [--dev-eui EUI] [--profile P]`: creates a device and prints its MQTT
// credentials once (the secret is stored only hashed).
import { parseArgs } from 'node:util';
import type { Config } from '../core/config.js';
import { openConfiguredRegistry } from './open-registry.js';
import { DeviceKind } from '../core/registry/type-schemas.js';
import { deviceCredentials, isProvisionableDeviceId } from '../core/registry/device-credentials.js';
import { configuredBrokerUrls } from './broker-config.js';
import { recordedBrokerUrlsFor } from './broker-urls-file.js';
import { provisionHelp } from './usage-texts.js';

export async function runProvision(config: Config, argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { field: { type: 'string' }, kind: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, 'dev-eui': { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) { out(provisionHelp); return 0; }
  const kind = DeviceKind.safeParse(values.kind);
  if (!values.field || !kind.success) { out(`ruong provision: --field and --kind (${DeviceKind.options.join(', ')}) are required\n${provisionHelp}`); return 2; }
  if (values.id !== undefined && !isProvisionableDeviceId(values.id)) { out('ruong provision: --id must be 1–64 letters, digits, "-" or "_", not starting with "ruong-"'); return 2; }
  const devEui = values['dev-eui'];
  if (devEui !== undefined && !/^[0-9A-Fa-f]{16}$/.test(devEui)) { out('ruong provision: --dev-eui must be 16 hexadecimal digits (EUI-64)'); return 2; }
  const registry = await openConfiguredRegistry(config, 'ruong provision');
  try {
    if (values.profile !== undefined && !await registry.deviceProfile(values.profile)) {
      out(`ruong provision: no device profile ${values.profile} (known: ${(await registry.deviceProfiles()).map((p) => p.id).join(', ')})`);
      return 2;
    }
    const { deviceId, secret } = await registry.provisionDevice({ id: values.id, fieldId: values.field, kind: kind.data, name: values.name ?? values.id ?? kind.data, devEui: devEui?.toLowerCase() });
    if (values.profile !== undefined) await registry.setDeviceProfile(deviceId, values.profile);
    // The URLs the running broker recorded (its real ports), else this environment's settings.
    out(JSON.stringify(deviceCredentials(deviceId, secret, await recordedBrokerUrlsFor({ registry, config }) ?? configuredBrokerUrls(config)), null, 2));
    return 0;
  } catch (err) {
    out(`ruong provision: ${(err as Error).message}`);
    return 1;
  } finally {
    await registry.close();
  }
}
