// bench/broker/connack.ts: the lean connect loader counts a device as connected only for an accepting CONNACK.
import { describe, expect, it } from 'vitest';
import { connackRefusal } from '../../../bench/broker/connack.js';

describe('the lean loader CONNACK check', () => {
  it('accepts only 0x20 0x02, flags 0 or Session Present, return code 0', () => {
    expect(connackRefusal(0x20, 0x02, 0x00, 0x00)).toBe('');
    expect(connackRefusal(0x20, 0x02, 0x01, 0x00)).toBe('');
    expect(connackRefusal(0x20, 0x02, 0x00, 0x04)).toBe('CONNACK return code 4'); // bad user name or password
    expect(connackRefusal(0x20, 0x02, 0x00, 0x05)).toBe('CONNACK return code 5');
    expect(connackRefusal(0x20, 0x02, 0x02, 0x00)).toBe('CONNACK flags 2');
    expect(connackRefusal(0x20, 0x03, 0x00, 0x00)).toBe('CONNACK remaining length 3');
    expect(connackRefusal(0x30, 0x02, 0x00, 0x00)).toBe('expected CONNACK, got packet type 3');
  });
});
