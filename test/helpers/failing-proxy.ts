// A local HTTP proxy in front of the platform, for tests of what the dashboard does when a call fails: it
// forwards everything (the live event stream too) and, when armed, answers the next request whose path
// matches with a 503, drops its connection (a network error), or holds it until released (a slow answer).
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Mode = { kind: '503' } | { kind: 'hold'; release: Promise<void>; delivered: () => void };

export interface FailingProxy {
  readonly url: string;
  /** The next request whose path (with query) matches answers 503 "store unavailable". Resolves when it has. */
  fail503(path: RegExp): Promise<void>;
  /**
   * Every matching request loses its connection without an answer until restore() (a browser retries a
   * request once on a kept-alive connection that closes, so one drop alone is not a network error).
   */
  dropUntilRestored(path: RegExp): { dropped: Promise<void>; restore(): void };
  /** Holds the next matching request until release(); `delivered` resolves once its answer was sent. */
  hold(path: RegExp): { release(): void; delivered: Promise<void> };
  close(): Promise<void>;
}

export async function startFailingProxy(target: string): Promise<FailingProxy> {
  const upstream = new URL(target);
  const armed: { path: RegExp; mode: Mode; done: () => void }[] = [];
  const dropping = new Set<{ path: RegExp; done: () => void }>();

  function forward(req: IncomingMessage, res: ServerResponse, after?: () => void): void {
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => after?.());
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  const server = createServer((req, res) => {
    for (const d of dropping) {
      if (!d.path.test(req.url ?? '')) continue;
      req.socket.destroy();
      d.done();
      return;
    }
    const i = armed.findIndex((a) => a.path.test(req.url ?? ''));
    if (i < 0) {
      forward(req, res);
      return;
    }
    const entry = armed.splice(i, 1)[0];
    if (!entry) return;
    const { mode, done } = entry;
    if (mode.kind === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'STORE_UNAVAILABLE', message: 'reading store is unavailable' } }));
      done();
    } else {
      void mode.release.then(() => forward(req, res, () => { mode.delivered(); done(); }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const arm = (path: RegExp, mode: Mode) => new Promise<void>((done) => { armed.push({ path, mode, done }); });
  return {
    url,
    fail503: (path) => arm(path, { kind: '503' }),
    dropUntilRestored(path) {
      let done!: () => void;
      const dropped = new Promise<void>((r) => { done = r; });
      const entry = { path, done };
      dropping.add(entry);
      return { dropped, restore: () => { dropping.delete(entry); } };
    },
    hold(path) {
      let release!: () => void;
      let delivered!: () => void;
      const released = new Promise<void>((r) => { release = r; });
      const sent = new Promise<void>((r) => { delivered = r; });
      void arm(path, { kind: 'hold', release: released, delivered });
      return { release, delivered: sent };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
