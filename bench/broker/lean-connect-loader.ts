// The lean load generator of bench/broker/operator.ts (`--loader lean`, the default since issue 19's connect work):
// the same job as connect-loader.ts (`--loader wire`) — device i opens a TCP connection, sends a CONNECT with its
// own client id, user name and secret, and counts as connected only when a CONNACK with return code 0 arrives;
// the socket then stays open and idle — with less of the loader's own CPU per connection, because on a 2-core
// machine every loader cycle is one the broker under test does not get. Per connection connect-loader.ts has a
// Promise, a 30 s timer, a frame reader closure and three listeners of its own; here the CONNECTs are encoded
// once before the clock starts (as there), every socket shares one 'data', 'error' and 'close' function, and one
// timer per process fails the connections still waiting for their CONNACK after TIMEOUT_MS.
// The CONNACK is read exactly: fixed header 0x20, remaining length 2, acknowledge flags with only bit 0 (Session
// Present) allowed, return code 0 (MQTT 3.1.1 §3.2); anything else — another packet first, a refusal, a close or an
// error before it — counts the device as failed, with the reason. Bytes after the CONNACK are not expected (no
// subscription; keepalive 600 s, so no PINGREQ is due within a measurement, and the broker's own keepalive limit
// closes nothing before 1.5 × 600 s) and are counted as `unexpected`, never as a connect.
// Protocol (IPC) and CONNECTs: bench/broker/loader-ipc.ts, as connect-loader.ts.
import { Socket } from 'node:net';
import { connackRefusal } from './connack.js';
import { connectPackets, now, reportConnected, serveLoader, type Go } from './loader-ipc.js';

const TIMEOUT_MS = 30_000;

const enum Phase { Waiting, Connected, Failed }

/** Per socket: its phase and the CONNACK bytes read so far (a CONNACK split over reads is rare but legal). */
interface Lean extends Socket { phase: Phase; got: number[] | undefined; startedAt: number }

const sockets: Lean[] = [];

function run(go: Go): Promise<void> {
  const packets = connectPackets(go);
  const errors = new Map<string, number>();
  let failed = 0;
  let connected = 0;
  let unexpected = 0;
  let next = go.from;
  let open = 0;
  let last = 0;
  const total = go.to - go.from;
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });

  function settle(s: Lean, refusal: string): void {
    if (s.phase !== Phase.Waiting) return;
    open--;
    if (refusal === '') {
      s.phase = Phase.Connected;
      connected++;
      last = now();
    } else {
      s.phase = Phase.Failed;
      failed++;
      errors.set(refusal, (errors.get(refusal) ?? 0) + 1);
      s.destroy();
    }
    if (connected + failed === total) finish();
    else startMore();
  }

  function onData(this: Lean, chunk: Buffer): void {
    if (this.phase !== Phase.Waiting) {
      unexpected++;
      return;
    }
    let at = 0;
    if (this.got === undefined && chunk.length >= 4) {
      at = 4;
      settle(this, connackRefusal(chunk[0]!, chunk[1]!, chunk[2]!, chunk[3]!));
    } else {
      const got = (this.got ??= []);
      while (got.length < 4 && at < chunk.length) got.push(chunk[at++]!);
      if (got.length === 4) settle(this, connackRefusal(got[0]!, got[1]!, got[2]!, got[3]!));
    }
    if (at < chunk.length && (this.phase as Phase) === Phase.Connected) unexpected++;
  }
  function onError(this: Lean, err: Error): void { settle(this, err.message); }
  function onClose(this: Lean): void { settle(this, 'connection closed before CONNACK'); }

  function startMore(): void {
    while (open < go.inFlight && next < go.to) {
      const i = next++;
      const s = new Socket() as Lean;
      s.phase = Phase.Waiting;
      s.got = undefined;
      s.startedAt = Date.now();
      s.on('data', onData);
      s.on('error', onError);
      s.on('close', onClose);
      s.setNoDelay(true);
      s.connect(go.ports[i % go.ports.length]!, go.host);
      s.write(packets[i - go.from]!);
      sockets.push(s);
      open++;
    }
  }

  const cpu0 = process.cpuUsage();
  const first = now();
  const timer = setInterval(() => {
    const limit = Date.now() - TIMEOUT_MS;
    for (const s of sockets) if (s.phase === Phase.Waiting && s.startedAt < limit) settle(s, 'CONNACK timed out');
  }, 1000);
  startMore();
  return done.then(() => {
    clearInterval(timer);
    if (unexpected > 0) errors.set('bytes after the CONNACK', unexpected);
    reportConnected(first, last || first, cpu0, failed, errors);
  });
}

serveLoader(run, sockets);
