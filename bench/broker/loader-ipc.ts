// What both connect loaders of bench/broker/operator.ts share (connect-loader.ts `--loader wire`,
// lean-connect-loader.ts `--loader lean`): the IPC protocol with operator.ts and the CONNECT each device sends.
// Protocol: → {type:'ready'}; ← {type:'go', host, ports, from, to, inFlight, runKey} → {type:'connected', first, last,
// cpuMs, userMs, systemMs, failed, errors}; ← {type:'close'} → closes every socket and exits.
import type { Socket } from 'node:net';
import { encodeConnect } from '../../firmware-sim/loadgen-wire.js';
import { benchDeviceId } from './brokers.js';
import { operatorSecret } from './operator-secrets.js';

export interface Go {
  readonly type: 'go';
  readonly host: string;
  /** Device i connects to ports[i % ports.length] (several brokers: round-robin). */
  readonly ports: readonly number[];
  readonly from: number;
  readonly to: number;
  readonly inFlight: number;
  readonly runKey: string;
}

export const now = (): number => performance.timeOrigin + performance.now();

/** The CONNECT of every device of the range, encoded before the clock starts (index i − go.from). */
export function connectPackets(go: Go): Buffer[] {
  const packets: Buffer[] = [];
  for (let i = go.from; i < go.to; i++) {
    const id = benchDeviceId(i);
    packets.push(encodeConnect({ clientId: id, username: id, password: operatorSecret(go.runKey, i) }, true));
  }
  return packets;
}

/** Sends the 'connected' report: the first CONNECT and last CONNACK times, the loader's CPU since `cpu0`, failures. */
export function reportConnected(first: number, last: number, cpu0: NodeJS.CpuUsage, failed: number, errors: Map<string, number>): void {
  const cpu = process.cpuUsage(cpu0);
  process.send?.({ type: 'connected', first, last, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, failed, errors: Object.fromEntries(errors) });
}

/** Answers operator.ts: `run` on 'go', every socket closed on 'close'; exits with the parent. */
export function serveLoader(run: (go: Go) => Promise<void>, sockets: readonly Socket[]): void {
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'go') void run(msg as Go);
    else if (msg.type === 'close') {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready' });
}
