// What every wire format of a simulated device shares. A format turns one or more entries (a backlog)
// into one MQTT message on the topic that format uses.
import type { Entry } from '../sampler.js';

export type { Entry };

export interface EncodeContext {
  readonly deviceId: string;
  /** When the message leaves the device (simulated epoch ms): a device without a clock times its readings from it. */
  readonly sentAtMs: number;
  /** False for a device without a real-time clock: it knows how long ago it sampled, not when. */
  readonly rtc: boolean;
}

export interface MqttFormat {
  readonly name: 'native' | 'senml' | 'thingsboard';
  topic(deviceId: string): string;
  encode(entries: readonly Entry[], ctx: EncodeContext): string;
  /** Whether the device announces itself on devices/{id}/status (retained online, last will offline). */
  readonly statusTopic: boolean;
}
