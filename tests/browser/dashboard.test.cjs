/*  The dashboard, end to end, in Debian's headless Chromium (playwright-core;
    never a downloaded browser) against a running stack (tests/browser/run.sh
    starts it).

    1. Seeds interactions through the public API (shoppers who click the same
       earbuds, one who also searches), retrains, waits until the services
       serve the new models.
    2. Loads each view as a person would, types a user id / product / query,
       and asserts on what is rendered; saves a screenshot of each.
    3. Fails on any page error or console error (a CSP violation is one).

    Environment: HR_BROWSER_BASE (http://127.0.0.1:PORT), HR_BIN_DIR,
    HR_ARTIFACTS (screenshots), HR_BROWSER_API_KEY (the stack's key, or empty),
    HR_CHROMIUM (default /usr/bin/chromium).                                 */
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { chromium } = require('playwright-core');

const BASE = process.env.HR_BROWSER_BASE || 'http://127.0.0.1:18560';
const BIN = process.env.HR_BIN_DIR;
const ARTIFACTS = process.env.HR_ARTIFACTS || path.join(os.tmpdir(), 'hybridrec-artifacts');
const KEY = process.env.HR_BROWSER_API_KEY || '';
const CHROMIUM = process.env.HR_CHROMIUM || '/usr/bin/chromium';
const RUN = Date.now().toString(36);          // fresh user ids on a reused database
const SHOPPER = `dash${RUN}a`;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}${e && e.cause ? `\n  cause: ${e.cause.stack || e.cause}` : ''}`);
  }
}

/* ------------------------------------------------------------ seeding */
async function api(method, target, body) {
  const headers = { 'content-type': 'application/json' };
  if (KEY) headers.authorization = `Bearer ${KEY}`;
  const res = await fetch(BASE + target, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}
async function click(user, product) {
  const r = await api('POST', '/api/v1/interactions/interactions', { user_id: user, event_type: 'product_click', product_id: product });
  assert.equal(r.status, 200, `click ${user} ${product}`);
}
async function search(user, query) {
  const r = await api('POST', '/api/v1/interactions/interactions', { user_id: user, event_type: 'search_query', query });
  assert.equal(r.status, 200, `search ${user} ${query}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function seed() {
  const s = await api('GET', '/api/v1/admin/search?query=wireless%20earbuds&response_limit=4');
  assert.equal(s.status, 200, 'admin search answers');
  const items = s.json.results.items;
  assert.ok(items.length >= 3, 'the sample catalog has earbuds');
  const ids = items.map((i) => i.id);
  // Five shoppers click the same earbuds in one session each: co-clicks for
  // collab and baskets for the rules miner.
  for (let u = 0; u < 5; u++)
    for (const id of ids) await click(`dash${RUN}s${u}`, id);
  await search(SHOPPER, 'running shoes');
  await click(SHOPPER, ids[0]);
  await click(SHOPPER, ids[1]);
  // Asynchronously: a blocked event loop would keep a keep-alive socket the
  // gateway closed meanwhile (idle timeout) and hand it to the next fetch.
  const train = await new Promise((resolve) =>
    execFile(path.join(BIN, 'hybridrec'), ['train', 'all'], { encoding: 'utf8', timeout: 120000 },
      (err, stdout, stderr) => resolve({ status: err ? (err.code ?? -1) : 0, stderr })));
  assert.equal(train.status, 0, `hybridrec train all: ${train.stderr}`);
  // The services poll for new model versions: wait until rules serve ours.
  const until = Date.now() + 60000;
  for (;;) {
    const p = await api('GET', `/api/v1/admin/product/${ids[0]}`);
    if (p.status === 200 && p.json.viewed_together.items.length > 0 && p.json.also_clicked.items.length > 0) break;
    assert.ok(Date.now() < until, 'the retrained models are served within 60 s');
    await sleep(500);
  }
  return { first: items[0], second: items[1] };
}

