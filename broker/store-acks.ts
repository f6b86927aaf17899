// "Acknowledged only once stored" without Redis (issue 14). MQTT-4.3.2-2 lets the receiver of a QoS 1 PUBLISH
// send PUBACK once it has accepted ownership; a device deletes the reading from its buffer when the PUBACK comes.
// With the in-memory persistence the broker's copy dies with the process, so ownership is only safe once the
// ingest has the message in the store (or fsynced in its spool): the ingest PUBACKs its copy exactly then.
// So a message queued for one of the ingest's durable sessions carries an AckHold, and the publisher's PUBACK
// (held by broker/ack-gate.ts, in order per MQTT-4.6.0-2) goes out when every such session has acknowledged its
// copy. A message no ingest session takes (status, downlinks) is acknowledged at once, as before.
// The ingest's sessions are created when the broker starts (memory-persistence.ts `createSessions`), so uplinks
// that arrive before the ingest (re)connects queue for it instead of being acknowledged and dropped.
import type { Client } from 'aedes';

export class AckHold {
  /** Ingest sessions that still have to acknowledge their copy. */
  remaining = 0;

  constructor(
    readonly publisher: Client,
    readonly messageId: number,
  ) {}
}

/** A queued copy of a message (aedes-packet) that may carry the hold of its publisher's PUBACK. */
export interface HoldingPacket {
  hold?: AckHold | undefined;
}
