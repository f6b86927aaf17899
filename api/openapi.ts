// OpenAPI 3.1 generated from the routes' zod schemas (z.toJSONSchema, JSON Schema 2020-12 — the dialect
// OpenAPI 3.1 uses). Every route module exports its `Endpoint` list beside its handlers, so the document
// cannot drift from the code: a schema that validates a request is the schema that documents it.
import { Router } from 'express';
import { z } from 'zod';
import type { Role } from '../core/registry/types.js';
import { ErrorOut } from './schemas.js';

export interface Endpoint {
  readonly method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express-style path under /api/v1, e.g. `/fields/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType | undefined;
  readonly query?: z.ZodType | undefined;
  readonly body?: z.ZodType | undefined;
  readonly response?: z.ZodType | undefined;
  /** Success status: 200 by default. */
  readonly status?: 200 | 201 | 202 | 204 | undefined;
  readonly produces?: 'application/json' | 'text/csv' | 'text/event-stream' | undefined;
  /** Roles allowed; absent = every signed-in role. */
  readonly roles?: readonly Role[] | undefined;
  /** No credentials needed (login). */
  readonly public?: boolean | undefined;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input');
  const required = new Set(js.required ?? []);
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name, in: where, required: where === 'path' || required.has(name), schema: s,
    ...(typeof (s as { description?: unknown }).description === 'string' ? { description: (s as { description: string }).description } : {}),
  }));
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operation(e: Endpoint): Record<string, unknown> {
  const status = String(e.status ?? 200);
  const produces = e.produces ?? 'application/json';
  const success = status === '204'
    ? { description: 'done' }
    : { description: 'OK', content: { [produces]: { schema: e.response ? jsonSchema(e.response, 'output') : { type: 'string' } } } };
  const responses: Record<string, unknown> = { [status]: success, 400: errorResponse('invalid request: the message names the field') };
  if (!e.public) Object.assign(responses, { 401: errorResponse('no valid session token or API key'), 403: errorResponse('role not allowed'), 404: errorResponse('not found in your cooperative') });
  return {
    tags: [e.tag], summary: e.summary,
    operationId: `${e.method}${e.path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
    ...(e.roles ? { description: `Roles: ${e.roles.join(', ')}.` } : {}),
    parameters: [...parameters(e.params, 'path'), ...parameters(e.query, 'query')],
    ...(e.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(e.body, 'input') } } } } : {}),
    responses,
    ...(e.public ? { security: [] } : {}),
  };
}

export function openApiDocument(endpoints: readonly Endpoint[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const path = `/api/v1${e.path.replace(/:(\w+)/g, '{$1}')}`;
    (paths[path] ??= {})[e.method] = operation(e);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Ruộng API', version,
      description: 'Telemetry and irrigation alerts for farm cooperatives. Every object is scoped to the caller\'s cooperative: another tenant\'s object is a 404.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { apiKey: [] }],
    tags: [...new Set(endpoints.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/login, or an API key (rk_…).' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key for integrations (rk_…), scoped to a cooperative and a role.' },
      },
      schemas: { Error: jsonSchema(ErrorOut, 'output') },
    },
  };
}

export function openApiRoutes(endpoints: () => readonly Endpoint[], version: string): Router {
  const router = Router();
  let cached: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    cached ??= openApiDocument(endpoints(), version);
    res.json(cached);
  });
  return router;
}
