// Real local peers for the notification channels: an SMTP server (smtp-server), an HTTP receiver (for the
// webhook, the SMS gateway and the Zalo API stand-in) and an MQTT broker with a subscriber. Each can go
// down and come back on the same port, hang (accept, never answer) or refuse a message for good.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export type PeerMode = 'ok' | 'hang' | 'reject' | 'fail';

export interface SmtpMail {
  readonly raw: string;
  readonly from: string;
  readonly to: string[];
}

export interface SmtpPeer {
  readonly port: number;
  readonly url: string;
  readonly mails: SmtpMail[];
  mode: PeerMode;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function listenOn(server: { listen(port: number, host: string, cb: () => void): unknown; once(ev: 'error', cb: (e: Error) => void): unknown }, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** smtp-server on 127.0.0.1 without TLS; `reject` answers 550 to DATA, `fail` 451, `hang` never answers. */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const mails: SmtpMail[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const peer: SmtpPeer = {
    get port() { return port; },
    get url() { return `smtp://127.0.0.1:${port}`; },
    mails,
    mode: 'ok',
    async up() {
      server = new SMTPServer({
        authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, banner: 'ruong test peer', closeTimeout: 200,
        onData(stream: SMTPServerDataStream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            if (peer.mode === 'hang') return;
            if (peer.mode === 'reject') return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
            if (peer.mode === 'fail') return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
            mails.push({ raw: Buffer.concat(chunks).toString('utf8'), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
            callback();
          });
        },
      });
      server.on('error', () => undefined);
      await listenOn(server, port);
      port = (server.server.address() as AddressInfo).port;
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const conn of (s as unknown as { connections: Set<{ close(): void }> }).connections ?? []) conn.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    close: () => peer.down(),
  };
  await peer.up();
  return peer;
}

export interface HttpRequestRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface HttpPeer {
  readonly port: number;
  readonly url: string;
  readonly requests: HttpRequestRecord[];
  mode: PeerMode;
  /** Decides the answer for an accepted request (default 200 `{}`); may throw to answer 500. */
  answer: (req: HttpRequestRecord) => { status: number; body: string };
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** An HTTP receiver: `reject` answers 400, `fail` 503, `hang` never answers, `ok` uses `answer` and records. */
export async function startHttpPeer(path = '/'): Promise<HttpPeer> {
  const requests: HttpRequestRecord[] = [];
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      if (peer.mode === 'hang') return;
      if (peer.mode === 'reject') { res.writeHead(400).end('{"error":"bad request"}'); return; }
      if (peer.mode === 'fail') { res.writeHead(503).end('{"error":"unavailable"}'); return; }
      let out: { status: number; body: string };
      try {
        out = peer.answer(record);
      } catch (err) {
        out = { status: 500, body: (err as Error).message };
      }
      if (out.status < 300) requests.push(record);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.body);
    });
  };
  const peer: HttpPeer = {
    get port() { return port; },
    get url() { return `http://127.0.0.1:${port}${path}`; },
    requests,
    mode: 'ok',
    answer: () => ({ status: 200, body: '{}' }),
    async up() {
      server = createServer(handle);
      server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      await listenOn(server, port);
      port = (server.address() as AddressInfo).port;
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    close: () => peer.down(),
  };
  await peer.up();
  return peer;
}

// ── RFC 5322 headers with RFC 2047 encoded words, and a quoted-printable body (RFC 2045 §6.7) ──

/** Parses the header block: unfolds continuation lines, lower-cases names, decodes encoded words. */
export function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '')) body = decodeQuotedPrintable(body);
  else if (/base64/i.test(headers.get('content-transfer-encoding') ?? '')) body = Buffer.from(body, 'base64').toString('utf8');
  return { headers, body };
}

export function decodeWords(value: string): string {
  // adjacent encoded words are joined without the whitespace between them (RFC 2047 §6.2)
  const joined = value.replace(/\?=\s+=\?/g, '?==?');
  return joined.replace(/(?:=\?([^?]+)\?([BbQq])\?([^?]*)\?=)+/g, (run) => {
    const bytes: number[] = [];
    for (const m of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
      const [, charset = '', enc = '', text = ''] = m;
      if (!/^utf-8$/i.test(charset)) throw new Error(`unexpected charset ${charset}`);
      if (enc.toUpperCase() === 'B') bytes.push(...Buffer.from(text, 'base64'));
      else bytes.push(...Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
    }
    return Buffer.from(bytes).toString('utf8');
  });
}

export function decodeQuotedPrintable(body: string): string {
  const soft = body.replace(/=\r?\n/g, '');
  return Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}
