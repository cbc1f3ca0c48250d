/*  hybridrec dashboard — plain JS, no framework, no build step.

    Views are addressed by the URL hash (#overview, #user/ID, #product/ID,
    #search/QUERY) so every state is a link.  Data comes from the gateway:
    /api/v1/admin/* (with the API key from sessionStorage when one is set),
    /recommendations/home?explain=true (the merged list, exactly as served)
    and /metrics (Prometheus text: rates and p99 are computed here from the
    counters and histogram buckets of two samples).  Every string from the
    API goes into the page through textContent, never as HTML.             */
'use strict';
(() => {
  const KEY_STORE = 'hybridrec.apiKey';
  const POLL_MS = 5000;
  const WINDOW_MS = 60000;        // rates and p99 over the last minute of samples
  const $ = (sel) => document.querySelector(sel);

  /* ------------------------------------------------------------ DOM helpers */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style') Object.assign(el.style, v);   // CSSOM: allowed by the CSP, attributes are not
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }
  const clear = (el, ...kids) => { el.replaceChildren(...kids.flat().filter(Boolean)); return el; };
  const fmtNum = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v)) ? '—'
    : Number(v).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const fmtScore = (v) => (typeof v === 'number' ? v.toPrecision(3) : '—');
  function fmtAge(ms) {
    if (ms < 0 || !Number.isFinite(ms)) return '';
    const s = Math.round(ms / 1000);
    if (s < 90) return `${s} s ago`;
    if (s < 5400) return `${Math.round(s / 60)} min ago`;
    if (s < 172800) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} days ago`;
  }
  const fmtTime = (ms) => new Date(ms).toLocaleString();
  const safeImage = (url) => (typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null);

  /* ------------------------------------------------------------ API */
  const apiKey = () => sessionStorage.getItem(KEY_STORE) || '';

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function getJSON(path) {
    const headers = { Accept: 'application/json' };
    // Sent on every call: a stack that protects more than /admin gets it too.
    if (apiKey()) headers.Authorization = `Bearer ${apiKey()}`;
    const res = await fetch(path, { headers, cache: 'no-store' });
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    // 401: no key sent; 403: a key that is not configured
    if (res.status === 401 || res.status === 403) {
      needKey(res.status === 403 ? 'The API key was refused.' : 'The admin endpoints need an API key.');
      throw new ApiError(401, 'unauthorized: enter the API key at the top right');
    }
    // /recommendations/search answers 404 with a body when nothing matches
    if (!res.ok && !(body && (body.results || body.personalized)))
      throw new ApiError(res.status, body && body.detail ? `${body.error}: ${body.detail}` : `HTTP ${res.status}`);
    return body;
  }

  /* ------------------------------------------------------------ key box */
  function showBanner(text, bad) {
    const b = $('#banner');
    if (!text) { b.hidden = true; return; }
    b.textContent = text;
    b.className = bad ? 'banner bad' : 'banner';
    b.hidden = false;
  }
  function needKey(text) {
    showBanner(text, true);
    $('#keybox').open = true;
    $('#apikey').focus();
  }
  function refreshKeyState() {
    const s = $('#keystate');
    s.textContent = apiKey() ? 'API key ✓' : 'API key';
    s.classList.toggle('set', !!apiKey());
  }
  function initKeyBox() {
    $('#keyform').addEventListener('submit', (e) => {
      e.preventDefault();
      const v = $('#apikey').value.trim();
      if (v) sessionStorage.setItem(KEY_STORE, v);
      $('#apikey').value = '';
      $('#keybox').open = false;
      showBanner('');
      refreshKeyState();
      route();
    });
    $('#keyclear').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORE);
      refreshKeyState();
    });
    refreshKeyState();
  }

  /* ------------------------------------------------------------ products */
  function priceLine(p) {
    const price = typeof p.price === 'number' ? fmtNum(p.price, p.price % 1 ? 2 : 0) : '—';
    const orig = typeof p.original_price === 'number' && p.original_price > (p.price || 0)
      ? h('s', { text: fmtNum(p.original_price, p.original_price % 1 ? 2 : 0) }) : null;
    return h('div', { class: 'price' }, price, orig);
  }
  function image(p, cls) {
    const src = safeImage(p && p.image);
    return src ? h('img', { src, alt: '', loading: 'lazy', class: cls, referrerpolicy: 'no-referrer' })
      : h('div', { class: 'noimg' });
  }
  function tag(name, extra) { return h('span', { class: `tag ${name}${extra ? ' ' + extra : ''}`, text: name }); }
  function sourceText(it) {
    if (it.source_items && it.source_items.length)
      return it.source_items.map((s) => s.name || s.id).join(' + ');
    return it.source || '';
  }
  /*  One product card; `why` is an optional element under it.             */
  function itemCard(p, opts = {}) {
    const meta = [];
    if (opts.strategy) meta.push(tag(opts.strategy));
    if (typeof opts.score === 'number') meta.push(`score ${fmtScore(opts.score)}`);
    const rating = typeof p.rating === 'number' ? `★ ${p.rating.toFixed(1)} (${fmtNum(p.reviews)})` : '';
    return h('div', {
      class: 'item', 'data-id': p.id, title: `${p.name}\n${p.category || ''}\n${p.id}`, tabindex: 0,
      onclick: () => { location.hash = `#product/${p.id}`; },
      onkeydown: (e) => { if (e.key === 'Enter') location.hash = `#product/${p.id}`; },
    },
    opts.rank ? h('span', { class: 'rank', text: `#${opts.rank}` }) : null,
    image(p),
    h('div', { class: 'name', text: p.name }),
    priceLine(p),
    h('div', { class: 'meta' }, rating),
    meta.length ? h('div', { class: 'meta' }, meta) : null,
    opts.why || null);
  }
  /*  An admin list {status, total, items[]} as a grid of cards.           */
  function adminList(list, emptyText, inspected) {
    const wrap = h('div');
    if (!list) return wrap;
    const status = list.status === 'ok' ? null
      : h('p', { class: 'status' }, tag(list.status, list.status === 'not_asked' ? 'warn' : 'bad'),
        list.detail ? ` ${list.detail}` : '');
    wrap.append(status || '');
    if (!list.items || list.items.length === 0) {
      wrap.append(h('p', { class: 'empty', text: emptyText || 'nothing' }));
      return wrap;
    }
    wrap.append(h('div', { class: 'items' }, list.items.map((it, i) => {
      // Every item of a product's own lists comes from that product: say it once, not per card.
      const src = it.source === inspected ? '' : sourceText(it);
      const why = src ? h('div', { class: 'why src' }, 'from ', h('b', { text: src })) : null;
      return itemCard(it, { rank: i + 1, score: it.score, strategy: it.strategy, why });
    })));
    return wrap;
  }
  function panel(title, ...kids) { return h('div', { class: 'panel' }, h('h2', {}, title), ...kids); }
  const loading = (el, what) => clear(el, h('p', { class: 'loading', text: `Loading ${what}…` }));
  const failed = (el, e) => clear(el, h('p', { class: 'error', text: e.message || String(e) }));

  /* ------------------------------------------------------------ metrics */
  const samples = [];             // {t, eps: {endpoint: {count, buckets: [[le, cum]]}}, events, proc}
  /*  The constants of docs/scaling.md's capacity model (bench/capacity.sh),
      as in `hybridrec capacity`: the gateway's CPU per API request, the
      broker's messages per CPU second and the share of its thread to keep. */
  const GATEWAY_MS_PER_REQUEST = 0.47, BROKER_MESSAGES_PER_CPU_S = 45000, BROKER_TARGET = 0.7;
  const API_ENDPOINTS = new Set(['home', 'product', 'search', 'interactions_post', 'interactions_get', 'events']);

  function parseProm(text) {
    const eps = {};
    const proc = { cpu: NaN, api: 0, bcpu: 0, bmsgs: 0, broker: false };
    let events = 0;
    const ep = (name) => (eps[name] ||= { count: 0, buckets: new Map() });
    for (const line of text.split('\n')) {
      if (!line || line[0] === '#') continue;
      const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels = {};
      for (const l of (m[2] || '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      const v = Number(m[3]);
      if (m[1] === 'process_cpu_seconds_total') proc.cpu = v;
      else if (m[1] === 'hr_broker_cpu_seconds') { proc.bcpu += v; proc.broker = true; }
      else if (m[1] === 'hr_broker_messages_total') proc.bmsgs += v;
      if (!labels.endpoint || !Number.isFinite(v)) continue;
      if (m[1] === 'hr_gateway_requests_total' && API_ENDPOINTS.has(labels.endpoint)) proc.api += v;
      if (m[1] === 'hr_gateway_requests_total') {
        ep(labels.endpoint).count += v;
        if (labels.endpoint === 'interactions_post' && Number(labels.status) < 300) events += v;
      } else if (m[1] === 'hr_gateway_request_seconds_bucket') {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
        const b = ep(labels.endpoint).buckets;
        b.set(le, (b.get(le) || 0) + v);
      }
    }
    for (const e of Object.values(eps))
      e.buckets = [...e.buckets.entries()].sort((a, b) => a[0] - b[0]);
    return { eps, events, proc };
  }

  /*  The q-quantile (seconds) from cumulative buckets, interpolated.      */
  function quantile(buckets, q) {
    if (!buckets.length) return NaN;
    const total = buckets[buckets.length - 1][1];
    if (total <= 0) return NaN;
    const rank = q * total;
    let prevLe = 0, prevCum = 0;
    for (const [le, cum] of buckets) {
      if (cum >= rank) {
        if (!Number.isFinite(le)) return prevLe;
        if (cum === prevCum) return le;
        return prevLe + (le - prevLe) * (rank - prevCum) / (cum - prevCum);
      }
      prevLe = le; prevCum = cum;
    }
    return prevLe;
  }
  function bucketDelta(cur, old) {
    const o = new Map(old ? old.buckets : []);
    return cur.buckets.map(([le, cum]) => [le, Math.max(0, cum - (o.get(le) || 0))]);
  }

  async function sampleMetrics() {
    const res = await fetch('/metrics', { cache: 'no-store', headers: apiKey() ? { Authorization: `Bearer ${apiKey()}` } : {} });
    if (!res.ok) throw new Error(`/metrics: HTTP ${res.status}`);
    const s = parseProm(await res.text());
    s.t = performance.now();
    samples.push(s);
    while (samples.length > 2 && s.t - samples[1].t >= WINDOW_MS) samples.shift();
    return s;
  }

  function renderEndpoints() {
    const table = $('#ov-endpoints');
    const cur = samples[samples.length - 1];
    if (!cur) return;
    const old = samples.length > 1 ? samples[0] : null;
    const dt = old ? (cur.t - old.t) / 1000 : 0;
    $('#ov-window').textContent = old ? `(last ${Math.round(dt)} s)` : '(since start; rates after the next sample)';
    const names = Object.keys(cur.eps).filter((n) => cur.eps[n].count > 0).sort((a, b) => cur.eps[b].count - cur.eps[a].count);
    const rows = names.map((n) => {
      const e = cur.eps[n], o = old && old.eps[n];
      const rate = old ? (e.count - (o ? o.count : 0)) / dt : NaN;
      const winP99 = old ? quantile(bucketDelta(e, o), 0.99) : NaN;
      const allP99 = quantile(e.buckets, 0.99);
      return h('tr', { 'data-endpoint': n }, h('td', { text: n }),
        h('td', { class: 'num', text: Number.isFinite(rate) ? rate.toFixed(2) : '—' }),
        h('td', { class: 'num', text: Number.isFinite(winP99) ? (winP99 * 1000).toFixed(2) : '—' }),
        h('td', { class: 'num', text: Number.isFinite(allP99) ? (allP99 * 1000).toFixed(2) : '—' }),
        h('td', { class: 'num', text: fmtNum(e.count) }));
    });
    clear(table, h('thead', {}, h('tr', {}, h('th', { text: 'endpoint' }), h('th', { class: 'num', text: 'req/s' }),
      h('th', { class: 'num', text: 'p99 ms' }), h('th', { class: 'num', text: 'p99 ms (all time)' }),
      h('th', { class: 'num', text: 'requests' }))), h('tbody', {}, rows));
    renderCapacity(cur, old, dt);
    const epm = old ? (cur.events - old.events) / dt * 60 : NaN;
    const card = $('#card-events');
    if (card) card.querySelector('.v').textContent = Number.isFinite(epm) ? epm.toFixed(1) : '…';
  }

  /*  This gateway's headroom, as `hybridrec capacity` computes it (that
      command also covers the service replicas, whose /metrics the browser
      does not see): rate, cores busy, CPU per request (live once the window
      saw 50, else the measured constant) and requests/s more before one core
      (the broker: 70 % of its thread).                                     */
  function renderCapacity(cur, old, dt) {
    const table = $('#ov-capacity');
    if (!table) return;
    const row = (name, work, cpu, modelMs, cores, perHttp) => {
      const rate = work / dt, busy = cpu / dt;
      const live = work >= 50 && cpu > 0;
      const ms = live ? 1000 * cpu / work : modelMs;
      const headroom = Math.max(0, 1000 * (cores - busy) / ms);
      const num = (v, d) => h('td', { class: 'num', text: Number.isFinite(v) ? v.toFixed(d) : '—' });
      return h('tr', { 'data-process': name }, h('td', { text: name }), num(rate, 1), num(busy, 3),
        h('td', { class: 'num', text: `${ms.toFixed(3)}${live ? '' : ' (model)'}` }), num(headroom, 0),
        num(perHttp > 0 ? headroom / perHttp : NaN, 0));
    };
    const rows = [];
    if (old && Number.isFinite(cur.proc.cpu) && Number.isFinite(old.proc.cpu)) {
      const api = cur.proc.api - old.proc.api;
      rows.push(row('gateway', api, cur.proc.cpu - old.proc.cpu, GATEWAY_MS_PER_REQUEST, 1, 1));
      if (cur.proc.broker) {
        const msgs = cur.proc.bmsgs - old.proc.bmsgs;
        rows.push(row('broker', msgs, cur.proc.bcpu - old.proc.bcpu, 1000 / BROKER_MESSAGES_PER_CPU_S,
          BROKER_TARGET, api >= 50 ? msgs / api : 4.0));
      }
    }
    clear(table, h('thead', {}, h('tr', {}, h('th', { text: 'process' }), h('th', { class: 'num', text: 'rate/s' }),
      h('th', { class: 'num', text: 'cores' }), h('th', { class: 'num', text: 'CPU ms each' }),
      h('th', { class: 'num', text: 'headroom/s' }), h('th', { class: 'num', text: 'HTTP req/s' }))),
      h('tbody', {}, rows));
  }

  /* ------------------------------------------------------------ overview */
  let overviewTimer = null;

  function card(id, k, v) { return h('div', { class: 'card', id }, h('div', { class: 'k', text: k }), h('div', { class: 'v', text: v })); }

  function renderOverview(o) {
    const svc = o.services || {};
    const core = ['interactions', 'content', 'collab', 'trending', 'rules'];
    const live = core.filter((s) => svc[s] > 0).length;
    const prevEvents = $('#card-events') ? $('#card-events .v').textContent : '…';
    clear($('#ov-cards'),
      card('card-events', 'events / min', prevEvents),
      card('card-products', 'catalog products', fmtNum(o.catalog.products)),
      card('card-version', 'catalog version', o.catalog.version < 0 ? 'none' : String(o.catalog.version)),
      card('card-services', 'services with replicas', `${live} / ${core.length}`),
      card('card-inflight', 'requests waiting', String(o.gateway.inflight)));
    const names = Object.keys(svc).sort();
    clear($('#ov-services'), h('thead', {}, h('tr', {}, h('th', { text: 'service' }), h('th', { class: 'num', text: 'live replicas' }),
      h('th', { text: 'circuit' }))),
    h('tbody', {}, names.map((n) => h('tr', { 'data-service': n }, h('td', { text: n }),
      h('td', { class: 'num' }, svc[n] > 0 ? String(svc[n]) : tag('0', 'bad')),
      h('td', {}, o.gateway.circuits[n] ? tag(o.gateway.circuits[n], o.gateway.circuits[n] === 'closed' ? 'ok' : 'bad') : '')))),
    o.broker !== 'ok' ? h('caption', { class: 'error', text: `broker: ${o.broker}` }) : null);
    const models = o.models.items || [];
    clear($('#ov-models'), h('thead', {}, h('tr', {}, h('th', { text: 'strategy' }), h('th', { class: 'num', text: 'version' }),
      h('th', { text: 'trained' }), h('th', { text: 'validation' }))),
    h('tbody', {}, models.map((m) => {
      const at = m.trained_at ? Date.parse(m.trained_at) : NaN;
      return h('tr', { 'data-strategy': m.strategy }, h('td', {}, tag(m.strategy)),
        h('td', { class: 'num', text: m.version ? String(m.version) : 'never trained' }),
        h('td', { title: m.trained_at || '', text: Number.isFinite(at) ? `${fmtTime(at)} (${fmtAge(o.now_ms - at)})` : '—' }),
        h('td', { class: 'validation', text: validation(m) }));
    })),
    o.models.status !== 'ok' ? h('caption', { class: 'status', text: `model info: ${o.models.status}` }) : null);
    clear($('#ov-trending'), adminList(o.trending, 'no trending items (is trending-svc trained?)'));
  }

  /*  The merge model's check on held-out sessions (hybridrec train merge). */
  function validation(m) {
    const v = m.meta || {};
    if (typeof v.hr20 !== 'number') return '';
    const served = typeof v.served_hr20 === 'number' ? ` vs ${v.served} merge ${v.served_hr20.toFixed(3)}` : '';
    return `HR@20 ${v.hr20.toFixed(3)}${served} (${v.check_predictions} held-out predictions)`;
  }

  async function pollOverview() {
    try {
      const [o] = await Promise.all([getJSON('/api/v1/admin/overview'),
        sampleMetrics().catch((e) => { showBanner(e.message, true); })]);
      renderOverview(o);
      renderEndpoints();
    } catch (e) {
      if (e.status !== 401) showBanner(`overview: ${e.message}`, true);
    }
  }
  function showOverview() {
    if (!overviewTimer) {
      pollOverview();
      overviewTimer = setInterval(pollOverview, POLL_MS);
    }
  }
  function leaveOverview() {
    clearInterval(overviewTimer);
    overviewTimer = null;
  }

  /* ------------------------------------------------------------ shopper */
  const SIGNAL_OF = { content_clicked: 'clicked', collab: 'clicked', rules: 'clicked', content_search: 'search', diverse: 'diverse', seqrules: 'clicked' };
  const STRATEGY_TITLES = {
    content_clicked: 'Content · similar to clicked', collab: 'Collaborative · for this user',
    rules: 'Rules · frequently viewed together', content_search: 'Content · from recent searches',
    diverse: 'Trending · diverse picks', seqrules: 'Sequential rules · what sessions click next',
  };

  function historyTable(events) {
    if (!events.length) return h('p', { class: 'empty', text: 'No interactions in the last 30 days: /home serves this user no personalized items.' });
    return h('div', { class: 'scroll' }, h('table', { class: 'tbl', id: 'user-history' },
      h('thead', {}, h('tr', {}, h('th', { text: 'when' }), h('th', { text: 'type' }), h('th', { text: '' }), h('th', { text: 'item or query' }))),
      h('tbody', {}, events.map((e) => h('tr', { 'data-type': e.type },
        h('td', { text: `${fmtTime(e.ts_ms)}` }),
        h('td', {}, tag(e.type === 'click' ? 'clicked' : 'search')),
        h('td', {}, e.product ? image(e.product) : ''),
        h('td', {}, e.type === 'click'
          ? (e.product ? h('a', { href: `#product/${e.value}`, text: e.product.name }) : h('span', { text: `${e.value} (not in the catalog)` }))
          : h('a', { href: `#search/${encodeURIComponent(e.value)}`, text: `“${e.value}”` })))))));
  }

  /*  Why an item of /home is there: signal, strategy, source, parts.      */
  function explainBox(ex, names) {
    if (!ex) return null;
    const parts = Object.entries(ex.parts || {});
    const total = parts.reduce((a, [, v]) => a + v, 0) || 1;
    let src = ex.source || '';
    if (src) src = src.split('+').map((id) => names.get(id) || id).join(' + ');
    return h('div', { class: 'why' },
      h('div', {}, tag(ex.signal), ex.strategy !== ex.signal ? tag(ex.strategy) : null),
      src ? h('div', { class: 'src' }, ex.signal === 'search' ? 'query ' : 'because of ', h('b', { text: src })) : null,
      h('div', { class: 'parts', title: parts.map(([k, v]) => `${k} ${v.toPrecision(3)}`).join('\n') },
        parts.map(([k, v]) => h('span', { class: k, style: { width: `${(100 * v / total).toFixed(1)}%` } }))),
      h('div', { class: 'meta', text: parts.map(([k, v]) => `${k} ${v.toPrecision(2)}`).join(' · ') }));
  }

  async function loadUser(id) {
    const out = $('#user-out');
    $('#user-id').value = id;
    loading(out, `user ${id}`);
    try {
      const [u, home] = await Promise.all([
        getJSON(`/api/v1/admin/user/${encodeURIComponent(id)}?response_limit=12`),
        getJSON(`/recommendations/home?user_id=${encodeURIComponent(id)}&explain=true&response_limit=20`),
      ]);
      const names = new Map();
      for (const e of u.history.events) if (e.product) names.set(e.value, e.product.name);
      for (const l of Object.values(u.strategies))
        for (const it of l.items) for (const s of it.source_items || []) names.set(s.id, s.name);
      const w = u.weights;
      const clicks = u.history.events.filter((e) => e.type === 'click').length;
      clear(out,
        panel(h('span', {}, 'History of ', h('b', { text: u.user_id }), h('small', { text: ` ${clicks} clicks, ${u.history.events.length - clicks} searches in ${u.history.days} days` })),
          u.history.status !== 'ok' ? h('p', { class: 'status' }, tag(u.history.status, 'bad')) : null,
          historyTable(u.history.events)),
        panel(h('span', {}, 'Merged /home personalized ', h('small', { text: `= ${w.clicked} × clicked (content ${w.clicked_content}, collab ${w.clicked_collab}, rules ${w.clicked_rules}, sequential rules ${w.clicked_seqrules}) + ${w.search} × search + ${w.diverse} × diverse` })),
          home.degraded ? h('p', { class: 'status' }, 'degraded: ', home.degraded.map((d) => tag(d, 'bad'))) : null,
          home.personalized.length
            ? h('div', { class: 'items', id: 'user-merged' }, home.personalized.map((p, i) => itemCard(p, { rank: i + 1, why: explainBox(p.explain, names) })))
            : h('p', { class: 'empty', text: 'No personalized items.' })),
        h('div', { class: 'strategies', id: 'user-strategies' },
          Object.keys(STRATEGY_TITLES).map((k) => h('div', { class: 'panel', 'data-strategy': k },
            h('h3', {}, tag(SIGNAL_OF[k]), ` ${STRATEGY_TITLES[k]}`, h('small', { text: u.strategies[k] ? ` ${u.strategies[k].total} from the service` : '' })),
            adminList(u.strategies[k], k === 'diverse' ? 'no picks' : 'nothing from this strategy')))));
    } catch (e) { failed(out, e); }
  }

  /* ------------------------------------------------------------ product */
  async function loadProduct(id) {
    const out = $('#product-out');
    $('#product-id').value = id;
    loading(out, `product ${id}`);
    try {
      const d = await getJSON(`/api/v1/admin/product/${encodeURIComponent(id)}?response_limit=12`);
      const p = d.product || { id, name: id };
      clear(out,
        h('div', { class: 'panel product-head', id: 'product-head' }, image(p),
          h('div', {}, h('h2', { text: p.name }), h('div', { class: 'meta', text: `${p.category || ''} · ${p.id}` }), priceLine(p),
            typeof p.rating === 'number' ? h('div', { text: `★ ${p.rating.toFixed(1)} (${fmtNum(p.reviews)} ratings)` }) : null)),
        h('div', { class: 'strategies' },
          h('div', { class: 'panel', id: 'product-similar' }, h('h3', {}, tag('content'), ' Similar items'),
            adminList(d.similar, 'no similar items (is content-svc trained?)', id)),
          h('div', { class: 'panel', id: 'product-also' }, h('h3', {}, tag('collab'), ' Also clicked'),
            adminList(d.also_clicked, 'nobody clicked this together with anything yet', id)),
          h('div', { class: 'panel', id: 'product-together' }, h('h3', {}, tag('rules'), ' Frequently viewed together'),
            h('p', { class: 'status', text: 'Each item is a rule’s consequent; “from” is the rule’s antecedent (shoppers who viewed it also viewed the item).' }),
            adminList(d.viewed_together, 'no rule has this product in its antecedent'))));
    } catch (e) { failed(out, e); }
  }

  /* ------------------------------------------------------------ search */
  function analysisView(a) {
    if (!a || a.status !== 'ok' || !a.result)
      return h('p', { class: 'status' }, tag(a ? a.status : 'missing', 'bad'), a && a.detail ? ` ${a.detail}` : '');
    const r = a.result;
    return h('div', { id: 'search-analysis' },
      h('h3', { text: 'Tokens' }),
      h('div', { class: 'tokens' }, (r.tokens || []).map((t) => h('div', { class: `token${t.known ? '' : ' unknown'}`, 'data-token': t.token },
        h('b', { text: t.token }), ' → ', h('code', { text: t.stem }),
        t.correction ? h('span', { class: 'fix', text: ` typo → ${t.correction}` }) : null,
        t.known ? null : h('small', { text: ' (not in the vocabulary)' })))),
      h('h3', { text: 'How each word is matched' }),
      (r.clauses || []).length === 0 ? h('p', { class: 'empty', text: 'no searchable words' }) : null,
      h('ol', { class: 'alts' }, (r.clauses || []).map((alts) => h('li', {},
        alts.map((alt, i) => h('span', {}, i ? ' or ' : '', tag(alt.kind), h('code', { text: alt.terms.join(' ') }),
          h('small', { text: ` ×${Number(alt.weight).toFixed(2)}` })))))),
      h('p', { class: 'meta', text: `semantic (embedding) matching: ${r.semantic ? 'used' : 'not available for this query'}` }));
  }

  function resultsTable(list) {
    return h('div', { class: 'scroll' }, h('table', { class: 'tbl', id: 'search-results' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num', text: '#' }), h('th', { text: '' }), h('th', { text: 'product' }),
        h('th', { class: 'num', text: 'score' }), h('th', { class: 'num', text: 'price' }))),
      h('tbody', {}, list.items.map((it, i) => h('tr', { 'data-id': it.id },
        h('td', { class: 'num', text: String(i + 1) }), h('td', {}, image(it)),
        h('td', {}, h('a', { href: `#product/${it.id}`, text: it.name }), h('div', { class: 'meta', text: it.category || '' })),
        h('td', { class: 'num', text: fmtScore(it.score) }),
        h('td', { class: 'num', text: typeof it.price === 'number' ? fmtNum(it.price, it.price % 1 ? 2 : 0) : '—' }))))));
  }

  async function loadSearch(q) {
    const out = $('#search-out');
    $('#search-q').value = q;
    loading(out, `“${q}”`);
    try {
      const d = await getJSON(`/api/v1/admin/search?query=${encodeURIComponent(q)}&response_limit=30`);
      const r = d.results;
      clear(out,
        panel(h('span', {}, 'Analysis of ', h('b', { text: `“${d.query}”` })), analysisView(d.analysis)),
        panel(h('span', {}, 'Results ', h('small', { text: r.status === 'ok' ? `top ${r.items.length} of ${r.total} returned` : '' })),
          r.status !== 'ok' ? h('p', { class: 'status' }, tag(r.status, 'bad'), r.detail ? ` ${r.detail}` : '') : null,
          r.items.length ? resultsTable(r) : h('p', { class: 'empty', text: 'No product matches this query.' })),
        d.fallback ? h('div', { class: 'panel', id: 'search-fallback' },
          h('h2', {}, 'Fallback ', h('small', { text: d.fallback.reason === 'no_search_matches'
            ? '/recommendations/search answers 404 with these trending items'
            : '/recommendations/search answers 200 with these trending items (search is unavailable)' })),
          adminList(d.fallback.list, 'no trending items either')) : null);
    } catch (e) { failed(out, e); }
  }

  /* ------------------------------------------------------------ routing */
  const views = {
    overview: { enter: showOverview, leave: leaveOverview },
    user: { enter: (arg) => arg && loadUser(arg) },
    product: { enter: (arg) => arg && loadProduct(arg) },
    search: { enter: (arg) => arg && loadSearch(arg) },
  };
  let current = null;

  function route() {
    const m = /^#([a-z]+)(?:\/(.*))?$/.exec(location.hash);
    const name = m && views[m[1]] ? m[1] : 'overview';
    let arg = '';
    try { arg = m && m[2] ? decodeURIComponent(m[2]) : ''; } catch (_) { arg = ''; }
    if (current && current !== name && views[current].leave) views[current].leave();
    current = name;
    for (const v of Object.keys(views)) $(`#view-${v}`).hidden = v !== name;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === name);
    views[name].enter(arg);
  }

  function bindForm(form, input, view) {
    $(form).addEventListener('submit', (e) => {
      e.preventDefault();
      const v = $(input).value.trim();
      if (!v) return;
      const target = `#${view}/${encodeURIComponent(v)}`;
      if (location.hash === target) route(); else location.hash = target;
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    initKeyBox();
    bindForm('#user-form', '#user-id', 'user');
    bindForm('#product-form', '#product-id', 'product');
    bindForm('#search-form', '#search-q', 'search');
    window.addEventListener('hashchange', route);
    route();
  });
})();
