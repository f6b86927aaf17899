// The process dies (kill -9) while its sends are in flight — the peers accepted the connections and never
// answered — with more sends pending. A new process on the same registry sends each exactly once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '../../core/alerts/notification-service.js';
import { silentLogger } from '../../core/log.js';
import { createRegistry } from '../../core/registry/registry.js';
import { createEmailNotifier } from '../../rules/notify/email.js';
import { createWebhookNotifier } from '../../rules/notify/webhook.js';
import { parseMail, startHttpPeer, startSmtpPeer, type HttpPeer, type SmtpPeer } from '../helpers/notify-peers.js';
import { createWorld } from '../helpers/notify-world.js';

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('restart with sends in flight and pending', () => {
  let dir: string;
  let smtp: SmtpPeer;
  let webhook: HttpPeer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-notify-restart-'));
    [smtp, webhook] = await Promise.all([startSmtpPeer(), startHttpPeer('/hook')]);
  });

  afterAll(async () => {
    await Promise.all([smtp.close(), webhook.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each message exactly once after the process is killed and started again', async () => {
    const path = join(dir, 'registry.db');
    const world = await createWorld(path);
    await world.registry.updateContact('coop-a', world.ids.erp, { webhookUrl: webhook.url });
    await world.registry.close();
    webhook.mode = 'hang';
    smtp.mode = 'hang';

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/notify-child.ts', path, webhook.url, smtp.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await waitFor(() => out.includes('READY') || child.exitCode !== null, 'the child to have sends in flight');
    expect(out).toContain('READY');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The peers never answered the dead process: nothing was delivered, the rows are still 'sending'.
    await Promise.all([webhook.down(), smtp.down()]);
    webhook.mode = 'ok';
    smtp.mode = 'ok';
    await Promise.all([webhook.up(), smtp.up()]);
    expect(smtp.mails).toEqual([]);
    expect(webhook.requests).toEqual([]);

    const registry = createRegistry(path);
    const stuck = registry.db.prepare(`SELECT status, count(*) AS n FROM notification_outbox GROUP BY status`).all();
    expect(stuck).toContainEqual({ status: 'sending', n: expect.any(Number) as number });
    const service = createNotificationService({
      sql: registry.sql, directory: registry, log: silentLogger(), backoff: { baseMs: 50, maxMs: 100 },
      notifiers: [createEmailNotifier({ url: smtp.url, from: 'alerts@example.org', timeoutMs: 5_000 }), createWebhookNotifier({ masterSecret: 'restart-master-secret-1' })],
    });
    await service.start();
    await waitFor(() => smtp.mails.length >= 2 && webhook.requests.length >= 1, 'delivery after the restart');
    await new Promise((r) => setTimeout(r, 400));
    expect(smtp.mails.map((m) => parseMail(m.raw).headers.get('x-ruong-delivery')).sort()).toEqual(
      [`al-restart:opened:${world.ids.mary}:email`, `al-restart:opened:${world.ids.tech}:email`].sort(),
    );
    expect(webhook.requests.map((r) => r.headers['x-ruong-delivery'])).toEqual([`al-restart:opened:${world.ids.erp}:webhook`]);
    const statuses = (await service.deliveries('al-restart', { cooperativeId: 'coop-a' })).filter((d) => d.channel === 'email' || d.channel === 'webhook');
    expect(statuses.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
    await service.stop();
    await registry.close();
  });
});