/* ------------------------------------------------------------ browser */
const PLACEHOLDER = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120"><rect width="120" height="120" fill="#d8dde6"/></svg>');

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const { first, second } = await seed();
  console.log(`seeded: shopper ${SHOPPER}, products ${first.id} ${second.id}`);

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hr-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Belt and braces with the route below: no name outside loopback resolves.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  try {
    // Product images point at the catalog's image host: never fetched here.
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.hostname === 'localhost') return route.continue();
      return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER });
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' && !/40[13]/.test(m.text())) problems.push(`console: ${m.text()}`); });
    const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });

    await check('static files: dashboard served with a CSP, no CDN', async () => {
      const res = await page.goto(`${BASE}/dashboard`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/);
      const html = await res.text();
      assert.doesNotMatch(html, /https?:\/\//, 'index.html loads nothing from elsewhere');
      for (const f of ['app.js', 'style.css']) {
        const r = await page.request.get(`${BASE}/dashboard/${f}`);
        assert.equal(r.status(), 200, f);
      }
      assert.equal((await page.request.get(`${BASE}/dashboard/../gw_admin.c`)).status(), 404);
      assert.equal((await page.request.get(`${BASE}/dashboard/secret.txt`)).status(), 404);
    });

    if (KEY) {
      await check('API key: admin calls are refused without it, the page asks, then works', async () => {
        const r = await page.request.get(`${BASE}/api/v1/admin/overview`);
        assert.equal(r.status(), 401);
        await page.locator('#banner').filter({ hasText: 'API key' }).waitFor({ timeout: 10000 });
        assert.ok(await page.locator('#keybox').evaluate((d) => d.open), 'the key box opens');
        await shot('0-needs-key');
        await page.fill('#apikey', KEY);
        await page.click('#keyform button[type=submit]');
        await page.locator('#banner').waitFor({ state: 'hidden', timeout: 10000 });
        assert.equal(await page.evaluate(() => sessionStorage.getItem('hybridrec.apiKey')), KEY);
      });
    }

    await check('overview: replicas, models, catalog, trending with images, metrics', async () => {
      await page.goto(`${BASE}/dashboard#overview`);
      await page.locator('#ov-models tr[data-strategy="rules"]').waitFor({ timeout: 15000 });
      for (const s of ['content', 'collab', 'trending', 'rules']) {
        const v = await page.locator(`#ov-models tr[data-strategy="${s}"] td.num`).textContent();
        assert.match(v, /^\d+$/, `${s} has a model version`);
      }
      for (const s of ['interactions', 'content', 'collab', 'trending', 'rules']) {
        const n = await page.locator(`#ov-services tr[data-service="${s}"] td.num`).textContent();
        assert.ok(Number(n) >= 1, `${s} has a live replica (${n})`);
      }
      assert.match(await page.locator('#card-products .v').textContent(), /^[1-9][\d,]*$/);
      assert.ok(await page.locator('#ov-trending .item img').count() >= 3, 'trending items with images');
      // The second /metrics sample turns counters into rates.
      await page.locator('#ov-endpoints tr[data-endpoint="interactions_post"]').waitFor({ timeout: 15000 });
      await page.waitForFunction(() => /^\d/.test(document.querySelector('#card-events .v')?.textContent || ''),
        null, { timeout: 20000 });
      const rate = await page.locator('#ov-endpoints tr[data-endpoint="admin"] td.num').first().textContent();
      assert.match(rate, /^\d+\.\d\d$/, 'admin endpoint req/s is computed');
      const p99 = await page.locator('#ov-endpoints tr[data-endpoint="interactions_post"] td.num').nth(2).textContent();
      assert.match(p99, /^\d+\.\d\d$/, 'all-time p99 from the histogram buckets');
      // The gateway's headroom from process_cpu_seconds_total and its broker's counters
      for (const p of ['gateway', 'broker']) {
        const cells = await page.locator(`#ov-capacity tr[data-process="${p}"] td.num`).allTextContents();
        assert.equal(cells.length, 5, `${p} capacity row`);
        assert.match(cells[1], /^\d+\.\d{3}$/, `${p} cores busy`);
        assert.match(cells[3], /^\d+$/, `${p} headroom per second`);
      }
      await shot('1-overview');
    });

    await check('shopper inspector: history, each strategy, merged /home with explanations', async () => {
      await page.click('#nav a[data-view="user"]');
      await page.fill('#user-id', SHOPPER);
      await page.click('#user-form button');
      const history = page.locator('#user-history');
      await history.waitFor({ timeout: 15000 });
      const text = await history.textContent();
      assert.ok(text.includes(first.name), 'the history shows the clicked product by name');
      assert.ok(text.includes('running shoes'), 'the history shows the search');
      assert.equal(await history.locator('tbody tr').count(), 3);
      const merged = page.locator('#user-merged .item');
      // On a loaded host /home can answer degraded (a service past the
      // deadline: a shorter list): load the user again until it is whole.
      const whole = () => document.querySelectorAll('#user-merged .item').length >= 3;
      for (let i = 0; i < 10; i++) {
        if (await page.waitForFunction(whole, null, { timeout: 5000 }).then(() => true, () => false)) break;
        await page.click('#user-form button');
      }
      await history.waitFor({ timeout: 15000 });
      assert.ok(await merged.count() >= 3, 'the merged /home list is rendered');
      assert.ok(await page.locator('#user-merged .item img').count() >= 3, 'with images');
      assert.ok(await page.locator('#user-merged .item .price').count() >= 3, 'with prices');
      const why = await page.locator('#user-merged .item .why').first().textContent();
      assert.match(why, /clicked|search|diverse/, 'each item says which signal');
      assert.ok(await page.locator('#user-merged .item .why .parts span').count() >= 1, 'score parts bar');
      const clickedItems = page.locator('#user-strategies [data-strategy="content_clicked"] .item');
      assert.ok(await clickedItems.count() >= 1, 'content (clicked) list');
      assert.ok((await clickedItems.first().textContent()).includes(first.name.slice(0, 20)) ||
        (await clickedItems.first().textContent()).includes(second.name.slice(0, 20)), 'names the clicked source');
      assert.ok(await page.locator('#user-strategies [data-strategy="content_search"] .item').count() >= 1, 'search list');
      assert.ok(await page.locator('#user-strategies [data-strategy="diverse"] .item').count() >= 1, 'diverse list');
      assert.equal(await page.locator('#user-strategies > .panel').count(), 6, 'all six strategy lists (collab answers two)');
      await shot('2-shopper');
    });

    await check('product inspector: similar, also clicked, viewed together with the rule', async () => {
      await page.click('#nav a[data-view="product"]');
      await page.fill('#product-id', first.id);
      await page.click('#product-form button');
      await page.locator('#product-head').waitFor({ timeout: 15000 });
      assert.ok((await page.locator('#product-head h2').textContent()).includes(first.name.slice(0, 30)));
      assert.ok(await page.locator('#product-similar .item img').count() >= 3, 'similar items with images');
      assert.ok(await page.locator('#product-also .item').count() >= 1, 'also clicked');
      const together = page.locator('#product-together .item');
      assert.ok(await together.count() >= 1, 'frequently viewed together');
      assert.ok((await together.first().locator('.why').textContent()).includes(first.name.slice(0, 20)),
        'the rule antecedent is named');
      await shot('3-product');
    });

    await check('clicking a card opens that product', async () => {
      const card = page.locator('#product-similar .item').first();
      const id = await card.getAttribute('data-id');
      await card.click();
      await page.waitForFunction((want) => document.querySelector('#product-id').value === want, id);
      await page.locator(`#product-head .meta:has-text("${id}")`).waitFor({ timeout: 15000 });
    });

    await check('search playground: tokens, typo correction, scored results', async () => {
      await page.click('#nav a[data-view="search"]');
      await page.fill('#search-q', 'wireless headphnes');
      await page.click('#search-form button');
      const token = page.locator('#search-analysis .token[data-token="headphnes"]');
      await token.waitFor({ timeout: 15000 });
      assert.match(await token.textContent(), /typo → headphones/);
      assert.ok(await page.locator('#search-analysis .token[data-token="wireless"]').count() === 1);
      const rows = page.locator('#search-results tbody tr');
      assert.ok(await rows.count() >= 5, 'results are listed');
      assert.match(await rows.first().locator('td.num').nth(1).textContent(), /^\d/, 'with a score');
      assert.equal(await page.locator('#search-fallback').count(), 0);
      await shot('4-search');
    });

    await check('search playground: the fallback when nothing matches', async () => {
      await page.fill('#search-q', 'qqzzxxv');
      await page.click('#search-form button');
      await page.locator('#search-fallback').waitFor({ timeout: 15000 });
      assert.match(await page.locator('#search-fallback h2').textContent(), /404/);
      assert.ok(await page.locator('#search-fallback .item').count() >= 1, 'trending items instead');
      await shot('5-search-fallback');
    });

    await check('phone-sized screen: no sideways scrolling', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${BASE}/dashboard#user/${SHOPPER}`);
      await page.locator('#user-merged .item').first().waitFor({ timeout: 15000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
      await shot('6-shopper-phone');
    });

    await check('no page or console errors (CSP included)', async () => {
      assert.deepEqual(problems, []);
    });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => {
  console.log(`screenshots in ${ARTIFACTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, (e) => {
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}${e && e.cause ? `\n  cause: ${e.cause.stack || e.cause}` : ''}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
