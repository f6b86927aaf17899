// Live updates by Server-Sent Events (WHATWG HTML §9.2): `readings` (new values per field) and `alert`
// (an alert opened, acknowledged or resolved), filtered to the caller's cooperative and, for a farmer, their
// farms. A comment line every heartbeat keeps proxies from closing the stream and re-checks the session: an
// expired or revoked credential ends the stream. A client that cannot keep up is disconnected (it reconnects
// and reloads) rather than buffered without bound.
import { Router, type Request, type Response } from 'express';
import type { EventBus, ReadingsEvent, AlertEvent } from '../../core/event-bus.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import { currentUser, principal } from '../auth.js';
import type { Endpoint } from '../openapi.js';

const MAX_BUFFERED_BYTES = 1 << 20;

export const eventEndpoints: readonly Endpoint[] = [
  {
    method: 'get', path: '/events', tag: 'live', produces: 'text/event-stream',
    summary: 'Server-Sent Events: `readings` {fieldId, readings[]} and `alert` {alertId, fieldId, status, change}; a `: ping` comment every 25 s',
  },
];

function send(res: Response, event: string, data: unknown): void {
  if (res.writableEnded) return; // ended (session over, or the server stopping): a write would be an error event
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy(); // too slow: let it reconnect
}

function readingsByField(user: User, visible: ReadonlySet<string> | undefined, ev: ReadingsEvent): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const r of ev.readings) {
    if (r.cooperativeId !== user.cooperativeId || (visible && !visible.has(r.fieldId))) continue;
    let list = out.get(r.fieldId);
    if (!list) out.set(r.fieldId, (list = []));
    list.push({ deviceId: r.deviceId, metric: r.metric, ts: new Date(r.ts).toISOString(), value: r.value });
  }
  return out;
}

export function eventRoutes(deps: { registry: Registry; bus?: EventBus | undefined; heartbeatMs?: number | undefined }): Router {
  const router = Router();
  const heartbeatMs = deps.heartbeatMs ?? 25_000;

  router.get('/events', async (req: Request, res: Response) => {
    const user = currentUser(req);
    // Farmers see their farms' fields only; other roles the whole cooperative.
    const visible = user.role === 'farmer' ? new Set((await deps.registry.fieldRecords(user)).map((f) => f.id)) : undefined;
    // The client may have gone while the registry answered: its 'close' has fired already, so subscribe to nothing.
    if (req.socket.destroyed || res.destroyed) return;
    const farms = user.role === 'farmer' ? new Set(user.farmIds) : undefined;
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    send(res, 'hello', { live: deps.bus !== undefined, heartbeatMs });

    const offs: (() => void)[] = [];
    if (deps.bus) {
      offs.push(deps.bus.on('readings', (ev) => {
        for (const [fieldId, readings] of readingsByField(user, visible, ev)) send(res, 'readings', { fieldId, readings });
      }));
      offs.push(deps.bus.on('alert', (ev: AlertEvent) => {
        if (ev.cooperativeId !== user.cooperativeId) return;
        if (farms && (ev.farmId === null || !farms.has(ev.farmId))) return;
        send(res, 'alert', ev);
      }));
    }
    let checking = false;
    const heartbeat = async (): Promise<void> => {
      if (res.writableEnded || checking) return; // a check still running (slow database) covers this beat
      checking = true;
      try {
        const stillValid = await principal(deps.registry, req);
        if (res.writableEnded) return;
        if (!stillValid) {
          res.end(); // the session expired or the key was revoked
          return;
        }
        res.write(': ping\n\n');
      } finally {
        checking = false;
      }
    };
    const timer = setInterval(() => {
      // The session could not be re-checked (database unavailable): end the stream; the client reconnects and
      // authenticates again rather than keep receiving on an unverified credential.
      void heartbeat().catch(() => { if (!res.writableEnded) res.end(); });
    }, heartbeatMs);
    timer.unref();
    res.on('close', () => {
      clearInterval(timer);
      for (const off of offs) off();
    });
  });
  return router;
}
