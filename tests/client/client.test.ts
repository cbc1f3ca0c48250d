/*  The generated TypeScript client (clients/ts/hybridrec.ts) against a live
    throwaway stack (tests/client/run.sh starts it, with an API key): every
    operation of gateway/openapi.yaml is called through its typed method,
    each answer's status must be one the document lists for it (the client
    throws otherwise) and the one this test expects, and the data is used
    through its generated type (this file is type-checked with `strict`).
    At the end every operation must have been called: the document and the
    client cannot drift from what the gateway answers.

    Also /docs end to end: the Swagger UI page references only the
    gateway's own files, each answers with its content type and caching.

    Environment: HR_CLIENT_BASE (http://127.0.0.1:PORT), HR_CLIENT_API_KEY,
    HR_DOCS_EMBEDDED (1: the gateway was built with swagger-ui-dist, /docs
    must be 200; 0: it must be the 503 that says how to fix it).           */
import {
  HybridrecClient,
  HybridrecUndocumentedStatus,
  OPERATIONS,
  type CatalogProduct,
  type OperationId,
  type Product,
} from '../../clients/ts/hybridrec.js';

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const BASE = process.env.HR_CLIENT_BASE ?? 'http://127.0.0.1:18600';
const KEY = process.env.HR_CLIENT_API_KEY ?? 'client-test-key';
const DOCS_EMBEDDED = process.env.HR_DOCS_EMBEDDED !== '0';
const RUN = Date.now().toString(36).toUpperCase().replace(/[^A-Z0-9]/g, '');
const USER = `ts${RUN}u`;

const api = new HybridrecClient({ baseUrl: BASE, apiKey: KEY });
const anonymous = new HybridrecClient({ baseUrl: BASE });
const wrongKey = new HybridrecClient({ baseUrl: BASE, apiKey: 'not-a-configured-key' });

/*  Which operations were answered, and with what.                         */
const called = new Map<OperationId, Set<number>>();
function saw(id: OperationId, status: number): void {
  if (!called.has(id)) called.set(id, new Set());
  called.get(id)!.add(status);
}

function fail(message: string): never {
  throw new globalThis.Error(message);
}
function ok(cond: unknown, message: string): asserts cond {
  if (!cond) fail(message);
}
function expectStatus<R extends { status: number }>(id: OperationId, r: R, want: number): void {
  saw(id, r.status);
  ok(r.status === want, `${id}: status ${r.status}, expected ${want}: ${JSON.stringify((r as { data?: unknown }).data)}`);
}

