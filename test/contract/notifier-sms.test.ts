// The Notifier contract for SMS: the configured request to a real HTTP server standing in for the gateway.
import { countSms } from '../../core/alerts/notification-gsm.js';
import { createSmsNotifier } from '../../rules/notify/sms.js';
import { startHttpPeer } from '../helpers/notify-peers.js';
import { notifierContract } from './notifier.contract.js';

notifierContract('sms (HTTP gateway, JSON body template)', async () => {
  const peer = await startHttpPeer('/api/sms/send');
  peer.answer = (req) => (req.headers.authorization === 'Bearer gw-token' ? { status: 200, body: '{"status":"queued"}' } : { status: 401, body: '{}' });
  return {
    notifier: createSmsNotifier({ url: peer.url, auth: 'Bearer gw-token' }),
    message: (key, text) => ({ channel: 'sms', key, to: '+84900000101', text, ...countSms(text) }),
    received: () => Promise.resolve(peer.requests.map((r) => {
      const body = JSON.parse(r.body) as { ref: string; text: string };
      return { key: body.ref, text: body.text };
    })),
    down: () => peer.down(),
    up: () => peer.up(),
    hang: () => { peer.mode = 'hang'; },
    refuse: () => { peer.mode = 'reject'; },
    accept: () => { peer.mode = 'ok'; },
    close: () => peer.close(),
  };
}, { permanentRefusal: true });
