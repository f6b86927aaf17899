// Who may connect, and as whom (broker/authenticate.ts), against a fake registry.
import { describe, expect, it } from 'vitest';
import { authenticateClient, type BrokerAuth, type ConnectAttempt } from '../../../broker/authenticate.js';

const auth: BrokerAuth = {
  verifyDevice: (id, secret) => Promise.resolve(secret === `${id}-secret`),
  verifyService: (name, secret) => Promise.resolve(secret === `${name}-secret`),
  deviceContext: (id) => Promise.resolve(id === 'probe-1' ? { revoked: false } : undefined),
};
const attempt = (a: Partial<ConnectAttempt>): ConnectAttempt => ({
  clientId: 'probe-1', username: 'probe-1', password: Buffer.from('probe-1-secret'), willTopic: undefined, peerCommonName: undefined, liveIdentity: undefined, ...a,
});
const code = (p: Promise<unknown>) => p.then(() => 0, (e: { returnCode: number }) => e.returnCode);

describe('authenticateClient', () => {
  it('accepts a device whose client id is its device id and whose secret matches', async () => {
    expect(await authenticateClient(auth, false, attempt({}))).toEqual({ kind: 'device', deviceId: 'probe-1' });
  });

  it('refuses a device whose client id differs (no takeover of another session) with 0x05', async () => {
    expect(await code(authenticateClient(auth, false, attempt({ clientId: 'probe-2' })))).toBe(5);
  });

  it('refuses a wrong secret with 0x04', async () => {
    expect(await code(authenticateClient(auth, false, attempt({ password: Buffer.from('nope') })))).toBe(4);
  });

  it('refuses anonymous clients unless allowed, and never on a device\'s or service\'s client id', async () => {
    expect(await code(authenticateClient(auth, false, attempt({ clientId: 'tool', username: undefined, password: undefined })))).toBe(5);
    expect(await authenticateClient(auth, true, attempt({ clientId: 'tool', username: undefined, password: undefined }))).toEqual({ kind: 'anonymous' });
    expect(await code(authenticateClient(auth, true, attempt({ username: undefined, password: undefined })))).toBe(5);
    expect(await code(authenticateClient(auth, true, attempt({ clientId: 'ruong-ingest', username: undefined, password: undefined })))).toBe(5);
  });

  it('accepts a service only with a client id starting with its name', async () => {
    const lns = { username: 'ruong-lns', password: Buffer.from('ruong-lns-secret') };
    expect(await authenticateClient(auth, false, attempt({ ...lns, clientId: 'ruong-lns-chirpstack' }))).toEqual({ kind: 'service', name: 'ruong-lns' });
    expect(await code(authenticateClient(auth, false, attempt({ ...lns, clientId: 'probe-1' })))).toBe(4);
  });

  it('refuses device ids reserved for services', async () => {
    expect(await code(authenticateClient(auth, false, attempt({ clientId: 'ruong-x', username: 'ruong-x', password: Buffer.from('ruong-x-secret') })))).toBe(5);
  });

  it('authorizes the last will like a publish: only the device\'s own status topic', async () => {
    expect(await authenticateClient(auth, false, attempt({ willTopic: 'devices/probe-1/status' }))).toMatchObject({ kind: 'device' });
    expect(await code(authenticateClient(auth, false, attempt({ willTopic: 'devices/probe-2/status' })))).toBe(5);
  });

  it('requires a TLS client certificate\'s CN to be the username', async () => {
    expect(await authenticateClient(auth, false, attempt({ peerCommonName: 'probe-1' }))).toMatchObject({ kind: 'device' });
    expect(await code(authenticateClient(auth, false, attempt({ peerCommonName: 'probe-2' })))).toBe(5);
  });

  it('refuses a client id whose live session belongs to another identity', async () => {
    const live = { kind: 'anonymous' } as const;
    expect(await code(authenticateClient(auth, false, attempt({ liveIdentity: live })))).toBe(5);
    expect(await authenticateClient(auth, false, attempt({ liveIdentity: { kind: 'device', deviceId: 'probe-1' } }))).toMatchObject({ kind: 'device' });
  });
});
