// A local Open-Meteo-compatible forecast peer (node:http on a free port): answers GET /v1/forecast with what the
// test sets — a recorded body, an HTTP error, a malformed body, or never (a hung server) — and records the
// requests it received. Nothing leaves the machine.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PeerAnswer =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'raw'; readonly body: string; readonly status?: number }
  | { readonly kind: 'hang' };

export interface ForecastPeer {
  readonly url: string;
  readonly requests: URL[];
  answer(a: PeerAnswer): void;
  close(): Promise<void>;
}

export const fixturePath = (name: string) => new URL(`../fixtures/forecast/${name}`, import.meta.url);
export const readFixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Record<string, unknown>;

/** The recorded response with its dates and values replaced (the same documented shape). */
export function forecastBody(days: readonly { date: string; mm: number | null; pct: number | null }[]): unknown {
  const recorded = readFixture('open-meteo-daily.json');
  return {
    ...recorded,
    daily: {
      time: days.map((d) => d.date), precipitation_sum: days.map((d) => d.mm), precipitation_probability_max: days.map((d) => d.pct),
    },
  };
}

export async function startForecastPeer(): Promise<ForecastPeer> {
  let current: PeerAnswer = { kind: 'json', body: readFixture('open-meteo-daily.json') };
  const requests: URL[] = [];
  const hung = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    requests.push(url);
    if (url.pathname !== '/v1/forecast') {
      res.writeHead(404).end();
      return;
    }
    const a = current;
    if (a.kind === 'hang') {
      hung.add(res);
      return;
    }
    const body = a.kind === 'json' ? JSON.stringify(a.body) : a.body;
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(a) { current = a; },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
