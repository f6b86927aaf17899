// The MQTT edge: Aedes 1.x on TCP and WebSocket, with per-device authentication against the
// registry's hashed secrets and per-identity topic ACLs (broker/acl.ts).
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import { isValidDeviceId } from '../core/telemetry/topics.js';
import { INGEST_SERVICE, mayPublish, maySubscribe, type Identity } from './acl.js';

export interface BrokerAuth {
  verifyDevice(deviceId: string, secret: string): Promise<boolean>;
  verifyService(name: string, secret: string): Promise<boolean>;
}

export interface BrokerOptions {
  readonly auth: BrokerAuth;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly host: string;
  readonly port: number;
  /** WebSocket listener port; undefined = no WebSocket listener. */
  readonly wsPort?: number | undefined;
  readonly allowAnonymous?: boolean;
}

export interface BrokerService extends Service {
  /** Ports actually bound (useful with port 0). */
  addresses(): { tcp: number; ws: number | undefined };
  isReady(): boolean;
  /** Closes a device's live session at once (e.g. after revocation). */
  disconnect(deviceId: string): boolean;
}

const BAD_CREDENTIALS = 4; // MQTT 3.1.1 CONNACK return code 0x04
const NOT_AUTHORIZED = 5; // 0x05

function authError(returnCode: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  (err as { returnCode: number }).returnCode = returnCode;
  return err;
}

export function createBrokerService(opts: BrokerOptions): BrokerService {
  const { log, metrics } = opts;
  const identities = new WeakMap<Client, Identity>();
  let broker: Aedes | undefined;
  let tcp: NetServer | undefined;
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let stopped: Promise<void> | undefined;

  async function identify(client: Client, username: string | undefined, password: Buffer | undefined): Promise<Identity> {
    if (username === undefined) {
      if (opts.allowAnonymous) return { kind: 'anonymous' };
      throw authError(NOT_AUTHORIZED, 'anonymous clients are not allowed');
    }
    const secret = password?.toString('utf8') ?? '';
    if (username === INGEST_SERVICE) {
      if (!client.id.startsWith(INGEST_SERVICE) || !(await opts.auth.verifyService(username, secret))) throw authError(BAD_CREDENTIALS, 'bad service credentials');
      return { kind: 'service', name: username };
    }
    // The client id must equal the device id: another credential can never take over a device's session.
    if (!isValidDeviceId(username) || client.id !== username) throw authError(NOT_AUTHORIZED, 'client id must equal the device id');
    if (!(await opts.auth.verifyDevice(username, secret))) throw authError(BAD_CREDENTIALS, 'bad device credentials');
    return { kind: 'device', deviceId: username };
  }

  async function listen(server: NetServer | HttpServer, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, opts.host, () => { server.off('error', reject); resolve(); });
    });
  }

  return {
    name: 'broker',

    async start() {
      broker = await Aedes.createBroker({
        authenticate: (client, username, password, done) => {
          identify(client, username, password).then(
            (identity) => { identities.set(client, identity); done(null, true); },
            (err: AuthenticateError) => {
              metrics.mqttAuthFailures.inc({ reason: (err.returnCode as number) === BAD_CREDENTIALS ? 'credentials' : 'identity' });
              log.debug({ clientId: client.id, reason: err.message }, 'mqtt login refused');
              done(err, false);
            },
          );
        },
        authorizePublish: (client, packet, done) => {
          const identity = client ? identities.get(client) : undefined;
          if (client && (!identity || !mayPublish(identity, packet.topic))) {
            metrics.mqttDenied.inc({ action: 'publish' });
            log.debug({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused');
            done(new Error('publish not authorized')); // Aedes closes the connection (3.1.1 has no negative PUBACK)
            return;
          }
          done(null);
        },
        authorizeSubscribe: (client, sub, done) => {
          const identity = identities.get(client);
          if (!identity || !maySubscribe(identity, sub.topic)) {
            metrics.mqttDenied.inc({ action: 'subscribe' });
            done(null, null); // SUBACK 0x80 for this filter
            return;
          }
          done(null, sub);
        },
      });
      broker.on('client', () => metrics.mqttConnections.inc());
      broker.on('clientDisconnect', () => metrics.mqttConnections.dec());
      broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'mqtt client error'));
      broker.on('connectionError', (client, err) => log.debug({ clientId: client.id, err }, 'mqtt connection error'));
      const b = broker;
      tcp = createNetServer((socket) => b.handle(socket));
      await listen(tcp, opts.port);
      if (opts.wsPort !== undefined) {
        http = createHttpServer((_req, res) => { res.writeHead(426).end('MQTT over WebSocket only'); });
        wss = new WebSocketServer({ server: http });
        wss.on('connection', (ws, req) => b.handle(createWebSocketStream(ws), req));
        await listen(http, opts.wsPort);
      }
      if (opts.allowAnonymous) log.warn('MQTT_ALLOW_ANONYMOUS=true: clients without credentials are accepted — local experiments only');
      log.info({ tcp: this.addresses().tcp, ws: this.addresses().ws }, 'mqtt broker listening');
    },

    addresses() {
      const tcpPort = (tcp?.address() as AddressInfo | null)?.port ?? 0;
      const wsPort = (http?.address() as AddressInfo | null)?.port;
      return { tcp: tcpPort, ws: wsPort };
    },

    isReady() {
      return broker !== undefined && !broker.closed && tcp?.listening === true;
    },

    disconnect(deviceId: string) {
      const clients = (broker as unknown as { clients?: Record<string, Client> } | undefined)?.clients;
      const client = clients?.[deviceId];
      if (!client) return false;
      client.close();
      return true;
    },

    stop() {
      stopped ??= (async () => {
        const closing = [tcp, http].filter((s): s is NetServer | HttpServer => s !== undefined).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        wss?.close();
        if (broker) await new Promise<void>((resolve) => broker!.close(() => resolve()));
        await Promise.all(closing);
      })();
      return stopped;
    },
  };
}
