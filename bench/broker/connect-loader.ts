// One load-generator process of bench/broker/operator.ts: opens authenticated MQTT connections (CONNECT with
// the device's own credentials → CONNACK 0) for a range of bench devices and keeps them open, idle. Several run
// side by side so the load generator is not what limits the connect rate. Keepalive 600 s: the idle devices
// never have to ping during a measurement.
// `--loader wire` of operator.ts (lean-connect-loader.ts is the default since issue 19: less CPU per connection).
// Protocol (IPC) and CONNECTs: bench/broker/loader-ipc.ts.
import type { Socket } from 'node:net';
import { openMqtt } from '../../firmware-sim/loadgen-wire.js';
import { connectPackets, now, reportConnected, serveLoader, type Go } from './loader-ipc.js';

const sockets: Socket[] = [];

async function connectAll(go: Go): Promise<void> {
  const packets = connectPackets(go);
  const cpu0 = process.cpuUsage();
  const first = now();
  let last = first;
  let failed = 0;
  const errors = new Map<string, number>();
  let next = go.from;
  async function worker(): Promise<void> {
    while (next < go.to) {
      const i = next++;
      try {
        const c = await openMqtt(go.host, go.ports[i % go.ports.length]!, packets[i - go.from]!);
        c.socket.on('error', () => undefined);
        sockets.push(c.socket);
        last = now();
      } catch (err) {
        failed++;
        const key = (err as Error).message;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(go.inFlight, go.to - go.from) }, worker));
  reportConnected(first, last, cpu0, failed, errors);
}

serveLoader(connectAll, sockets);
