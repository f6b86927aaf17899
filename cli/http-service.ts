// An HTTP server as a lifecycle Service (listen on start, close on stop), used by `ruong start`
// (cli/platform.ts) and `ruong api`.
// Stop (issue 14): stop accepting; end every Server-Sent Events stream (it never ends by itself — the
// client reconnects after its `retry`, WHATWG HTML §9.2.3); close idle keep-alive connections, and
// answer what is still in flight with `Connection: close` (RFC 9112 §9.6); after `graceMs` close the
// connections that are left, so a client that never finishes a request cannot hold the process.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';

export interface HttpServiceOptions {
  readonly name?: string;
  /** How long in-flight requests get to finish at stop before their connections are closed. */
  readonly graceMs?: number;
}

const isEventStream = (res: ServerResponse) => String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');

export function createHttpService(app: RequestListener, host: string, port: number, log: Logger, opts: HttpServiceOptions = {}): Service & { port(): number } {
  const { name = 'api', graceMs = 3000 } = opts;
  let server: Server | undefined;
  const open = new Set<ServerResponse>();
  let closing = false;

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
    if (closing) res.setHeader('Connection', 'close');
    app(req, res);
  };

  return {
    name,
    async start() {
      closing = false;
      server = createServer(listener);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      log.info({ port: this.port() }, 'http listening');
    },
    port: () => (server?.address() as AddressInfo | null)?.port ?? 0,
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      closing = true;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      let streams = 0;
      for (const res of open) {
        if (isEventStream(res)) { streams++; res.end(); } // the end of the chunked body: the stream is over
        else if (!res.headersSent) res.setHeader('Connection', 'close');
      }
      s.closeIdleConnections();
      // A keep-alive connection whose response finishes now turns idle: close it too.
      const sweep = setInterval(() => s.closeIdleConnections(), 50);
      const force = setTimeout(() => {
        log.warn({ requests: open.size, graceMs }, 'http requests still open at stop; closing their connections');
        s.closeAllConnections();
      }, graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(force);
      if (streams > 0) log.info({ streams }, 'live update streams ended');
    },
  };
}
