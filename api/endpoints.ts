// Every documented endpoint, gathered for /openapi.json. A route module exports its `Endpoint` list beside
// its handlers; add the list here when you add a module.
import type { z } from 'zod';
import type { Endpoint } from './openapi.js';
import { adviceEndpoints } from './routes/advice.js';
import { alertEndpoints } from './routes/alerts.js';
import { authEndpoints } from './routes/auth.js';
import { commandEndpoints } from './routes/commands.js';
import { scheduleEndpoints } from './routes/command-schedules.js';
import { contactEndpoints } from './routes/contacts.js';
import { deliveryEndpoints } from './routes/deliveries.js';
import { healthEndpoints } from './routes/device-health.js';
import { deviceEndpoints } from './routes/devices.js';
import { ingestHealthEndpoints } from './routes/ingest-health.js';
import { eventEndpoints } from './routes/events.js';
import { farmEndpoints } from './routes/farms.js';
import { dailyEndpoints } from './routes/field-daily.js';
import { fieldEndpoints } from './routes/fields.js';
import { irrigationEndpoints } from './routes/irrigations.js';
import { smsInboundEndpoints } from './routes/sms-inbound.js';
import { readingEndpoints } from './routes/readings.js';
import { ruleEndpoints } from './routes/rules.js';
import { userEndpoints } from './routes/users.js';
import { waterAccountEndpoints } from './routes/water-account.js';

export const API_VERSION = '1.0.0';

/** `ruleSchema`: the rules engine's schema (handed in by cli/) documents the body of PUT /rules/:id. */
export function allEndpoints(ruleSchema?: z.ZodType): readonly Endpoint[] {
  return [
    ...authEndpoints, ...farmEndpoints, ...fieldEndpoints, ...readingEndpoints, ...dailyEndpoints,
    ...healthEndpoints, ...userEndpoints, ...eventEndpoints, ...deviceEndpoints, ...ingestHealthEndpoints,
    ...contactEndpoints, ...deliveryEndpoints, ...alertEndpoints, ...adviceEndpoints, ...irrigationEndpoints, ...waterAccountEndpoints, ...smsInboundEndpoints,
    ...commandEndpoints, ...scheduleEndpoints, ...ruleEndpoints(ruleSchema),
  ];
}
