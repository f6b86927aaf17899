// The TLS listener (MQTT_TLS_PORT, MQTT_TLS_CERT, MQTT_TLS_KEY) with a self-signed certificate made by
// openssl in the test, and optional client certificates (MQTT_TLS_CA): a device's certificate must be
// signed by that CA and name the device (CN = username).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision, reading, storedCount } from '../helpers/broker-witness.js';
import { eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const dir = mkdtempSync(join(tmpdir(), 'ruong-tls-'));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed server certificate for 127.0.0.1 (also the CA of the client certificates below). */
function serverCertificate(): void {
  openssl('req', '-x509', ...ecKey, '-keyout', 'server.key', '-out', 'server.crt', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign,digitalSignature');
}

function clientCertificate(name: string): { key: Buffer; cert: Buffer } {
  openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(path('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'server.crt', '-CAkey', 'server.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', 'client.ext');
  return { key: readFileSync(path(`${name}.key`)), cert: readFileSync(path(`${name}.crt`)) };
}

serverCertificate();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tlsUrl = (p: TestPlatform) => `mqtts://127.0.0.1:${p.mqttTlsPort()}`;
const tlsEnv = { MQTT_TLS_PORT: '0', MQTT_TLS_CERT: path('server.crt'), MQTT_TLS_KEY: path('server.key') };

describe('MQTT over TLS', () => {
  let p: TestPlatform;
  beforeAll(async () => { p = await startTestPlatform(tlsEnv); });
  afterAll(async () => { await p?.close(); });

  it('stores a reading a device publishes over TLS, verifying the server certificate', async () => {
    const secret = await provision(p, 'tls-1');
    const device = await mqtt.connectAsync(tlsUrl(p), { clientId: 'tls-1', username: 'tls-1', password: secret, ca: readFileSync(path('server.crt')), reconnectPeriod: 0 });
    await device.publishAsync('devices/tls-1/up', reading(1), { qos: 1 });
    await device.endAsync();
    await eventually(async () => ((await storedCount(p, 'tls-1')) === 1 ? true : undefined), 10_000, 'the reading stored');
  });
});

describe('MQTT over TLS with client certificates (MQTT_TLS_CA)', () => {
  let p: TestPlatform;
  let secret: string;
  beforeAll(async () => {
    p = await startTestPlatform({ ...tlsEnv, MQTT_TLS_CA: path('server.crt') });
    secret = await provision(p, 'tls-2');
  });
  afterAll(async () => { await p?.close(); });

  const connect = (extra: mqtt.IClientOptions) =>
    mqtt.connectAsync(tlsUrl(p), { clientId: 'tls-2', username: 'tls-2', password: secret, ca: readFileSync(path('server.crt')), reconnectPeriod: 0, connectTimeout: 5000, ...extra });

  it('accepts a device with a certificate signed by the CA that names it', async () => {
    const device = await connect(clientCertificate('tls-2'));
    await device.publishAsync('devices/tls-2/up', reading(1), { qos: 1 });
    await device.endAsync();
  });

  it('refuses a device without a client certificate', async () => {
    await expect(connect({})).rejects.toThrow();
  });

  it('refuses a certificate that names another device (CONNACK 0x05)', async () => {
    await expect(connect(clientCertificate('someone-else'))).rejects.toThrow(/Not authorized/i);
  });
});
