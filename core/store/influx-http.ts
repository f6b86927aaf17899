// POST /write to InfluxDB over node:http(s) with keep-alive connections. Why not fetch: undici turns a string
// body into a web stream, encodes it with TextEncoder and copies each chunk again before the socket write —
// for 5,000 lines per request that was most of the store's CPU in the pipeline benchmark (docs/benchmarks.md).
// node:http writes the string straight to the socket, encoded once.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer { readonly status: number; readonly text: string }

export interface LinePoster {
  /** Resolves with the status and, unless 204, the body; rejects when no answer came (refused, reset, timeout). */
  post(url: string, headers: Record<string, string>, body: string | Buffer | readonly Buffer[]): Promise<HttpAnswer>;
  close(): void;
}

export function createLinePoster(opts: { https: boolean; timeoutMs: number }): LinePoster {
  // Two sockets: one write in flight plus a rollup refresh (core/store/influx-rollups.ts) at most.
  const agent = opts.https ? new HttpsAgent({ keepAlive: true, maxSockets: 2 }) : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  const request = opts.https ? httpsRequest : httpRequest;

  function answer(res: IncomingMessage, resolve: (a: HttpAnswer) => void, reject: (err: Error) => void): void {
    const status = res.statusCode ?? 0;
    if (status === 204) {
      res.resume();
      res.on('end', () => resolve({ status, text: '' }));
      res.on('error', reject);
      return;
    }
    const parts: Buffer[] = [];
    res.on('data', (chunk: Buffer) => parts.push(chunk));
    res.on('end', () => resolve({ status, text: Buffer.concat(parts).toString('utf8') }));
    res.on('error', reject);
  }

  return {
    post(url, headers, body) {
      // Line protocol is nearly always ASCII (ids, metric names, numbers): then its UTF-8 is its Latin-1, which
      // Buffer.from copies byte for byte — cheaper than the socket's UTF-8 encoding of the string.
      let parts: readonly Buffer[];
      if (typeof body === 'string') {
        const n = Buffer.byteLength(body, 'utf8');
        parts = [Buffer.from(body, n === body.length ? 'latin1' : 'utf8')];
      } else {
        parts = Buffer.isBuffer(body) ? [body] : body;
      }
      let bytes = 0;
      for (const p of parts) bytes += p.length;
      return new Promise<HttpAnswer>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': bytes } }, (res) => answer(res, resolve, reject));
        req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
        req.on('error', reject);
        // The parts are queued until the agent hands the request its socket, then flushed in one writev:
        // none is copied into a joint buffer.
        for (let i = 0; i < parts.length - 1; i++) req.write(parts[i]);
        req.end(parts[parts.length - 1]);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
