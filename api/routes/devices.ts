// Devices and their MQTT credentials (issue 3): list (every role, scoped like fields), provision, new secret,
// revoke, move to another field of the cooperative (PATCH, issue 16), choose the device profile its LoRaWAN uplinks are decoded with (issue 4). Writes: admins and
// technicians — README: technicians "manage devices" (issue 16). A secret is returned once and stored only hashed; a new secret or a
// revocation closes the device's live MQTT session at once through `disconnectDevice` (wired by cli/ to
// the broker — the API never imports it). Another cooperative's device is a 404.
import { Router } from 'express';
import { z } from 'zod';
import { isPrimaryKeyViolation, isUniqueViolation } from '../../core/db/sql-errors.js';
import { RuongError } from '../../core/errors.js';
import { deviceCredentials, isProvisionableDeviceId } from '../../core/registry/device-credentials.js';
import type { Registry } from '../../core/registry/registry.js';
import { DeviceKind } from '../../core/registry/type-schemas.js';
import type { User } from '../../core/registry/types.js';
import { DeviceProfile } from '../../core/telemetry/device-profile.js';
import { currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { visibleDevices } from '../scope.js';

/** Who manages devices (README roles): admins and technicians. */
const MANAGERS = ['admin', 'technician'] as const;

export const DeviceId = z.string().refine(isProvisionableDeviceId, 'must be 1–64 letters, digits, "-" or "_", not starting with "ruong-"');
export const DeviceParams = z.object({ id: DeviceId });
export type DeviceParams = z.infer<typeof DeviceParams>;

export const DeviceCreate = z.strictObject({
  fieldId: z.string().min(1).max(100),
  kind: DeviceKind,
  name: z.string().trim().min(1).max(100),
  id: DeviceId.optional(),
  /** LoRaWAN DevEUI (EUI-64, 16 hex digits); stored in lower case. */
  devEui: z.string().regex(/^[0-9A-Fa-f]{16}$/, 'must be 16 hexadecimal digits (EUI-64)').transform((s) => s.toLowerCase()).optional(),
  /** Device profile (GET /device-profiles): how its LoRaWAN codec's field names map to our metrics. */
  profileId: z.string().min(1).max(64).optional(),
});
export type DeviceCreate = z.infer<typeof DeviceCreate>;

export const DeviceCredentialsOut = z.object({
  deviceId: z.string(), username: z.string(), clientId: z.string(),
  secret: z.string().describe('shown only once; only its hash is stored'),
  topics: z.object({ publish: z.array(z.string()), subscribe: z.array(z.string()), will: z.string() }),
  brokerUrls: z.array(z.string()),
});
export type DeviceCredentialsOut = z.infer<typeof DeviceCredentialsOut>;

export const DeviceOut = z.object({
  id: z.string(), name: z.string(), kind: z.string(), fieldId: z.string(), fieldName: z.string(),
  devEui: z.string().nullable(), profileId: z.string().nullable(), revoked: z.boolean(), revokedAt: z.string().nullable(),
});
export type DeviceOut = z.infer<typeof DeviceOut>;

/** Move a device to another field of the cooperative (issue 16); its next reading belongs to that field. */
export const DeviceMove = z.strictObject({ fieldId: z.string().min(1).max(100) });

export const RevokedOut = z.object({ deviceId: z.string(), revoked: z.literal(true) });
export const DeviceProfileSet = z.strictObject({ profileId: z.string().min(1).max(64).nullable() });
export const DeviceProfileSetOut = z.object({ deviceId: z.string(), profileId: z.string().nullable() });
export const DeviceProfilesOut = z.object({ profiles: z.array(DeviceProfile) });

export const deviceEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/devices', tag: 'devices', summary: 'Devices the caller may see, with field, kind and revocation', response: z.object({ devices: z.array(DeviceOut) }) },
  { method: 'post', path: '/devices', tag: 'devices', summary: 'Provision a device in a field; returns its MQTT credentials once', body: DeviceCreate, response: DeviceCredentialsOut, status: 201, roles: MANAGERS },
  { method: 'post', path: '/devices/:id/rotate-secret', tag: 'devices', summary: 'Issue a new secret (returned once); the old one stops working and the live session is closed', params: DeviceParams, response: DeviceCredentialsOut, roles: MANAGERS },
  { method: 'post', path: '/devices/:id/revoke', tag: 'devices', summary: 'Revoke a device: it can no longer connect and its live session is closed', params: DeviceParams, response: RevokedOut, roles: MANAGERS },
  { method: 'get', path: '/device-profiles', tag: 'devices', summary: 'Device profiles: how a LoRaWAN codec\'s field names map to metrics (shared by all cooperatives)', response: DeviceProfilesOut },
  { method: 'put', path: '/devices/:id/profile', tag: 'devices', summary: 'Set (or clear, null) the device profile its uplinks are decoded with', params: DeviceParams, body: DeviceProfileSet, response: DeviceProfileSetOut, roles: MANAGERS },
  { method: 'patch', path: '/devices/:id', tag: 'devices', summary: 'Move a device to another field of the cooperative; its next reading belongs to that field (a revoked device: 409)', params: DeviceParams, body: DeviceMove, response: DeviceOut, roles: MANAGERS },
  { method: 'delete', path: '/devices/:id', tag: 'devices', summary: 'Same as revoke (the device and its readings are kept)', params: DeviceParams, status: 204, roles: MANAGERS },
];

