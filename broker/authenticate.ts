// Who is connecting: a device (username = client id = device id, per-device secret), a service (the ingest,
// a LoRaWAN network server: client id starting with the service name, service secret) or, only when
// MQTT_ALLOW_ANONYMOUS=true, an anonymous client. A refusal carries the CONNACK return code to send.
import type { AuthenticateError } from 'aedes';
import { isValidDeviceId } from '../core/telemetry/topics.js';
import { SERVICE_NAMES, isReservedClientId, mayUseWill, type Identity } from './acl.js';

export interface BrokerAuth {
  verifyDevice(deviceId: string, secret: string): Promise<boolean>;
  verifyService(name: string, secret: string): Promise<boolean>;
  /** Used to keep anonymous clients off registered devices' client ids. */
  deviceContext?(deviceId: string): Promise<unknown>;
}

export const BAD_CREDENTIALS = 4; // MQTT 3.1.1 CONNACK return code 0x04
export const NOT_AUTHORIZED = 5; // 0x05

export interface ConnectAttempt {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  readonly willTopic: string | undefined;
  /** Subject CN of the TLS client certificate, when one was verified. */
  readonly peerCommonName: string | undefined;
  /** Identity of the live session this client id already has, if any. */
  readonly liveIdentity: Identity | undefined;
}

export function authError(returnCode: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  (err as { returnCode: number }).returnCode = returnCode;
  return err;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  if (a.kind === 'device' && b.kind === 'device') return a.deviceId === b.deviceId;
  if (a.kind === 'service' && b.kind === 'service') return a.name === b.name;
  return a.kind === 'anonymous' && b.kind === 'anonymous';
}

/** Anonymous clients and services (devices: authenticateClient, without an async layer of their own). */
async function otherIdentity(auth: BrokerAuth, allowAnonymous: boolean, a: ConnectAttempt): Promise<Identity> {
  if (a.username === undefined) {
    if (!allowAnonymous) throw authError(NOT_AUTHORIZED, 'anonymous clients are not allowed');
    // An anonymous client may not use a device's or a service's client id (it would take over its session).
    if (isReservedClientId(a.clientId) || (await auth.deviceContext?.(a.clientId)) !== undefined) throw authError(NOT_AUTHORIZED, 'client id belongs to a device or service');
    return { kind: 'anonymous' };
  }
  if (!a.clientId.startsWith(a.username) || !(await auth.verifyService(a.username, a.password?.toString('utf8') ?? ''))) throw authError(BAD_CREDENTIALS, 'bad service credentials');
  return { kind: 'service', name: a.username };
}

/** Resolves the identity or rejects with an AuthenticateError carrying the CONNACK return code. */
export async function authenticateClient(auth: BrokerAuth, allowAnonymous: boolean, a: ConnectAttempt): Promise<Identity> {
  let identity: Identity;
  if (a.username === undefined || SERVICE_NAMES.includes(a.username)) {
    identity = await otherIdentity(auth, allowAnonymous, a);
  } else {
    // The client id must equal the device id: another credential can never take over a device's session.
    if (!isValidDeviceId(a.username) || isReservedClientId(a.username) || a.clientId !== a.username) {
      throw authError(NOT_AUTHORIZED, 'client id must equal the device id');
    }
    if (!(await auth.verifyDevice(a.username, a.password?.toString('utf8') ?? ''))) throw authError(BAD_CREDENTIALS, 'bad device credentials');
    identity = { kind: 'device', deviceId: a.username };
  }
  // A verified TLS client certificate must name the same client as the credentials.
  if (a.peerCommonName !== undefined && (a.username === undefined || a.peerCommonName !== a.username)) {
    throw authError(NOT_AUTHORIZED, 'client certificate CN does not match the username');
  }
  // The last will is authorized like a publish, at CONNECT time (Aedes would only check it when publishing it).
  if (a.willTopic !== undefined && !mayUseWill(identity, a.willTopic)) throw authError(NOT_AUTHORIZED, 'last will topic not allowed');
  if (a.liveIdentity && !sameIdentity(a.liveIdentity, identity)) throw authError(NOT_AUTHORIZED, 'client id is in use by another identity');
  return identity;
}
