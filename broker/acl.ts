// Who may connect, publish and subscribe (least privilege, architecture.md wire contract):
// - a device: username = client id = its device id; publishes only devices/{id}/up and /status,
//   subscribes only devices/{id}/down;
// - the ingest service: subscribes devices/+/up and devices/+/status, publishes devices/+/down.
import { topics } from '../core/telemetry/topics.js';

export const INGEST_SERVICE = 'ruong-ingest';

export type Identity =
  | { readonly kind: 'device'; readonly deviceId: string }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'anonymous' };

export function mayPublish(identity: Identity, topic: string): boolean {
  switch (identity.kind) {
    case 'device':
      return topic === topics.up(identity.deviceId) || topic === topics.status(identity.deviceId);
    case 'service':
      return identity.name === INGEST_SERVICE && /^devices\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/down$/.test(topic);
    case 'anonymous':
      return !topic.startsWith('$');
  }
}

export function maySubscribe(identity: Identity, filter: string): boolean {
  switch (identity.kind) {
    case 'device':
      return filter === topics.down(identity.deviceId);
    case 'service':
      return identity.name === INGEST_SERVICE && (filter === topics.allUp || filter === 'devices/+/status');
    case 'anonymous':
      return !filter.startsWith('$') && filter !== '#';
  }
}
