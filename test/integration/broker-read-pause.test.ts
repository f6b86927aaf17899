// Backpressure (broker/read-pause.ts) over real sockets: with the emitter's backlog above the high mark the
// broker stops reading the devices' sockets and reads them again once it drains — and every acknowledged QoS 1
// message still arrives exactly once and in each device's order (the load generator counts them).
import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { Emitter } from '../../broker/emitter.js';
import { ConnectionGuard, type GuardSettings } from '../../broker/guarded-connection.js';
import { createMemoryPersistence } from '../../broker/memory-persistence.js';
import { HIGH_WATER, ReadPause } from '../../broker/read-pause.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { runLoad } from '../../firmware-sim/loadgen.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Aedes with our emitter delivering one message at a time and the guard holding reads over a small mark. */
async function slowBroker() {
  const emitter = new Emitter({ concurrency: 1 });
  let holds = 0;
  let emitted = 0;
  let maxBacklog = 0; // in the steady middle of the run: from the 800th message to the 1,800th of 2,000
  const emit = emitter.emit.bind(emitter);
  emitter.emit = (message, callback) => {
    emit(message, callback);
    if (++emitted > 800 && emitted <= 1800) maxBacklog = Math.max(maxBacklog, emitter.length);
    return emitter;
  };
  // No time limit on a hold here (the 250 ms cap has its unit test): on a starved machine the cap would release
  // holds by the clock and the backlog bound below would measure the machine, not the mechanism.
  const pause = new ReadPause(emitter, { highWater: 20, lowWater: 10, maxHoldMs: 600_000, onHold: () => { holds++; } });
  const aedes = await Aedes.createBroker({ mq: emitter, persistence: createMemoryPersistence() });
  const settings: GuardSettings = { maxPacketBytes: 65_536, holdAcks: false, onVerdict: () => undefined, readPause: pause };
  const server: Server = createServer((socket) => {
    new ConnectionGuard(socket, settings, undefined, undefined);
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    pause.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, pause, stats: () => ({ holds, maxBacklog }) };
}

describe('reads held while the delivery backlog is high', () => {
  it('holds the devices, bounds the backlog, and loses, repeats or reorders no QoS 1 message', async () => {
    const { port, pause, stats } = await slowBroker();
    const devices = 20;
    const window = 20; // unacknowledged per device: up to 400 messages in flight
    const result = await runLoad({
      host: '127.0.0.1', port, devices, messagesPerDevice: 100, qos: 1, window,
      device: (i) => ({ clientId: `hold-${i}` }), subscriber: { clientId: 'hold-ingest' }, idleTimeoutMs: 5000,
    });
    expect(result).toMatchObject({ completed: true, delivered: 2000, acked: 2000, lostAcked: 0, duplicates: 0, outOfOrder: 0, unknown: 0, errors: 0 });
    expect(stats().holds).toBeGreaterThan(0);
    // Without the hold every device's window waits in the emitter at once (406 measured: the PUBACK goes out
    // before delivery); with it, the mark plus about one chunk (29 measured).
    expect(stats().maxBacklog).toBeLessThan((devices * window) / 4);
    expect(pause.size).toBe(0); // every held connection was read again
  });
});

describe('our broker service', () => {
  let broker: BrokerService | undefined;
  afterEach(async () => { await broker?.stop(); });

  it('counts held reads in its metrics under a burst, with zero loss', async () => {
    const metrics = createMetrics();
    broker = createBrokerService({
      auth: { verifyDevice: () => Promise.resolve(false), verifyService: () => Promise.resolve(false) },
      log: silentLogger(), metrics, host: '127.0.0.1', port: 0, allowAnonymous: true,
    });
    await broker.start();
    const devices = 200;
    const window = 20; // 4,000 messages in flight: twice the high mark
    expect(devices * window).toBeGreaterThan(HIGH_WATER);
    const result = await runLoad({
      host: '127.0.0.1', port: broker.addresses().tcp, devices, messagesPerDevice: 50, qos: 1, window,
      device: (i) => ({ clientId: `burst-${i}` }), subscriber: { clientId: 'burst-ingest' }, idleTimeoutMs: 5000,
    });
    expect(result).toMatchObject({ completed: true, delivered: 10_000, lostAcked: 0, duplicates: 0, outOfOrder: 0, errors: 0 });
    const held = (await metrics.mqttReadHolds.get()).values[0]?.value ?? 0;
    expect(held).toBeGreaterThan(0);
  });
});
