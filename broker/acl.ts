// Who may connect, publish and subscribe (least privilege, docs/architecture.md wire contract):
// - a device: username = client id = its device id; publishes only devices/{id}/up and /status,
//   subscribes only devices/{id}/down; its last will may only be its own devices/{id}/status;
// - the ingest service: subscribes devices/+/up, devices/+/status and the LoRaWAN network servers'
//   uplinks (application/#, v3/#), or its shard topics ingest/{n}/# when sharded; publishes devices/+/down;
// - the notification service (`ruong-notifier`, issue 7): publishes alerts/{farmId} for farmer apps, nothing else;
// - a LoRaWAN network server (service `ruong-lns`): publishes under application/# (ChirpStack v4) and
//   v3/# (The Things Stack) only, and may subscribe to their downlink command topics (docs/interop.md).
// - an anonymous client (MQTT_ALLOW_ANONYMOUS=true, local experiments): may send readings, never commands
//   (devices/+/down), LoRaWAN downlinks or alerts/…
// Nobody subscribes to `#` or to `$SYS`.
import { topics } from '../core/telemetry/topics.js';
import { interopSubscriptions, interopTopics } from '../core/telemetry/interop-topics.js';
import { isShardFilter } from '../core/telemetry/ingest-shards.js';

export const INGEST_SERVICE = 'ruong-ingest';
export const LNS_SERVICE = 'ruong-lns';
export const NOTIFIER_SERVICE = 'ruong-notifier';
/** Service credentials; client ids and device ids starting with `ruong-` are reserved for them. */
export const SERVICE_NAMES: readonly string[] = [INGEST_SERVICE, LNS_SERVICE, NOTIFIER_SERVICE];

export type Identity =
  | { readonly kind: 'device'; readonly deviceId: string }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'anonymous' };

const LNS_UPLINK_ROOTS = ['application', 'v3'];
const deviceDown = /^devices\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/down$/;
// ChirpStack v4: application/{applicationId}/device/{devEui}/command/down;
// The Things Stack v3: v3/{app}[@{tenant}]/devices/{deviceId}/down/push|replace.
const lnsDownlink = [/^application\/[^/#]+\/device\/[^/#]+\/command\/down$/, /^v3\/[^/#]+\/devices\/[^/#]+\/down\/(push|replace|\+)$/];

function underRoot(topic: string, root: string): boolean {
  return topic === root || topic.startsWith(`${root}/`);
}

const DEVICES_PREFIX = 'devices/';

/** topic === `devices/{deviceId}{suffix}` (topics.up / topics.status) without building the string: checked per PUBLISH. */
function isDeviceTopic(topic: string, deviceId: string, suffix: string): boolean {
  return topic.length === DEVICES_PREFIX.length + deviceId.length + suffix.length && topic.startsWith(DEVICES_PREFIX) &&
    topic.startsWith(deviceId, DEVICES_PREFIX.length) && topic.endsWith(suffix);
}

/** devices/{anything}/down[/…], a LoRaWAN downlink, alerts/…: topics only a service credential publishes. */
function isCommandOrServiceTopic(topic: string): boolean {
  const levels = topic.split('/');
  if (levels[0] === 'devices' && levels.length >= 3 && levels[2] === 'down') return true;
  if (underRoot(topic, 'alerts')) return true;
  return lnsDownlink.some((re) => re.test(topic));
}

export function mayPublish(identity: Identity, topic: string): boolean {
  switch (identity.kind) {
    case 'device':
      // v1/devices/me/telemetry: a ThingsBoard device; the broker rewrites it to devices/{id}/up/thingsboard (issue 4).
      return isDeviceTopic(topic, identity.deviceId, '/up') || isDeviceTopic(topic, identity.deviceId, '/status') || topic === interopTopics.thingsboardTelemetry;
    case 'service':
      if (identity.name === INGEST_SERVICE) return deviceDown.test(topic);
      if (identity.name === NOTIFIER_SERVICE) return /^alerts\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(topic);
      if (identity.name === LNS_SERVICE) return LNS_UPLINK_ROOTS.some((root) => underRoot(topic, root));
      return false;
    case 'anonymous':
      // MQTT_ALLOW_ANONYMOUS is for local experiments (`ruong sim` devices sending devices/{id}/up and /status,
      // conformance suites): readings yes, but never commands or what only a service sends — a pump's
      // devices/{id}/down, a network server's downlinks, farmer alerts — nor `$…` or the shard topics.
      return !topic.startsWith('$') && !topic.startsWith('ingest/') && !isCommandOrServiceTopic(topic);
  }
}

export function maySubscribe(identity: Identity, filter: string): boolean {
  switch (identity.kind) {
    case 'device':
      return filter === topics.down(identity.deviceId);
    case 'service':
      if (identity.name === INGEST_SERVICE) {
        // isShardFilter: one shard's session, or all shards for `ruong rules` (core/telemetry/ingest-shards.ts, issue 9).
        return filter === topics.allUp || filter === 'devices/+/status' || isShardFilter(filter) || LNS_UPLINK_ROOTS.some((root) => filter === `${root}/#`) || interopSubscriptions.includes(filter);
      }
      if (identity.name === LNS_SERVICE) return lnsDownlink.some((re) => re.test(filter));
      return false;
    case 'anonymous':
      return !filter.startsWith('$') && filter !== '#';
  }
}

/** The last will is authorized like a publish, and a device's will may only be its own status topic. */
export function mayUseWill(identity: Identity, topic: string): boolean {
  if (identity.kind === 'device') return topic === topics.status(identity.deviceId);
  return mayPublish(identity, topic);
}

/** True for client ids a device or an anonymous client may never use (reserved for services). */
export function isReservedClientId(clientId: string): boolean {
  return clientId.startsWith('ruong-');
}
