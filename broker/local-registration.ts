// One broker alone on its in-memory emitter registers a client without telling other brokers (issue 19, CPU per
// connect). Aedes 1.2 (aedes.js `_finishRegisterClient`) publishes `$SYS/{brokerId}/new/clients` on every CONNECT so
// that brokers sharing one emitter (mqemitter-redis) close their own client with the same id (`closeSameClients`).
// On broker/emitter.ts there is no other broker, and nobody may subscribe to `$SYS` (broker/acl.ts), so that message
// only ever reached this broker's own `closeSameClients`, which ignores its own id — an aedes-packet, a Buffer and a
// trip through the emitter per connect, for nothing. What remains is exactly Aedes' bookkeeping: the count, the
// client table and the 'client' event. A takeover on this broker (MQTT-3.1.4-2) is `registerClient`'s, before this,
// and unchanged. With Redis (several brokers) Aedes' own method stays. Aedes pinned: broker/pinned-versions.ts.
import type { Aedes, Client } from 'aedes';

interface Registration {
  connectedClients: number;
  readonly clients: Record<string, Client>;
  _finishRegisterClient(client: Client): void;
  emit(event: 'client', client: Client): boolean;
}

export function registerLocally(aedes: Aedes): void {
  (aedes as unknown as Registration)._finishRegisterClient = function finishRegisterClient(this: Registration, client: Client): void {
    this.connectedClients++;
    this.clients[client.id] = client;
    this.emit('client', client);
  };
}
