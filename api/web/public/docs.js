// Renders /openapi.json (generated from the API's zod schemas) as a page: one section per tag, each operation
// with its parameters, request body and responses. No CDN, no framework; text only through text nodes.
import { el } from './dom.js';

const schemaText = (schema) => JSON.stringify(schema, null, 2);

function typeOf(schema = {}) {
  if (schema.enum) return schema.enum.join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  return schema.type ?? (schema.const !== undefined ? JSON.stringify(schema.const) : 'any');
}

function operation(method, path, op) {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses ?? {});
  return el('details', { class: 'op', id: op.operationId },
    el('summary', {}, el('code', { class: `method ${method}` }, method.toUpperCase()), ' ', el('code', {}, path), ' — ', op.summary ?? ''),
    op.description ? el('p', { class: 'muted' }, op.description) : null,
    params.length ? el('table', { class: 'list' },
      el('thead', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'type'), el('th', {}, 'required'))),
      el('tbody', {}, params.map((p) => el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, typeOf(p.schema)), el('td', {}, p.required ? 'yes' : 'no'))))) : null,
    body ? [el('h4', {}, 'Request body (application/json)'), el('pre', {}, schemaText(body))] : null,
    responses.map(([status, r]) => {
      const content = Object.entries(r.content ?? {})[0];
      return el('div', { class: 'response' }, el('h4', {}, `${status} — ${r.description ?? ''}${content ? ` (${content[0]})` : ''}`),
        content && content[1].schema && !content[1].schema.$ref ? el('pre', {}, schemaText(content[1].schema)) : null);
    }));
}

async function main() {
  const spec = await (await fetch('/openapi.json')).json();
  const byTag = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(method, path, op));
    }
  }
  const auth = el('p', {}, 'Authenticate with ', el('code', {}, 'Authorization: Bearer <token>'), ' (a session from POST /api/v1/auth/login) or an API key: ',
    el('code', {}, 'Authorization: Bearer rk_…'), ' or ', el('code', {}, 'X-API-Key: rk_…'), '. Errors are ', el('code', {}, '{"error": {"code", "message"}}'),
    '; a 400 names the bad field; another cooperative\'s object is a 404.');
  document.getElementById('docs').replaceChildren(
    el('h2', {}, `${spec.info.title} ${spec.info.version} (OpenAPI ${spec.openapi})`), el('p', {}, spec.info.description), auth,
    ...[...byTag].map(([tag, ops]) => el('section', { 'data-tag': tag }, el('h3', {}, tag), ops)));
}

main().catch((err) => {
  document.getElementById('docs').replaceChildren(el('p', { class: 'error' }, `Could not load /openapi.json: ${err.message}`));
});
