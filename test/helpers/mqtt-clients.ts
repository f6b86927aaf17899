// Third-party MQTT clients for interoperability tests: Debian's mosquitto-clients (mosquitto_pub,
// mosquitto_sub) and Python paho-mqtt (Debian python3-paho-mqtt; its 1.6 and 2.x APIs differ, the script
// below speaks both). Without them the interop suite is skipped, unless REQUIRE_MQTT_CLIENTS=1 (CI).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const mosquittoPub = process.env.MOSQUITTO_PUB_BIN ?? '/usr/bin/mosquitto_pub';
const mosquittoSub = process.env.MOSQUITTO_SUB_BIN ?? '/usr/bin/mosquitto_sub';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first python3 that can import paho (Debian's /usr/bin/python3 before whatever is first on PATH). */
function findPython(): string | undefined {
  for (const candidate of [process.env.PAHO_PYTHON, '/usr/bin/python3', 'python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import paho.mqtt.client'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

export const pahoPython = findPython();

export function mqttClientsAvailable(): boolean {
  const missing = [
    ...(executable(mosquittoPub) && executable(mosquittoSub) ? [] : ['mosquitto-clients']),
    ...(pahoPython ? [] : ['python3-paho-mqtt']),
  ];
  if (missing.length === 0) return true;
  if (process.env.REQUIRE_MQTT_CLIENTS === '1') throw new Error(`REQUIRE_MQTT_CLIENTS=1 but ${missing.join(' and ')} missing; apt-get install -y ${missing.join(' ')}`);
  return false;
}

export interface Run {
  /** Resolves with the exit code and everything printed. */
  readonly done: Promise<{ code: number | null; output: string }>;
  output(): string;
  kill(): void;
}

function run(command: string, args: string[], timeoutMs = 20_000): Run {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    resolve({ code, output });
  }));
  return { done, output: () => output, kill: () => child.kill('SIGKILL') };
}

export interface DeviceLogin {
  readonly port: number;
  readonly deviceId: string;
  readonly secret: string;
}

const mosquittoLogin = (l: DeviceLogin) => ['-h', '127.0.0.1', '-p', String(l.port), '-i', l.deviceId, '-u', l.deviceId, '-P', l.secret, '-V', 'mqttv311'];

export function mosquittoPublish(l: DeviceLogin, topic: string, message: string, qos: 0 | 1): Run {
  return run(mosquittoPub, [...mosquittoLogin(l), '-t', topic, '-m', message, '-q', String(qos)]);
}

/**
 * mosquitto_sub -d prints "received SUBACK" once subscribed, then the first message, and exits (-C 1).
 * Its stdout is block-buffered into a pipe: stdbuf (coreutils) makes it line-buffered so the SUBACK line
 * arrives when it happens.
 */
export function mosquittoSubscribe(l: DeviceLogin, topic: string, qos: 0 | 1): Run {
  return run('stdbuf', ['-oL', mosquittoSub, ...mosquittoLogin(l), '-t', topic, '-q', String(qos), '-C', '1', '-W', '15', '-d']);
}

const pahoScript = `
import sys
import paho.mqtt.client as mqtt
mode, port, cid, secret, topic, qos, payload = sys.argv[1:8]
kw = dict(client_id=cid, protocol=mqtt.MQTTv311)
# paho 2.x needs the callback API version first; 1.6 has no such argument
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kw) if hasattr(mqtt, "CallbackAPIVersion") else mqtt.Client(**kw)
c.username_pw_set(cid, secret)
def on_connect(cl, userdata, flags, rc):
    if rc != 0:
        print("REFUSED", rc, flush=True)
        cl.disconnect()
    elif mode == "pub":
        cl.publish(topic, payload, qos=int(qos))
    else:
        cl.subscribe(topic, int(qos))
def on_publish(cl, userdata, mid):
    print("PUBLISHED", flush=True)
    cl.disconnect()
def on_subscribe(cl, userdata, mid, granted):
    print("SUBSCRIBED", list(granted), flush=True)
def on_message(cl, userdata, msg):
    print("MESSAGE", msg.topic, msg.qos, msg.payload.decode(), flush=True)
    cl.disconnect()
c.on_connect, c.on_publish, c.on_subscribe, c.on_message = on_connect, on_publish, on_subscribe, on_message
c.connect("127.0.0.1", int(port), 30)
c.loop_forever()
`;

export function pahoPublish(l: DeviceLogin, topic: string, message: string, qos: 0 | 1): Run {
  return run(pahoPython ?? 'python3', ['-c', pahoScript, 'pub', String(l.port), l.deviceId, l.secret, topic, String(qos), message]);
}

export function pahoSubscribe(l: DeviceLogin, topic: string, qos: 0 | 1): Run {
  return run(pahoPython ?? 'python3', ['-c', pahoScript, 'sub', String(l.port), l.deviceId, l.secret, topic, String(qos), '']);
}

/** Waits until the run printed `text` (or exited). */
export async function printed(r: Run, text: string): Promise<void> {
  let exited = false;
  void r.done.then(() => { exited = true; });
  while (!r.output().includes(text)) {
    if (exited) throw new Error(`exited before printing "${text}":\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
