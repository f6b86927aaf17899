// The broker's listeners: MQTT over TCP, over WebSocket and over TLS (optionally with client certificates).
// Each raw connection first takes a token from its source address's bucket (connection rate limit);
// an over-limit socket is closed before any TLS handshake or MQTT parsing is spent on it.
// node:http with `ws`, and node:tls, are loaded only when their listener is configured (MQTT_WS_PORT ≠ 0,
// MQTT_TLS_CERT/KEY): a broker on TCP alone does not keep their code (issue 19, a broker's base memory —
// docs/benchmarks.md "Broker base memory").
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { WebSocketServer } from 'ws';
import type { TokenBuckets } from './token-bucket.js';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly ca?: Buffer | undefined;
}

export interface ConnectionMeta {
  readonly remoteAddress: string | undefined;
  readonly peerCommonName?: string | undefined;
  readonly req?: IncomingMessage;
}

export interface ListenerOptions {
  readonly host: string;
  readonly tcpPort: number;
  readonly wsPort?: number | undefined;
  readonly tls?: (TlsMaterial & { readonly port: number }) | undefined;
  readonly maxPacketBytes: number;
  /** A TLS handshake or a WebSocket upgrade must finish within this, like a CONNECT. */
  readonly connectTimeoutMs: number;
  readonly connectRate: TokenBuckets;
  readonly onRateLimited: (remoteAddress: string) => void;
  readonly handle: (conn: Duplex, meta: ConnectionMeta) => void;
}

export interface Listeners {
  start(): Promise<void>;
  addresses(): { tcp: number; ws: number | undefined; tls: number | undefined };
  listening(): boolean;
  /** Stops accepting; resolves once every connection has ended (see destroyConnections). */
  stopAccepting(): Promise<void>;
  /** Destroys the connections still open (e.g. ones that never sent a CONNECT). */
  destroyConnections(): void;
}

type AnyServer = NetServer | HttpServer | TlsServer;

function portOf(server: AnyServer | undefined): number | undefined {
  return (server?.address() as AddressInfo | null)?.port;
}

export function createListeners(opts: ListenerOptions): Listeners {
  let tcp: NetServer | undefined;
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let tls: TlsServer | undefined;
  const sockets = new Set<Socket>();
  // One listener for every socket (not a closure per connection: issue 3, memory per device).
  function forget(this: Socket): void {
    sockets.delete(this);
  }

  /** Connection rate per source address; false when the socket was closed for it. */
  function admit(socket: Socket): boolean {
    sockets.add(socket);
    socket.on('close', forget); // 'close' is emitted once
    const address = socket.remoteAddress ?? 'unknown';
    if (opts.connectRate.take(address)) return true;
    opts.onRateLimited(address);
    socket.destroy();
    return false;
  }

  async function listen(server: AnyServer, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, opts.host, () => { server.off('error', reject); resolve(); });
    });
  }

  return {
    async start() {
      tcp = createNetServer((socket) => {
        if (admit(socket)) opts.handle(socket, { remoteAddress: socket.remoteAddress });
      });
      await listen(tcp, opts.tcpPort);
      if (opts.wsPort !== undefined) {
        const [{ createServer: createHttpServer }, { WebSocketServer, createWebSocketStream }] = await Promise.all([import('node:http'), import('ws')]);
        http = createHttpServer({ headersTimeout: opts.connectTimeoutMs, requestTimeout: opts.connectTimeoutMs }, (_req, res) => { res.writeHead(426).end('MQTT over WebSocket only'); });
        http.prependListener('connection', (socket: Socket) => { admit(socket); });
        // A WebSocket frame is buffered whole before it is seen: cap it near the MQTT packet limit.
        wss = new WebSocketServer({ server: http, maxPayload: Math.max(2 * opts.maxPacketBytes, 64 * 1024) });
        wss.on('connection', (ws, req) => opts.handle(createWebSocketStream(ws), { remoteAddress: req.socket.remoteAddress, req }));
        await listen(http, opts.wsPort);
      }
      if (opts.tls) {
        const { createServer: createTlsServer } = await import('node:tls');
        const { cert, key, ca } = opts.tls;
        const tlsOptions = { cert, key, ca, requestCert: ca !== undefined, rejectUnauthorized: ca !== undefined, handshakeTimeout: opts.connectTimeoutMs };
        tls = createTlsServer(tlsOptions, (socket: TLSSocket) => {
          const subject = socket.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined;
          const cn = subject?.CN;
          opts.handle(socket, { remoteAddress: socket.remoteAddress, peerCommonName: Array.isArray(cn) ? cn[0] : cn });
        });
        tls.prependListener('connection', (socket: Socket) => { admit(socket); });
        tls.on('tlsClientError', (_err, socket) => socket.destroy());
        await listen(tls, opts.tls.port);
      }
    },

    addresses() {
      return { tcp: portOf(tcp) ?? 0, ws: portOf(http), tls: portOf(tls) };
    },

    listening() {
      return tcp?.listening === true;
    },

    async stopAccepting() {
      const servers = [tcp, http, tls].filter((s): s is AnyServer => s !== undefined && s.listening);
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      wss?.close();
      await Promise.all(closed);
    },

    destroyConnections() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
