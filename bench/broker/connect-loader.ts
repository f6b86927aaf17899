// One load-generator process of bench/broker/operator.ts: opens authenticated MQTT connections (CONNECT with
// the device's own credentials → CONNACK 0) for a range of bench devices and keeps them open, idle. Several run
// side by side so the load generator is not what limits the connect rate. Keepalive 600 s: the idle devices
// never have to ping during a measurement.
// `--loader wire` of operator.ts (lean-connect-loader.ts is the default since issue 19: less CPU per connection).
// Protocol (IPC): ← {type:'go', host, ports, from, to, inFlight, sourceAddresses} → {type:'connected', first, last,
// cpuMs, userMs, systemMs, failed, errors}; ← {type:'close'} → closes every socket and exits.
import type { Socket } from 'node:net';
import { encodeConnect, openMqtt } from '../../firmware-sim/loadgen-wire.js';
import { benchDeviceId } from './brokers.js';
import { operatorSecret } from './operator-secrets.js';

interface Go {
  readonly type: 'go';
  readonly host: string;
  /** Device i connects to ports[i % ports.length] (several brokers: round-robin). */
  readonly ports: readonly number[];
  readonly from: number;
  readonly to: number;
  readonly inFlight: number;
  readonly runKey: string;
}

const sockets: Socket[] = [];
const now = (): number => performance.timeOrigin + performance.now();

async function connectAll(go: Go): Promise<void> {
  const packets = new Map<number, Buffer>();
  for (let i = go.from; i < go.to; i++) {
    const id = benchDeviceId(i);
    packets.set(i, encodeConnect({ clientId: id, username: id, password: operatorSecret(go.runKey, i) }, true));
  }
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
        const c = await openMqtt(go.host, go.ports[i % go.ports.length]!, packets.get(i)!);
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
  const cpu = process.cpuUsage(cpu0);
  process.send?.({ type: 'connected', first, last, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, failed, errors: Object.fromEntries(errors) });
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'go') void connectAll(msg as Go);
  else if (msg.type === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
