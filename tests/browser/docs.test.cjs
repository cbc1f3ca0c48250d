/*  Swagger UI at /docs in Debian's headless Chromium (playwright-core, as
    dashboard.test.cjs; tests/browser/run.sh runs it against its stack):
    the page renders every operation of /openapi.yaml, "Try it out" calls
    this gateway, nothing is loaded from another host, and no page, console
    or CSP error is raised.  Skipped (with
    a line saying so) when the gateway was built without Swagger UI: /docs
    answering its 503 is client_ts_live's to check.

    Environment: HR_BROWSER_BASE, HR_ARTIFACTS, HR_CHROMIUM (as dashboard.test.cjs). */
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.HR_BROWSER_BASE || 'http://127.0.0.1:18560';
const ARTIFACTS = process.env.HR_ARTIFACTS || path.join(os.tmpdir(), 'hybridrec-artifacts');
const CHROMIUM = process.env.HR_CHROMIUM || '/usr/bin/chromium';

async function main() {
  const probe = await fetch(`${BASE}/docs`);
  await probe.arrayBuffer();
  if (probe.status === 503) {
    console.log('skip Swagger UI: this gateway was built without swagger-ui-dist (scripts/deps.sh)');
    return;
  }
  assert.equal(probe.status, 200, '/docs answers');
  const doc = await (await fetch(`${BASE}/openapi.yaml`)).text();
  const operations = (doc.match(/^\s+operationId: \w+$/gm) || []).length;
  assert.ok(operations > 10, 'the document lists its operations');

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hr-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  const elsewhere = [];
  try {
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.protocol === 'data:') return route.continue();
      elsewhere.push(u.href);
      return route.abort();
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    const t0 = Date.now();
    const res = await page.goto(`${BASE}/docs`);
    assert.equal(res.status(), 200);
    // Every operation is drawn (one .opblock each), with its operationId.
    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, operations,
      { timeout: 60000 });
    const drawn = await page.locator('.opblock').count();
    assert.equal(drawn, operations, 'one block per documented operation');
    const ids = await page.locator('.opblock .opblock-summary-operation-id').allTextContents();
    assert.ok(ids.includes('getApiDocs') && ids.includes('getHomeRecommendations'), `operation ids shown (${ids.length})`);
    assert.match(await page.locator('.info .title').first().textContent(), /hybridrec/);
    // Expanding one operation renders its parameters and responses.
    await page.locator('#operations-recommendations-getHomeRecommendations .opblock-summary').click();
    await page.locator('#operations-recommendations-getHomeRecommendations .responses-table').waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs-swagger-ui.png'), fullPage: false });
    // "Try it out" calls this gateway (servers: "/"; the CSP's connect-src 'self').
    const health = page.locator('#operations-operations-getHealth');
    await health.locator('.opblock-summary').click();
    await health.locator('button.try-out__btn').click();
    await health.locator('button.execute').click();
    const status = health.locator('.live-responses-table tbody tr.response .response-col_status').first();
    await status.waitFor({ timeout: 30000 });
    const code = (await status.textContent()).trim();
    if (code !== '200') await page.screenshot({ path: path.join(ARTIFACTS, 'docs-try-it-out.png'), fullPage: true });
    assert.equal(code, '200', 'Try it out: /healthz answers 200');
    assert.match(await health.locator('.request-url pre').first().textContent(), new RegExp(`^${BASE}/healthz`));
    console.log(`ok   Swagger UI renders ${drawn} operations (${Date.now() - t0} ms)`);
    assert.deepEqual(elsewhere, [], 'nothing is requested from another host');
    assert.deepEqual(problems, [], 'no page, console or CSP error');
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.log(`FAIL Swagger UI: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
});
