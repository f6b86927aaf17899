// The Notifier contract for e-mail: nodemailer over SMTP to a real smtp-server on a free port.
import { createEmailNotifier } from '../../rules/notify/email.js';
import { parseMail, startSmtpPeer } from '../helpers/notify-peers.js';
import { notifierContract } from './notifier.contract.js';

notifierContract('email (nodemailer → smtp-server)', async () => {
  const peer = await startSmtpPeer();
  const notifier = createEmailNotifier({ url: peer.url, from: 'Ruộng <canh-bao@example.org>', timeoutMs: 5_000 });
  return {
    notifier,
    message: (key, text) => ({ channel: 'email', key, to: 'nong-dan@example.org', subject: `[Ruộng] ${text.slice(0, 20)}`, text }),
    received: () => Promise.resolve(peer.mails.map((m) => {
      const mail = parseMail(m.raw);
      return { key: mail.headers.get('x-ruong-delivery') ?? '', text: mail.body };
    })),
    down: () => peer.down(),
    up: () => peer.up(),
    hang: () => { peer.mode = 'hang'; },
    refuse: () => { peer.mode = 'reject'; },
    accept: () => { peer.mode = 'ok'; },
    close: () => peer.close(),
  };
}, { permanentRefusal: true });