export interface DeviceRouteDeps {
  readonly registry: Registry;
  /** Closes the device's live MQTT session (the broker, wired by cli/); absent when the API runs alone. */
  readonly disconnectDevice?: ((deviceId: string) => void) | undefined;
  /** Where devices connect, for their credentials. */
  readonly brokerUrls?: (() => readonly string[]) | undefined;
}

export function deviceRoutes(deps: DeviceRouteDeps): Router {
  const router = Router();
  const { registry } = deps;
  const urls = () => deps.brokerUrls?.() ?? [];

  /** The device, when it belongs to the caller's cooperative; else 404 (another tenant's id cannot be probed). */
  async function deviceOr404(user: User, id: string) {
    const ctx = await registry.deviceContext(id);
    if (!ctx || ctx.cooperativeId !== user.cooperativeId) throw new RuongError('NOT_FOUND', `device ${id} not found`);
    return ctx;
  }

  async function revoke(user: User, id: string): Promise<void> {
    requireRole(user, MANAGERS, 'revoking a device');
    await deviceOr404(user, id);
    await registry.revokeDevice(id); // false when it was already revoked: revoking is idempotent
    deps.disconnectDevice?.(id);
  }

  const deviceOut = async ({ device, field }: Awaited<ReturnType<typeof visibleDevices>>[number]): Promise<DeviceOut> => ({
    id: device.id, name: device.name, kind: device.kind, fieldId: device.fieldId, fieldName: field.name, devEui: device.devEui,
    profileId: (await registry.profileOfDevice(device.id))?.id ?? null,
    revoked: device.revokedAt !== null, revokedAt: device.revokedAt === null ? null : new Date(device.revokedAt).toISOString(),
  });

  router.get('/devices', async (req, res) => {
    res.json({ devices: await Promise.all((await visibleDevices(registry, currentUser(req))).map(deviceOut)) });
  });

  router.patch('/devices/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'moving a device');
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    const { fieldId } = parseOr400(DeviceMove, req.body, 'body');
    const device = await deviceOr404(user, id);
    if (!await registry.field(user, fieldId)) throw new RuongError('NOT_FOUND', `field ${fieldId} not found`);
    if (device.revoked) throw new RuongError('CONFLICT', `device ${id} is revoked`);
    await registry.moveDevice(id, fieldId); // drops the device's cached context: the ingest attributes its next reading to fieldId
    const moved = (await visibleDevices(registry, user)).find((d) => d.device.id === id);
    if (!moved) throw new RuongError('NOT_FOUND', `device ${id} not found`);
    res.json(await deviceOut(moved));
  });

  router.post('/devices', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'provisioning a device');
    const body = parseOr400(DeviceCreate, req.body, 'body');
    if (!await registry.field(user, body.fieldId)) throw new RuongError('NOT_FOUND', `field ${body.fieldId} not found`);
    if (body.profileId !== undefined && !await registry.deviceProfile(body.profileId)) throw new RuongError('NOT_FOUND', `device profile ${body.profileId} not found (GET /api/v1/device-profiles)`);
    let created: { deviceId: string; secret: string };
    try {
      created = await registry.provisionDevice({ id: body.id, fieldId: body.fieldId, kind: body.kind, name: body.name, devEui: body.devEui });
    } catch (err) {
      if (isUniqueViolation(err) && !isPrimaryKeyViolation(err)) throw new RuongError('CONFLICT', `DevEUI ${body.devEui} is already registered`);
      throw err;
    }
    if (body.profileId !== undefined) await registry.setDeviceProfile(created.deviceId, body.profileId);
    res.status(201).json(deviceCredentials(created.deviceId, created.secret, urls()));
  });

  router.post('/devices/:id/rotate-secret', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'issuing a device secret');
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    if ((await deviceOr404(user, id)).revoked) throw new RuongError('CONFLICT', `device ${id} is revoked`);
    const secret = await registry.rotateDeviceSecret(id);
    deps.disconnectDevice?.(id); // the session opened with the old secret ends now
    res.json(deviceCredentials(id, secret, urls()));
  });

  router.post('/devices/:id/revoke', async (req, res) => {
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    await revoke(currentUser(req), id);
    res.json({ deviceId: id, revoked: true });
  });

  router.get('/device-profiles', async (_req, res) => {
    res.json({ profiles: await registry.deviceProfiles() });
  });

  router.put('/devices/:id/profile', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'changing a device profile');
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    const { profileId } = parseOr400(DeviceProfileSet, req.body, 'body');
    await deviceOr404(user, id);
    await registry.setDeviceProfile(id, profileId); // NOT_FOUND when the profile does not exist
    res.json({ deviceId: id, profileId });
  });

  router.delete('/devices/:id', async (req, res) => {
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    await revoke(currentUser(req), id);
    res.status(204).end();
  });
  return router;
}
