// GET /metrics (Prometheus text format) for the processes that have no API of their own — `ruong broker`,
// `ruong ingest`, `ruong rules` — on METRICS_HOST:METRICS_PORT (off unless METRICS_PORT is set; loopback by
// default: metrics name devices and services, so expose them only to the scraper). The HTTP server (node:http) is
// loaded only when METRICS_PORT is set (issue 19, a broker's base memory: docs/benchmarks.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry as PromRegistry } from 'prom-client';
import type { Config } from '../core/config.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';

export async function metricsEndpoint(config: Config, registry: PromRegistry, log: Logger): Promise<(Service & { port(): number }) | undefined> {
  if (config.METRICS_PORT === undefined) return undefined;
  const { createHttpService } = await import('./http-service.js');
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => { log.error({ err }, 'metrics could not be collected'); res.writeHead(500).end(); },
    );
  };
  return createHttpService(handler, config.METRICS_HOST, config.METRICS_PORT, log, { name: 'metrics' });
}
