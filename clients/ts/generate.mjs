#!/usr/bin/env node
/*  clients/ts/generate.mjs — the typed TypeScript client of the hybridrec
    API, generated from gateway/openapi.yaml into clients/ts/hybridrec.ts:
    one interface per component schema, and a fetch-based HybridrecClient
    with one method per operationId whose answer is a union discriminated
    by the documented status codes ({status: 200, data: Home} | {status:
    400, data: ApiError} ...).  An answer with a status the document does
    not list throws HybridrecUndocumentedStatus.

      node clients/ts/generate.mjs            rewrites clients/ts/hybridrec.ts
      node clients/ts/generate.mjs --check    exit 1 when it is stale (CTest client_ts_fresh)

    Reads the YAML with npm's `yaml`, pinned in scripts/node/package-lock.json
    and installed by scripts/deps.sh into .deps/node (HR_NODE_DEPS_DIR).
    Deterministic: the same document always gives the same bytes.           */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const depsDir = process.env.HR_NODE_DEPS_DIR || path.join(root, '.deps/node');
const OUT = path.join(here, 'hybridrec.ts');
const SPEC = path.join(root, 'gateway/openapi.yaml');

function loadYaml() {
  try {
    return createRequire(path.join(depsDir, 'package.json'))('yaml');
  } catch (e) {
    console.error(`generate: npm's yaml is not in ${depsDir} (run scripts/deps.sh): ${e.message}`);
    process.exit(2);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
// Component names that would shadow what the client itself uses.
const RESERVED = new Set(['Error', 'Response', 'Headers', 'Request', 'Record', 'Object', 'String',
  'Number', 'Boolean', 'Array', 'Promise', 'Date', 'URL']);
const typeName = (name) => (RESERVED.has(name) ? `Api${name}` : name);
const pascal = (id) => id.charAt(0).toUpperCase() + id.slice(1);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : JSON.stringify(k));

function refName(ref) {
  const m = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  return typeName(m[1]);
}

function resolve(doc, node) {
  if (!node || !node.$ref) return node;
  let n = doc;
  for (const part of node.$ref.slice(2).split('/')) n = n[part];
  return n;
}

function comment(text, indent) {
  if (!text) return '';
  const lines = String(text).trim().split('\n').map((l) => l.replace(/\*\//g, '* /').trimEnd());
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

/*  A schema as a TypeScript type expression.                              */
function tsType(s, indent = '') {
  if (!s) return 'unknown';
  let t;
  if (s.$ref) t = refName(s.$ref);
  else if (s.allOf) t = s.allOf.map((x) => wrap(tsType(x, indent))).join(' & ');
  else if (s.oneOf || s.anyOf) t = (s.oneOf || s.anyOf).map((x) => wrap(tsType(x, indent))).join(' | ');
  else if (s.enum) t = s.enum.map((v) => JSON.stringify(v)).join(' | ');
  else if (s.type === 'string') t = 'string';
  else if (s.type === 'integer' || s.type === 'number') t = 'number';
  else if (s.type === 'boolean') t = 'boolean';
  else if (s.type === 'array') {
    const item = tsType(s.items, indent);
    t = /^[A-Za-z0-9_]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
  } else if (s.type === 'object' || s.properties || s.additionalProperties) t = objectType(s, indent);
  else t = 'unknown';
  return s.nullable ? `${wrap(t)} | null` : t;
}

function wrap(t) {
  return /^[A-Za-z0-9_[\]<>"]+$/.test(t) || t.startsWith('{') || t.startsWith('Array<') ? t : `(${t})`;
}

function objectType(s, indent) {
  const props = s.properties || {};
  const names = Object.keys(props);
  const extra = s.additionalProperties;
  const extraType = extra === true || (extra && typeof extra === 'object' && !Object.keys(extra).length)
    ? 'unknown' : extra ? tsType(extra, `${indent}  `) : null;
  if (!names.length) return extraType ? `{ [key: string]: ${extraType} }` : 'Record<string, unknown>';
  const required = new Set(s.required || []);
  const inner = `${indent}  `;
  let out = '{\n';
  for (const n of names) {
    out += comment(props[n].description, inner);
    out += `${inner}${key(n)}${required.has(n) ? '' : '?'}: ${tsType(props[n], inner)};\n`;
  }
  if (extraType) out += `${inner}[key: string]: ${extraType} | undefined;\n`;
  return `${out}${indent}}`;
}

function parameters(doc, item, op) {
  const list = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(doc, p));
  const byName = new Map();
  for (const p of list) byName.set(`${p.in}:${p.name}`, p);    // the operation's overrides the path's
  return [...byName.values()];
}

function operations(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const op = item[method];
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${p}: no operationId`);
      ops.push({ path: p, method: method.toUpperCase(), op, params: parameters(doc, item, op) });
    }
  }
  return ops;
}

function argsInterface(doc, o) {
  const name = `${pascal(o.op.operationId)}Args`;
  const fields = [];
  for (const p of o.params) {
    if (p.in !== 'path' && p.in !== 'query') throw new Error(`${o.op.operationId}: parameter in ${p.in} is not supported`);
    fields.push({ name: p.name, required: p.in === 'path' || p.required === true,
      type: tsType(p.schema, '  '), doc: `${p.in === 'path' ? 'Path' : 'Query'} parameter.${p.description ? ` ${p.description}` : ''}` });
  }
  let media = [];
  if (o.op.requestBody) {
    const body = resolve(doc, o.op.requestBody);
    media = Object.keys(body.content);
    const types = media.map((m) => tsType(body.content[m].schema, '  '));
    fields.push({ name: 'body', required: body.required === true, type: [...new Set(types)].map(wrap).join(' | '),
      doc: `Request body (${media.join(' or ')}).` });
    if (media.length > 1)
      fields.push({ name: 'contentType', required: false, type: media.map((m) => JSON.stringify(m)).join(' | '),
        doc: `Default ${media[0]}; a string body is sent as is.` });
  }
  const seen = new Set();
  for (const f of fields) {
    if (seen.has(f.name)) throw new Error(`${o.op.operationId}: two arguments named ${f.name}`);
    seen.add(f.name);
  }
  let out = `export interface ${name} {\n`;
  for (const f of fields) out += comment(f.doc, '  ') + `  ${key(f.name)}${f.required ? '' : '?'}: ${f.type};\n`;
  out += '}\n';
  return { name, text: fields.length ? out : `export type ${name} = Record<string, never>;\n`,
    optional: fields.every((f) => !f.required), media };
}

function responsesInterface(doc, o) {
  const name = `${pascal(o.op.operationId)}Responses`;
  let out = `export interface ${name} {\n`;
  const statuses = [];
  for (const [code, r0] of Object.entries(o.op.responses)) {
    if (!/^[1-5][0-9][0-9]$/.test(code)) throw new Error(`${o.op.operationId}: response ${code} is not a status`);
    const r = resolve(doc, r0);
    statuses.push(Number(code));
    const content = r.content || {};
    const media = Object.keys(content);
    const type = media.length ? [...new Set(media.map((m) => tsType(content[m].schema, '  ')))].map(wrap).join(' | ') : 'undefined';
    out += comment(r.description, '  ') + `  ${code}: ${type};\n`;
  }
  statuses.sort((a, b) => a - b);
  return { name, text: `${out}}\n`, statuses };
}

function generate(doc) {
  const ops = operations(doc);
  let out = `/*  hybridrec API client — GENERATED by clients/ts/generate.mjs from
    gateway/openapi.yaml (${doc.info.title} ${doc.info.version}, OpenAPI ${doc.openapi}).
    Do not edit: change the document, run \`node clients/ts/generate.mjs\`
    and commit both (CTest client_ts_fresh fails while this file is stale).

    const api = new HybridrecClient({ baseUrl: 'http://127.0.0.1:8080', apiKey });
    const r = await api.getHomeRecommendations({ user_id: 'alice' });
    if (r.status === 200) console.log(r.data.trending);   // typed by status

    Every documented status is an answer, not an exception; a status the
    document does not list throws HybridrecUndocumentedStatus.  Needs a
    global fetch (browsers, Node 18+) or options.fetch.                      */
/* eslint-disable */

`;
  out += '/* ------------------------------------------------------------ schemas */\n\n';
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    out += comment(s.description, '');
    const t = tsType(s, '');
    out += t.startsWith('{\n') ? `export interface ${typeName(name)} ${t}\n\n` : `export type ${typeName(name)} = ${t};\n\n`;
  }
  out += '/* ------------------------------------------------------------ operations */\n\n';
  const table = [];
  const methods = [];
  for (const o of ops) {
    const id = o.op.operationId;
    const a = argsInterface(doc, o);
    const r = responsesInterface(doc, o);
    out += a.text + '\n' + r.text + '\n';
    const security = (o.op.security || []).some((req) => 'ApiKey' in req);
    table.push(`  ${id}: {\n    method: ${JSON.stringify(o.method)},\n    path: ${JSON.stringify(o.path)},\n` +
      `    pathParams: ${JSON.stringify(o.params.filter((p) => p.in === 'path').map((p) => p.name))},\n` +
      `    queryParams: ${JSON.stringify(o.params.filter((p) => p.in === 'query').map((p) => p.name))},\n` +
      `    bodyTypes: ${JSON.stringify(a.media)},\n    statuses: ${JSON.stringify(r.statuses)},\n` +
      `    apiKey: ${security},\n  },\n`);
    const summary = `${o.op.summary} (${o.method} ${o.path}${security ? '; API key when HR_API_KEYS is set' : ''})`;
    methods.push(comment(summary, '  ') +
      `  ${id}(args: ${a.name}${a.optional ? ' = {}' : ''}, init?: RequestOptions): Promise<ApiResult<${r.name}>> {\n` +
      `    return this.call(${JSON.stringify(id)}, args, init) as Promise<ApiResult<${r.name}>>;\n  }\n`);
  }
  out += `/** Every operation: method, path template, parameters, body media types,
 * documented statuses, whether it takes the API key. */
export const OPERATIONS = {
${table.join('')}} as const;

export type OperationId = keyof typeof OPERATIONS;

/** One answer: its status (one the document lists), the decoded body
 * (JSON, or text for other media types; undefined when empty), the headers. */
export type ApiResult<R> = {
  [S in keyof R]: { status: S; data: R[S]; headers: Headers };
}[keyof R];

export interface ClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (no trailing path). */
  baseUrl: string;
  /** A key of HR_API_KEYS: sent as Authorization: Bearer on every call. */
  apiKey?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Headers added to every call. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A status the document does not list for this operation. */
export class HybridrecUndocumentedStatus extends globalThis.Error {
  constructor(
    readonly operationId: OperationId,
    readonly status: number,
    readonly body: string,
  ) {
    super(\`\${operationId}: status \${status} is not documented (\${body.slice(0, 200)})\`);
    this.name = 'HybridrecUndocumentedStatus';
  }
}

function queryValue(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

export class HybridrecClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The URL an operation's arguments make (no request is sent). */
  url(operationId: OperationId, args: object = {}): string {
    const op = OPERATIONS[operationId];
    const a = args as Record<string, unknown>;
    let target: string = op.path;
    for (const name of op.pathParams) {
      const v = a[name];
      if (v === undefined || v === null) throw new TypeError(\`\${operationId}: \${name} is required\`);
      target = target.replace(\`{\${name}}\`, encodeURIComponent(String(v)));
    }
    const query = new URLSearchParams();
    for (const name of op.queryParams)
      if (a[name] !== undefined && a[name] !== null) query.append(name, queryValue(a[name]));
    const qs = query.toString();
    return this.baseUrl + target + (qs ? \`?\${qs}\` : '');
  }

  /** Any operation by id (the typed methods below call this). */
  async call(operationId: OperationId, args: object = {}, init: RequestOptions = {}): Promise<{ status: number; data: unknown; headers: Headers }> {
    const op = OPERATIONS[operationId];
    const a = args as Record<string, unknown>;
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
      ...this.options.headers, ...init.headers };
    if (this.options.apiKey) headers.authorization = \`Bearer \${this.options.apiKey}\`;
    let body: string | undefined;
    if (op.bodyTypes.length && a.body !== undefined) {
      const type = (a.contentType as string | undefined) ?? op.bodyTypes[0];
      headers['content-type'] = type;
      body = typeof a.body === 'string' && type !== 'application/json' ? a.body : JSON.stringify(a.body);
    }
    const res = await this.fetchFn(this.url(operationId, args), { method: op.method, headers, body, signal: init.signal });
    const text = await res.text();
    if (!(op.statuses as readonly number[]).includes(res.status))
      throw new HybridrecUndocumentedStatus(operationId, res.status, text);
    const json = /[/+]json\\b/.test(res.headers.get('content-type') ?? '');
    return { status: res.status, data: text === '' ? undefined : json ? JSON.parse(text) : text, headers: res.headers };
  }

${methods.join('\n')}}
`;
  return out;
}

const YAML = loadYaml();
const doc = YAML.parse(fs.readFileSync(SPEC, 'utf8'));
const text = generate(doc);
if (process.argv.includes('--check')) {
  const now = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (now !== text) {
    console.error('clients/ts/hybridrec.ts is stale: gateway/openapi.yaml or the generator changed; ' +
      'run `node clients/ts/generate.mjs` and commit the result');
    process.exit(1);
  }
  console.log(`clients/ts/hybridrec.ts is up to date (${Object.keys(OPERATIONS_COUNT(doc)).length} operations)`);
} else {
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(root, OUT)}`);
}

function OPERATIONS_COUNT(d) {
  return Object.fromEntries(operations(d).map((o) => [o.op.operationId, 1]));
}
