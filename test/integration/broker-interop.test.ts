// Real third-party clients against the real broker, with device credentials: Debian's mosquitto_pub /
// mosquitto_sub and Python paho-mqtt publish readings (stored by the ingest) and receive commands, at QoS 0
// and 1. Required in CI (REQUIRE_MQTT_CLIENTS=1); skipped elsewhere only when the clients are missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision, reading, storedCount } from '../helpers/broker-witness.js';
import { mosquittoPublish, mosquittoSubscribe, mqttClientsAvailable, pahoPublish, pahoSubscribe, printed, type DeviceLogin, type Run } from '../helpers/mqtt-clients.js';
import { eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const clients = [
  { name: 'mosquitto_pub / mosquitto_sub', publish: mosquittoPublish, subscribe: mosquittoSubscribe, subscribed: 'received SUBACK' },
  { name: 'Python paho-mqtt', publish: pahoPublish, subscribe: pahoSubscribe, subscribed: 'SUBSCRIBED' },
];

describe.skipIf(!mqttClientsAvailable())('third-party MQTT clients', () => {
  let p: TestPlatform;
  let commander: MqttClient;
  let n = 0;

  beforeAll(async () => {
    p = await startTestPlatform();
    // Commands to devices go out with the ingest's service credential (it may publish devices/+/down).
    const secret = readFileSync(join(p.dataDir, 'ingest.secret'), 'utf8').trim();
    commander = await mqtt.connectAsync(p.mqttUrl, { clientId: 'ruong-ingest-interop', username: 'ruong-ingest', password: secret, reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await commander?.endAsync();
    await p?.close();
  });

  async function device(): Promise<DeviceLogin> {
    const deviceId = `interop-${++n}`;
    return { port: p.mqttPort(), deviceId, secret: await provision(p, deviceId) };
  }

  describe.each(clients)('$name', ({ publish, subscribe, subscribed }) => {
    it.each([0, 1] as const)('publishes a reading at QoS %i and it is stored', async (qos) => {
      const login = await device();
      const { code, output } = await publish(login, `devices/${login.deviceId}/up`, reading(1), qos).done;
      expect({ code, output: output.includes('REFUSED') ? output : '' }).toEqual({ code: 0, output: '' });
      await eventually(async () => ((await storedCount(p, login.deviceId)) === 1 ? true : undefined), 10_000, 'the reading stored');
    });

    it.each([0, 1] as const)('receives a command on its down topic at QoS %i', async (qos) => {
      const login = await device();
      const sub: Run = subscribe(login, `devices/${login.deviceId}/down`, qos);
      await printed(sub, subscribed);
      const command = JSON.stringify({ cmd: 'irrigate', mm: 25, n: qos });
      await commander.publishAsync(`devices/${login.deviceId}/down`, command, { qos });
      const { code, output } = await sub.done;
      expect({ code, received: output.includes(command) }, output).toEqual({ code: 0, received: true });
    });
  });
});
