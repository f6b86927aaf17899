// An HTTP server as a lifecycle Service (listen on start, close on stop), used by `ruong start`
// (cli/platform.ts) and `ruong api`.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';

export function createHttpService(app: RequestListener, host: string, port: number, log: Logger, name = 'api'): Service & { port(): number } {
  let server: Server | undefined;
  return {
    name,
    async start() {
      server = createServer(app);
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
      s.closeIdleConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
