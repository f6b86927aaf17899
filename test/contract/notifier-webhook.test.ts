// The Notifier contract for webhooks: signed JSON POSTs to a real HTTP receiver that verifies them.
import { createWebhookVerifier, webhookSecretFor } from '../../core/alerts/notification-webhook.js';
import { createWebhookNotifier } from '../../rules/notify/webhook.js';
import { startHttpPeer } from '../helpers/notify-peers.js';
import { notifierContract } from './notifier.contract.js';

const MASTER = 'contract-master-secret-0123456789';

notifierContract('webhook (signed JSON → HTTP receiver)', async () => {
  const peer = await startHttpPeer('/hooks/ruong');
  const verifier = createWebhookVerifier({ secret: webhookSecretFor(MASTER, 'ct-coop-erp') });
  peer.answer = (req) => {
    const verdict = verifier.verify(req.headers, req.body);
    return verdict.ok ? { status: 204, body: '' } : { status: 401, body: verdict.reason };
  };
  return {
    notifier: createWebhookNotifier({ masterSecret: MASTER }),
    message: (key, text) => ({ channel: 'webhook', key, url: peer.url, contactId: 'ct-coop-erp', body: { id: key, message: { detail: text } } }),
    received: () => Promise.resolve(peer.requests.map((r) => ({ key: String(r.headers['x-ruong-delivery']), text: r.body }))),
    down: () => peer.down(),
    up: () => peer.up(),
    hang: () => { peer.mode = 'hang'; },
    refuse: () => { peer.mode = 'reject'; },
    accept: () => { peer.mode = 'ok'; },
    close: () => peer.close(),
  };
}, { permanentRefusal: true });
