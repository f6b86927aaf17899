// A command publish whose PUBACK never comes (a broker that hangs) fails after publishTimeoutMs instead of stalling
// every later send, and the stale command is never delivered late: the client is dropped with its outgoing store,
// the next publish goes over a new connection, which carries only the new command. The broker is a minimal MQTT
// 3.1.1 peer over real TCP that answers CONNECT and PINGREQ and acknowledges PUBLISH only when told to.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMqttCommandPublisher } from '../../../rules/control/mqtt-command-publisher.js';

interface Peer { server: Server; url: string; ack: boolean; connections: { socket: Socket; closed: boolean; published: string[] }[] }

async function startPeer(): Promise<Peer> {
  const peer: Peer = { server: createServer(), url: '', ack: false, connections: [] };
  peer.server.on('connection', (socket) => {
    const conn = { socket, closed: false, published: [] as string[] };
    peer.connections.push(conn);
    let buf = Buffer.alloc(0);
    socket.on('close', () => { conn.closed = true; });
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let len = 0; let mul = 1; let i = 1;
        for (; i < buf.length; i++) { len += (buf[i]! & 0x7f) * mul; mul *= 128; if ((buf[i]! & 0x80) === 0) break; }
        if (i >= buf.length || buf.length < i + 1 + len) return;
        const type = buf[0]! >> 4; const qos = (buf[0]! >> 1) & 3;
        const body = buf.subarray(i + 1, i + 1 + len);
        buf = buf.subarray(i + 1 + len);
        if (type === 1) socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK accepted
        else if (type === 12) socket.write(Buffer.from([0xd0, 0x00])); // PINGREQ → PINGRESP
        else if (type === 3) {
          const topicLen = body.readUInt16BE(0);
          const at = 2 + topicLen + (qos > 0 ? 2 : 0);
          conn.published.push(body.subarray(at).toString());
          if (qos > 0 && peer.ack) socket.write(Buffer.from([0x40, 0x02, body[2 + topicLen]!, body[3 + topicLen]!]));
        }
      }
    });
  });
  await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
  const addr = peer.server.address();
  peer.url = `mqtt://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return peer;
}

describe('the MQTT command publisher', () => {
  let peer: Peer | undefined;
  afterEach(async () => {
    for (const c of peer?.connections ?? []) c.socket.destroy();
    await new Promise((r) => peer?.server.close(r));
  });

  it('fails a publish without PUBACK after its timeout, drops that connection, and never sends the stale command again', async () => {
    peer = await startPeer();
    const publisher = createMqttCommandPublisher({ url: peer.url, username: 'u', password: 'p', clientId: 'ruong-test-commands', publishTimeoutMs: 300 });
    try {
      await expect(publisher.publish('devices/pump-1/down', '{"id":"cmd-stale","action":"on"}')).rejects.toThrow('mqtt publish not acknowledged in time');
      await vi.waitFor(() => { expect(peer!.connections[0]?.closed).toBe(true); });
      expect(peer.connections[0]!.published).toEqual(['{"id":"cmd-stale","action":"on"}']);
      peer.ack = true;
      await publisher.publish('devices/pump-1/down', '{"id":"cmd-new","action":"off"}');
      expect(peer.connections).toHaveLength(2);
      expect(peer.connections[1]!.published).toEqual(['{"id":"cmd-new","action":"off"}']);
    } finally {
      await publisher.close();
    }
  });
});
