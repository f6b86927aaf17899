// PUBACKs wait until the message they acknowledge is persisted, in order; other bytes pass.
import { describe, expect, it } from 'vitest';
import { AckGate } from '../../../broker/ack-gate.js';

const puback = (id: number) => Buffer.from([0x40, 0x02, id >> 8, id & 0xff]);
const pingresp = Buffer.from([0xd0, 0x00]);
const publish = Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69]);

/** A gate whose passed-on bytes are collected; `took()` returns and forgets them. */
function gateWithOutput() {
  let passed: Buffer[] = [];
  const gate = new AckGate((bytes) => passed.push(bytes));
  const took = (): Buffer[] => {
    const out = passed;
    passed = [];
    return out;
  };
  return {
    gate,
    write: (chunk: Buffer) => (gate.write(chunk), took()),
    release: (messageId: number) => (gate.release(messageId), took()),
  };
}

describe('AckGate', () => {
  it('passes a PUBACK nobody waits for, and every other packet', () => {
    const { write } = gateWithOutput();
    expect(Buffer.concat(write(Buffer.concat([pingresp, puback(3), publish])))).toEqual(Buffer.concat([pingresp, puback(3), publish]));
  });

  it('holds a PUBACK until its message is released, and what follows it', () => {
    const { gate, write, release } = gateWithOutput();
    gate.expect(7);
    expect(Buffer.concat(write(Buffer.concat([pingresp, puback(7), publish])))).toEqual(pingresp);
    expect(gate.holding).toBe(true);
    expect(Buffer.concat(release(7))).toEqual(Buffer.concat([puback(7), publish]));
    expect(gate.holding).toBe(false);
  });

  it('keeps PUBACKs in order: a released one waits behind a held one (MQTT-4.6.0-2)', () => {
    const { gate, write, release } = gateWithOutput();
    gate.expect(1);
    gate.expect(2);
    expect(write(puback(1))).toEqual([]);
    expect(write(puback(2))).toEqual([]);
    expect(release(2)).toEqual([]);
    expect(Buffer.concat(release(1))).toEqual(Buffer.concat([puback(1), puback(2)]));
  });

  it('recognises a PUBACK written in pieces (Aedes writes header, length and id separately)', () => {
    const { gate, write, release } = gateWithOutput();
    gate.expect(258);
    const bytes = puback(258);
    expect(write(bytes.subarray(0, 1))).toEqual([]);
    expect(write(bytes.subarray(1, 2))).toEqual([]);
    expect(write(bytes.subarray(2))).toEqual([]);
    expect(Buffer.concat(release(258))).toEqual(bytes);
  });

  it('does not mistake a 0x40 byte inside a payload for a PUBACK', () => {
    const { gate, write } = gateWithOutput();
    gate.expect(1);
    const withAt = Buffer.from([0x30, 0x04, 0x00, 0x01, 0x61, 0x40]);
    expect(Buffer.concat(write(withAt))).toEqual(withAt);
  });
});