let passed = 0;
let failed = 0;
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e instanceof globalThis.Error ? e.stack : String(e)}`);
  }
}

const productId = (n: number): string => `T${RUN}${n}`.padEnd(10, 'X').slice(0, 10);
function newProduct(id: string, name: string): CatalogProduct {
  return { id, name, main_category: 'Electronics', sub_category: 'Audio', ratings: 4.5, no_of_ratings: 10,
    discount_price: 19.99, actual_price: 29.99, status: 'in_stock' };
}

async function main(): Promise<void> {
  let sample: Product | undefined;
  let recommendationId = '';

  await check('operations: probes, metrics, the document', async () => {
    const h = await api.getHealth();
    expectStatus('getHealth', h, 200);
    if (h.status === 200) ok(h.data.status === 'ok', 'healthz says ok');
    const r = await api.getReadiness();
    expectStatus('getReadiness', r, 200);
    if (r.status === 200) ok(r.data.status === 'ready' && (r.data.catalog_products ?? 0) > 0, 'ready with a catalog');
    const m = await api.getMetrics();
    expectStatus('getMetrics', m, 200);
    if (m.status === 200) ok(m.data.includes('hr_gateway_requests_total'), 'Prometheus text');
    const d = await api.getOpenApiDocument();
    expectStatus('getOpenApiDocument', d, 200);
    if (d.status === 200) ok(/^openapi: 3\.0\./m.test(d.data) && d.data.includes('operationId: getApiDocs'), 'the document');
  });

  await check('recommendations: search, similar products, home (typed answers)', async () => {
    const s = await api.searchProducts({ query: 'wireless earbuds', response_limit: 5 });
    expectStatus('searchProducts', s, 200);
    if (s.status !== 200) return;
    ok(s.data.results.length > 0 && s.data.results.length <= 5, 'search results within the limit');
    sample = s.data.results[0];
    ok(/^(search)\./.test(s.headers.get('x-recommendation-id') ?? ''), 'search carries a recommendation id');
    const none = await api.searchProducts({ query: 'qqqzzzxxxnothing' });
    expectStatus('searchProducts', none, 404);
    if (none.status === 404) ok(none.data.fallback_reason === 'no_search_matches', 'no match: the fallback');
    const bad = await api.searchProducts({ query: 'x', response_limit: 'many' as unknown as number });
    expectStatus('searchProducts', bad, 422);

    const p = await api.getSimilarProducts({ product_id: sample.id, response_limit: 4, explain: true });
    expectStatus('getSimilarProducts', p, 200);
    if (p.status === 200) ok(p.data.similar.every((x) => x.id !== sample!.id), 'never the product itself');
    const missing = await api.getSimilarProducts({ product_id: 'ZZZZZZZZZ0' });
    expectStatus('getSimilarProducts', missing, 404);

    const h = await api.getHomeRecommendations({ user_id: USER, response_limit: 5, exclude: sample.id });
    expectStatus('getHomeRecommendations', h, 200);
    if (h.status === 200) {
      ok(Array.isArray(h.data.trending) && typeof h.data.top_categories === 'object', 'home shape');
      ok(h.data.trending.every((x) => x.id !== sample!.id), 'exclude= is honoured');
    }
    recommendationId = h.headers.get('x-recommendation-id') ?? '';
    ok(recommendationId.startsWith('home.'), `home carries a recommendation id (${recommendationId})`);
    const invalid = await api.getHomeRecommendations({ user_id: 'not valid!' });
    expectStatus('getHomeRecommendations', invalid, 400);
    if (invalid.status === 400) ok(typeof invalid.data.error === 'string' && invalid.data.detail.length > 0, 'error envelope');
  });

  await check('interactions and events: logged, listed, attributed', async () => {
    ok(sample, 'a sample product (search ran)');
    const click = await api.logInteraction({ body: { user_id: USER, event_type: 'product_click', product_id: sample.id } });
    expectStatus('logInteraction', click, 200);
    ok(click.data === undefined, 'an empty body');
    const q = await api.logInteraction({ body: { user_id: USER, event_type: 'search_query', query: 'earbuds' } });
    expectStatus('logInteraction', q, 200);
    const noProduct = await api.logInteraction({ body: { user_id: USER, event_type: 'product_click' } });
    expectStatus('logInteraction', noProduct, 400);

    const e = await api.postEvents({ body: { events: [
      { type: 'view', user_id: USER, product_id: sample.id, recommendation_id: recommendationId, list: 'trending' },
      { type: 'add_to_cart', user_id: USER, product_id: sample.id, timestamp: Date.now() },
      { type: 'purchase', user_id: USER, product_id: sample.id, timestamp: new Date().toISOString() },
    ] } });
    expectStatus('postEvents', e, 200);
    if (e.status === 200) ok(e.data.accepted === 3, 'three events accepted');
    const bare = await api.postEvents({ body: [{ type: 'search', user_id: USER, query: 'cables' }] });
    expectStatus('postEvents', bare, 200);
    const badEvent = await api.postEvents({ body: { events: [{ type: 'purchase', user_id: USER }] } });
    expectStatus('postEvents', badEvent, 400);

    const list = await api.getUserInteractions({ user_id: USER, days: 7 });
    expectStatus('getUserInteractions', list, 200);
    if (list.status === 200)
      ok(list.data.interactions.some((i) => i.event_type === 'product_click' && i.product_id === sample!.id), 'the click is listed');
    const open = await anonymous.getUserInteractions({ user_id: USER });
    expectStatus('getUserInteractions', open, 401);
    ok((open.headers.get('www-authenticate') ?? '').startsWith('Bearer'), 'WWW-Authenticate: Bearer');
    const wrong = await wrongKey.getUserInteractions({ user_id: USER });
    expectStatus('getUserInteractions', wrong, 403);
    const badDays = await api.getUserInteractions({ user_id: USER, days: 0 });
    expectStatus('getUserInteractions', badDays, 400);
  });

  await check('catalog: upsert one, a batch (JSON and NDJSON), hide, delete', async () => {
    const one = productId(1);
    const put = await api.upsertProduct({ product_id: one, body: newProduct(one, `Typed client earbuds ${RUN}`) });
    expectStatus('upsertProduct', put, 200);
    if (put.status === 200) ok(put.data.id === one && put.data.created === true && put.data.catalog_version > 0, 'created');
    const mismatch = await api.upsertProduct({ product_id: one, body: newProduct(productId(2), 'x') });
    expectStatus('upsertProduct', mismatch, 422);
    expectStatus('upsertProduct', await api.upsertProduct({ product_id: 'bad', body: newProduct(one, 'x') }), 400);
    expectStatus('upsertProduct', await anonymous.upsertProduct({ product_id: one, body: newProduct(one, 'x') }), 401);
    expectStatus('upsertProduct', await wrongKey.upsertProduct({ product_id: one, body: newProduct(one, 'x') }), 403);

    const batch = await api.upsertProducts({ body: [newProduct(productId(2), 'Typed batch a'), newProduct(productId(3), 'Typed batch b')] });
    expectStatus('upsertProducts', batch, 200);
    if (batch.status === 200) ok(batch.data.received === 2 && batch.data.created === 2, 'two created');
    const ndjson = [newProduct(productId(3), 'Typed batch b2'), newProduct(productId(4), 'Typed batch c')]
      .map((p) => JSON.stringify(p)).join('\n');
    const nd = await api.upsertProducts({ body: ndjson, contentType: 'application/x-ndjson' });
    expectStatus('upsertProducts', nd, 200);
    if (nd.status === 200) ok(nd.data.created === 1 && nd.data.updated === 1, 'NDJSON: one created, one updated');
    const invalid = await api.upsertProducts({ body: [{ id: productId(5) } as CatalogProduct] });
    expectStatus('upsertProducts', invalid, 422);

    const hide = await api.setProductStatus({ product_id: one, body: { status: 'hidden' } });
    expectStatus('setProductStatus', hide, 200);
    if (hide.status === 200) ok(hide.data.status === 'hidden', 'hidden');
    const similar = await api.getSimilarProducts({ product_id: one });
    ok(similar.status === 404 || (similar.status === 200 && similar.data.similar.every((x) => x.id !== one)),
      `a hidden product is listed nowhere (${similar.status})`);
    saw('getSimilarProducts', similar.status);
    const nobody = await api.setProductStatus({ product_id: 'ZZZZZZZZZ1', body: { status: 'in_stock' } });
    expectStatus('setProductStatus', nobody, 404);

    for (const id of [one, productId(2), productId(3), productId(4)]) {
      const del = await api.deleteProduct({ product_id: id });
      expectStatus('deleteProduct', del, 200);
      if (del.status === 200) ok(del.data.deleted === true, `${id} deleted`);
    }
    expectStatus('deleteProduct', await api.deleteProduct({ product_id: one }), 404);
  });

  await check('admin: overview, shopper, product, search (API key)', async () => {
    ok(sample, 'a sample product (search ran)');
    const o = await api.getAdminOverview();
    expectStatus('getAdminOverview', o, 200);
    if (o.status === 200) ok((o.data.catalog.products ?? 0) > 0 && typeof o.data.services === 'object', 'overview');
    expectStatus('getAdminOverview', await anonymous.getAdminOverview(), 401);
    expectStatus('getAdminOverview', await wrongKey.getAdminOverview(), 403);
    const u = await api.getAdminUser({ user_id: USER, response_limit: 5 });
    expectStatus('getAdminUser', u, 200);
    if (u.status === 200) ok(u.data.user_id === USER && typeof u.data.strategies === 'object', 'shopper');
    const p = await api.getAdminProduct({ product_id: sample.id, response_limit: 5 });
    expectStatus('getAdminProduct', p, 200);
    if (p.status === 200) ok(p.data.product.id === sample.id && p.data.similar.status !== undefined, 'product');
    expectStatus('getAdminProduct', await api.getAdminProduct({ product_id: 'ZZZZZZZZZ2' }), 404);
    const s = await api.getAdminSearch({ query: 'wireless earbuds', response_limit: 3 });
    expectStatus('getAdminSearch', s, 200);
    if (s.status === 200) ok(s.data.query === 'wireless earbuds' && s.data.results.items.length <= 3, 'admin search');
  });

  await check('privacy: erase the user, nothing is left', async () => {
    const e = await api.eraseUser({ user_id: USER });
    expectStatus('eraseUser', e, 200);
    if (e.status === 200) ok(e.data.erased === true && e.data.events_deleted >= 1, `erased (${JSON.stringify(e.data)})`);
    const list = await api.getUserInteractions({ user_id: USER });
    expectStatus('getUserInteractions', list, 200);
    if (list.status === 200) ok(list.data.interactions.length === 0, 'no interaction left');
    expectStatus('eraseUser', await anonymous.eraseUser({ user_id: USER }), 401);
    expectStatus('eraseUser', await api.eraseUser({ user_id: 'bad-id!' }), 400);
  });

  await check('documentation: the dashboard and /docs (Swagger UI, local assets only)', async () => {
    const dash = await api.getDashboard();
    expectStatus('getDashboard', dash, 200);
    const docs = await api.getApiDocs();
    if (!DOCS_EMBEDDED) {
      expectStatus('getApiDocs', docs, 503);
      if (docs.status === 503) ok(docs.data.error === 'docs_unavailable' && docs.data.detail.includes('scripts/deps.sh'), 'says how to fix it');
      return;
    }
    expectStatus('getApiDocs', docs, 200);
    if (docs.status !== 200) return;
    const html = docs.data;
    ok((docs.headers.get('content-type') ?? '').startsWith('text/html'), 'text/html');
    ok(/script-src 'self'/.test(docs.headers.get('content-security-policy') ?? ''), 'a CSP allowing only the gateway');
    ok(!/(?:https?:)?\/\/[a-z0-9]/i.test(html.replace(/<!DOCTYPE[^>]*>/i, '')), 'no URL of another host in the page');
    ok(html.includes('data-spec="/openapi.yaml"'), 'the page shows the gateway\'s own document');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'));
    const want: Record<string, string> = { '.js': 'application/javascript', '.css': 'text/css', '.yaml': 'application/yaml' };
    const assets = refs.filter((u) => /\.(js|css)(\?|$)/.test(u));
    ok(assets.length >= 3, `the page loads its script, Swagger UI and its stylesheet (${refs.join(' ')})`);
    ok(['/docs/LICENSE', '/docs/NOTICE'].every((u) => refs.includes(u)), 'Swagger UI\'s license and notice are linked');
    for (const ref of refs) {
      ok(ref.startsWith('/'), `${ref} is a path on this gateway`);
      const res = await fetch(BASE + ref);
      ok(res.status === 200, `${ref}: ${res.status}`);
      const ext = (/\.(js|css|yaml)(?:\?|$)/.exec(ref) ?? [])[0]?.replace('?', '');
      const type = ext ? want[ext]! : 'text/plain';   // LICENSE, NOTICE, the bundle's licenses
      ok((res.headers.get('content-type') ?? '').startsWith(type), `${ref}: ${res.headers.get('content-type')}`);
      ok(res.headers.get('x-content-type-options') === 'nosniff' || ext === '.yaml', `${ref}: nosniff`);
      const cache = res.headers.get('cache-control') ?? '';
      if (ref.includes('?v=')) ok(/max-age=31536000/.test(cache) && /immutable/.test(cache), `${ref}: versioned, cached (${cache})`);
      else if (ext !== '.yaml') ok(cache === 'no-cache', `${ref}: revalidated (${cache})`);
      if (ref.startsWith('/docs/swagger-ui-bundle.js?')) ok((await res.text()).includes('SwaggerUIBundle'), 'the bundle');
      else await res.arrayBuffer();
    }
    const slash = await fetch(`${BASE}/docs/`);
    ok(slash.status === 200 && (await slash.text()) === html, '/docs/ is the same page');
    const unversioned = await fetch(`${BASE}/docs/swagger-ui.css`);
    ok(unversioned.status === 200 && unversioned.headers.get('cache-control') === 'no-cache', 'unversioned: revalidated');
    await unversioned.arrayBuffer();
    for (const bad of ['/docs/nope.js', '/docs/index.css', '/docs/swagger-ui-bundle.js.map']) {
      const res = await fetch(BASE + bad);
      ok(res.status === 404, `${bad}: ${res.status}`);
      await res.arrayBuffer();
    }
    const gz = await fetch(`${BASE}${assets.find((u) => u.startsWith('/docs/swagger-ui-bundle.js?'))}`, { headers: { 'accept-encoding': 'gzip' } });
    ok(gz.status === 200 && gz.headers.get('content-encoding') === 'gzip', 'the bundle is sent gzip-compressed');
    await gz.arrayBuffer();
  });

  await check('the client refuses an undocumented status', async () => {
    const strict = new HybridrecClient({ baseUrl: BASE, fetch: async () => new Response('{}', { status: 418 }) });
    let threw = false;
    try {
      await strict.getHealth();
    } catch (e) {
      threw = e instanceof HybridrecUndocumentedStatus && e.status === 418 && e.operationId === 'getHealth';
    }
    ok(threw, 'HybridrecUndocumentedStatus');
  });

  await check('every documented operation was called through the client', async () => {
    const missing = (Object.keys(OPERATIONS) as OperationId[]).filter((id) => !called.has(id));
    ok(missing.length === 0, `not exercised: ${missing.join(', ')}`);
    const noSuccess = [...called]
      .filter(([id, s]) => ![...s].some((x) => x >= 200 && x < 300) && !(id === 'getApiDocs' && !DOCS_EMBEDDED))
      .map(([id]) => id);
    ok(noSuccess.length === 0, `never answered 2xx: ${noSuccess.join(', ')}`);
    console.log(`     ${called.size} operations, statuses: ${[...called].map(([id, s]) => `${id} ${[...s].join('/')}`).join(', ')}`);
  });

  console.log(`${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.log(`FAIL ${e instanceof globalThis.Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
