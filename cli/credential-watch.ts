// Closes live MQTT sessions whose credential changed in another process (issue 3: "revoking a device
// disconnects its live session at once", across processes for issue 9's separate `ruong api` and
// `ruong broker`): polls the registry's credential change feed (migration 7) every second and disconnects each
// revoked or rotated device this broker holds. Changes older than a day are pruned (by any broker).
import type { BrokerService } from '../broker/broker-service.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { CredentialChanges } from '../core/registry/credential-changes.js';

const KEEP_MS = 86_400_000;

export function credentialWatch(opts: { registry: CredentialChanges; broker: Pick<BrokerService, 'disconnect'>; log: Logger; intervalMs?: number }): Service {
  const { registry, broker, log } = opts;
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  let polls = 0;
  let polling: Promise<void> | undefined; // one poll at a time; stop() waits for it

  async function poll(): Promise<void> {
    try {
      for (const change of await registry.credentialChangesAfter(seq)) {
        seq = change.seq;
        if (broker.disconnect(change.deviceId)) log.info({ deviceId: change.deviceId, change: change.change }, 'device session closed: credential changed');
      }
      if (++polls % 3600 === 0) await registry.pruneCredentialChanges(Date.now() - KEEP_MS);
    } catch (err) {
      log.warn({ err }, 'credential change feed could not be read; retrying');
    }
  }

  return {
    name: 'credential-watch',
    async start() {
      seq = await registry.lastCredentialChange(); // sessions that exist now were opened with valid credentials
      timer = setInterval(() => {
        // poll() catches and logs its failures; a slow poll (a far registry) is not overlapped by the next one
        polling ??= poll().finally(() => { polling = undefined; });
      }, opts.intervalMs ?? 1000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await polling;
    },
  };
}
