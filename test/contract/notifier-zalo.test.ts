// The Notifier contract for Zalo ZNS: {phone, template_id, template_data, tracking_id} to a real HTTP
// server standing in for business.openapi.zalo.me; a refusal is the ZNS way — HTTP 200 with an error code.
import { createZaloNotifier } from '../../rules/notify/zalo.js';
import { startHttpPeer } from '../helpers/notify-peers.js';
import { notifierContract } from './notifier.contract.js';

interface ZnsBody { phone: string; template_id: string; template_data: Record<string, string>; tracking_id: string }

notifierContract('zalo (ZNS template message → HTTP stand-in)', async () => {
  const peer = await startHttpPeer('/message/template');
  const accepted: ZnsBody[] = [];
  let refusing = false;
  peer.answer = (req) => {
    const body = JSON.parse(req.body) as ZnsBody;
    if (req.headers.access_token !== 'oa-token') return { status: 200, body: '{"error":-124,"message":"Access token is invalid"}' };
    if (refusing) return { status: 200, body: '{"error":-108,"message":"Phone number is invalid"}' };
    accepted.push(body);
    return { status: 200, body: JSON.stringify({ error: 0, message: 'Success', data: { msg_id: String(accepted.length) } }) };
  };
  return {
    notifier: createZaloNotifier({ url: peer.url, accessToken: 'oa-token', templateId: '301234' }),
    message: (key, text) => ({ channel: 'zalo', key, phone: '+84900000101', templateData: { field_name: 'Ruộng 1', detail: text } }),
    received: () => Promise.resolve(accepted.map((b) => ({ key: b.tracking_id, text: b.template_id === '301234' && b.phone === '84900000101' ? b.template_data.detail ?? '' : '' }))),
    down: () => peer.down(),
    up: () => peer.up(),
    hang: () => { peer.mode = 'hang'; },
    refuse: () => { refusing = true; },
    accept: () => { refusing = false; },
    close: () => peer.close(),
  };
}, { permanentRefusal: true });
