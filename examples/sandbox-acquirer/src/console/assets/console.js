// Hutong QA console. Plain JS, no framework, no build step.
//
// Every value shown here can come from an attacker (a merchant name, a payload, a request
// body), so the page builds its DOM with createElement/textContent only: no HTML parsing of
// strings, no string-built markup, no inline handlers (the CSP forbids them anyway).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // ---- DOM helpers -------------------------------------------------------------------------

  /** el('td', {class: 'num', title: t}, child, 'text', ...): children are nodes or text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = String(v);
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function showError(id, err) {
    const p = $(id);
    if (!err) { p.hidden = true; p.textContent = ''; return; }
    p.textContent = err instanceof Error ? err.message : String(err);
    p.hidden = false;
  }

  /** A definition list from [label, value, mono?] rows; empty values are skipped. */
  function fillKv(dl, rows) {
    dl.replaceChildren();
    for (const [label, value, mono] of rows) {
      if (value === undefined || value === null || value === '') continue;
      dl.append(el('dt', { text: label }), el('dd', { class: mono ? 'mono' : null, text: value }));
    }
  }

  // ---- Data helpers ------------------------------------------------------------------------

  let exponents = { CNY: 2 };

  /** Minor units to a decimal string by string arithmetic (no floats touch money). */
  function money(minor, currency) {
    if (minor === undefined || minor === null) return '';
    const e = exponents[currency];
    if (e === undefined) return `${minor} ${currency} (minor units)`;
    const neg = minor < 0;
    let digits = String(Math.abs(minor)).padStart(e + 1, '0');
    const whole = digits.slice(0, digits.length - e);
    const frac = e > 0 ? '.' + digits.slice(digits.length - e) : '';
    return `${neg ? '-' : ''}${whole}${frac} ${currency}`;
  }

  function time(ms) {
    if (!ms) return '';
    const d = new Date(ms);
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  function stateLabel(s) {
    if (!s) return '';
    const t = String(s).replace(/_/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function stateBadge(s) {
    return el('span', { class: 'state', 'data-state': s, text: stateLabel(s) });
  }

  function pretty(v) {
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  }

  class ApiError extends Error {
    constructor(status, body) {
      const inner = body && typeof body.error === 'object' ? body.error : body || {};
      super(`${inner.message || body.message || 'request failed'} (HTTP ${status}${typeof body.error === 'string' ? ', ' + body.error : ''})`);
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body, contentType) {
    const opts = { method, headers: {} };
    if (body !== undefined) {
      if (contentType) {
        opts.headers['Content-Type'] = contentType;
        opts.body = body;
      } else {
        opts.headers['Content-Type'] = 'application/json';
        opts.body = JSON.stringify(body);
      }
    }
    const res = await fetch(path, opts);
    const text = await res.text();
    let data;
    try { data = text ? JSON.parse(text) : {}; } catch { data = { message: text }; }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /** Runs fn at most once per `ms`, trailing. */
  function debounce(fn, ms) {
    let t = null;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
      const old = button.textContent;
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = old; }, 1200);
    } catch {
      // Clipboard needs a secure context and permission; selecting is the fallback.
      window.prompt('Copy:', text);
    }
  }

  // ---- Phone setup code ----------------------------------------------------------------------

  /** The setup QR code for the chosen address (the sandbox's certificate names, LAN names first). */
  async function loadSetup() {
    showError('setup-error', null);
    const select = $('setup-host');
    const query = select.value ? `?host=${encodeURIComponent(select.value)}` : '';
    try {
      const r = await api('GET', '/console/api/setup-code' + query);
      if (!select.options.length) {
        select.replaceChildren(...r.hosts.map((h) => el('option', { value: h, text: h })));
      }
      $('setup-img').src = 'data:image/png;base64,' + r.image.png_base64;
      $('setup-endpoint').textContent = r.endpoint;
      $('setup-payload').textContent = r.payload;
      $('setup-out').hidden = false;
    } catch (e) {
      showError('setup-error', e);
    }
  }

  // ---- Sandbox info and catalog -------------------------------------------------------------

  let catalog = null;
  let info = null;

  async function loadInfo() {
    info = await api('GET', '/sandbox/info');
    fillKv($('sandbox-info'), []);
    const dl = $('sandbox-info');
    for (const [k, v] of [['Endpoint', location.origin], ['Root key', info.root_key_id], ['Signing key', info.active_key_id]]) {
      dl.append(el('div', {}, el('dt', { text: k }), el('dd', { text: v })));
    }
    const select = $('scenario-name');
    select.replaceChildren(...info.scenarios.map((s) => el('option', { value: s.name, text: s.name })));
    updateScenarioAbout();
    renderOverrides(info.overrides);
  }

  async function loadCatalog() {
    catalog = await api('GET', '/console/api/catalog');
    exponents = catalog.currency_exponents || exponents;
    const t = $('merchant-template');
    t.replaceChildren(...catalog.merchant_templates.map((m) => el('option', { value: m.id, text: m.label })));
    t.value = 'emvco_mpm';
    updateMerchantFields();
    const p = $('payer-network');
    p.replaceChildren(...catalog.payer_networks.map((n) => el('option', { value: n.network, text: n.label })));
    $('payer-period').textContent = String(catalog.payer_refresh_seconds);
    $('payer-progress').max = catalog.payer_refresh_seconds;
    $('scan-max').textContent = `${Math.round(catalog.max_upload_bytes / (1 << 20))} MiB`;
  }

  // ---- Merchant codes ----------------------------------------------------------------------

  let lastMerchant = null;

  function currentTemplate() {
    return catalog.merchant_templates.find((m) => m.id === $('merchant-template').value);
  }

  function updateMerchantFields() {
    const t = currentTemplate();
    if (!t) return;
    for (const label of document.querySelectorAll('#merchant-form [data-field]')) {
      label.hidden = !t.fields.includes(label.dataset.field);
    }
    $('merchant-currency').textContent = t.currency ? `(${t.currency})` : '';
  }

  async function createMerchantCode(ev) {
    ev.preventDefault();
    showError('merchant-error', null);
    const t = currentTemplate();
    const req = { template: t.id };
    const has = (f) => t.fields.includes(f);
    if (has('amount') && $('merchant-amount').value.trim()) req.amount = $('merchant-amount').value.trim();
    if (has('dynamic')) req.dynamic = $('merchant-dynamic').checked;
    if (has('merchant_name') && $('merchant-name').value.trim()) req.merchant_name = $('merchant-name').value;
    if (has('merchant_city') && $('merchant-city').value.trim()) req.merchant_city = $('merchant-city').value;
    try {
      const r = await api('POST', '/console/api/merchant-code', req);
      lastMerchant = r;
      $('merchant-img').src = 'data:image/png;base64,' + r.image.png_base64;
      $('merchant-label').textContent = r.label;
      $('merchant-payload').textContent = r.payload;
      $('merchant-id').textContent = r.merchant_id;
      renderIdentification($('merchant-ident'), $('merchant-valid'), r.identification);
      $('merchant-out').hidden = false;
    } catch (e) {
      showError('merchant-error', e);
    }
  }

  function renderIdentification(dl, badge, id) {
    if (badge) {
      badge.textContent = id.valid ? 'valid' : 'invalid';
      badge.className = 'badge ' + (id.valid ? 'ok' : 'bad');
    }
    const amount = id.amount_minor !== null && id.amount_minor !== undefined
      ? money(id.amount_minor, id.currency_alpha) : '';
    const rows = [
      ['Network', id.network_name ? `${id.network_name} (${id.network})` : id.network],
      ['Format', id.format],
      ['Kind', id.kind],
      ['Presented by', id.presentation === 'mpm' ? 'merchant (MPM)' : id.presentation === 'cpm' ? 'payer (CPM)' : id.presentation],
      ['Static / dynamic', id.static_or_dynamic],
      ['Receiver', id.receiver],
      ['Amount', amount],
      ['Merchant', id.merchant_name],
      ['City', id.merchant_city],
      ['Country', id.country],
      ['MCC', id.mcc],
      ['Confidence', id.confidence],
      ['Risk', (id.risk || []).join(', ')],
      ['Error', id.error],
    ];
    fillKv(dl, rows);
    const details = Object.entries(id.details || {});
    if (details.length) {
      const inner = el('dl', { class: 'kv' });
      fillKv(inner, details.map(([k, v]) => [k, v, true]));
      dl.append(el('dt', { text: 'Fields' }), el('dd', {},
        el('details', { class: 'fields' }, el('summary', { text: `${details.length} decoded fields` }), inner)));
    }
  }

  // ---- Payer code simulator ----------------------------------------------------------------

  let payerTimer = null;
  let payerDeadline = 0;

  async function issuePayerCode() {
    showError('payer-error', null);
    try {
      const r = await api('POST', '/console/api/payer-code', { network: $('payer-network').value });
      $('payer-code128').src = 'data:image/png;base64,' + r.code128.png_base64;
      $('payer-qr').src = 'data:image/png;base64,' + r.qr.png_base64;
      $('payer-digits').textContent = r.digits.replace(/(\d{4})(?=\d)/g, '$1 ');
      $('payer-digits').dataset.digits = r.digits;
      $('payer-out').hidden = false;
      payerDeadline = Date.now() + r.refresh_seconds * 1000;
      tickPayer();
    } catch (e) {
      showError('payer-error', e);
      stopPayer();
    }
  }

  function tickPayer() {
    const left = Math.max(0, Math.ceil((payerDeadline - Date.now()) / 1000));
    $('payer-progress').value = left;
    $('payer-countdown').textContent = `refreshes in ${left} s`;
    if (left === 0 && payerTimer) issuePayerCode();
  }

  function startPayer(ev) {
    ev.preventDefault();
    clearInterval(payerTimer);
    payerTimer = setInterval(tickPayer, 1000);
    $('payer-stop').disabled = false;
    issuePayerCode();
  }

  function stopPayer() {
    clearInterval(payerTimer);
    payerTimer = null;
    $('payer-stop').disabled = true;
    $('payer-countdown').textContent = 'stopped';
  }

  // ---- Payments table (live) ---------------------------------------------------------------

  const payments = new Map(); // intent_id -> PaymentRow
  const refunds = new Map(); // refund_id -> RefundRow
  const changed = new Set(); // ids to flash on the next render

  async function loadIntents() {
    const r = await api('GET', '/sandbox/intents');
    payments.clear();
    refunds.clear();
    for (const p of r.payments) payments.set(p.intent_id, p);
    for (const f of r.refunds) refunds.set(f.refund_id, f);
    renderPayments();
  }

  function paymentRow(p) {
    const amount = p.discount ? `${money(p.original, p.currency)} → ${money(p.payable, p.currency)}` : money(p.original, p.currency);
    return el('tr', {
      class: 'payment' + (changed.has(p.intent_id) ? ' flash' : ''),
      'data-intent-id': p.intent_id,
      onclick: () => openDetail(p.intent_id),
    },
    el('td', { class: 'opt', text: time(p.created_at) }),
    el('td', {}, el('span', { class: 'id', text: p.intent_id }), el('br'), el('span', { class: 'muted', text: p.kind })),
    el('td', {}, p.merchant_name || '', p.merchant_city ? el('span', { class: 'muted', text: ` · ${p.merchant_city}` }) : null),
    el('td', { class: 'opt', text: p.network || '' }),
    el('td', { class: 'num', text: amount }),
    el('td', { class: 'num', text: money(p.paid, p.currency) }),
    el('td', { class: 'num', text: p.refunded ? money(p.refunded, p.currency) : '' }),
    el('td', {}, stateBadge(p.state)),
    el('td', { class: 'opt mono', text: p.scenario || '' }),
    el('td', { class: 'opt mono device', text: p.device_key_id || '' }));
  }

  function refundRow(r) {
    return el('tr', {
      class: 'refund' + (changed.has(r.refund_id) ? ' flash' : ''),
      'data-refund-id': r.refund_id,
      'data-intent-id-of': r.intent_id,
      onclick: () => openDetail(r.intent_id),
    },
    el('td', { class: 'opt', text: time(r.created_at) }),
    el('td', {}, el('span', { class: 'id', text: r.refund_id }), el('br'), el('span', { class: 'muted', text: 'refund' })),
    el('td', { class: 'muted', text: r.failure_code || '' }),
    el('td', { class: 'opt' }),
    el('td', { class: 'num', text: money(r.amount, r.currency) }),
    el('td', { class: 'num' }),
    el('td', { class: 'num' }),
    el('td', {}, stateBadge(r.state)),
    el('td', { class: 'opt mono', text: r.scenario || '' }),
    el('td', { class: 'opt' }));
  }

  function renderPayments() {
    const byIntent = new Map();
    for (const r of refunds.values()) {
      if (!byIntent.has(r.intent_id)) byIntent.set(r.intent_id, []);
      byIntent.get(r.intent_id).push(r);
    }
    const list = [...payments.values()].sort((a, b) => b.created_at - a.created_at || (a.intent_id < b.intent_id ? 1 : -1));
    const rows = [];
    for (const p of list) {
      rows.push(paymentRow(p));
      const rs = (byIntent.get(p.intent_id) || []).sort((a, b) => a.created_at - b.created_at);
      for (const r of rs) rows.push(refundRow(r));
    }
    $('payments-body').replaceChildren(...rows);
    changed.clear();
    $('payments-empty').hidden = payments.size > 0;
    $('payments-count').textContent = `${payments.size} intents, ${refunds.size} refunds`;
    const merchants = new Map();
    for (const p of list) if (p.merchant_id) merchants.set(p.merchant_id, p.merchant_name || '');
    $('known-merchants').replaceChildren(...[...merchants].map(([id, name]) => el('option', { value: id, label: name })));
  }

  // ---- Detail dialog -----------------------------------------------------------------------

  let openIntent = null;

  async function openDetail(id) {
    openIntent = id;
    $('detail-title').textContent = `Intent ${id}`;
    $('detail-body').replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
    if (!$('detail').open) $('detail').showModal();
    await refreshDetail();
  }

  async function refreshDetail() {
    if (!openIntent) return;
    const id = openIntent;
    try {
      const d = await api('GET', `/sandbox/intents/${encodeURIComponent(id)}`);
      if (openIntent !== id) return;
      renderDetail(d);
    } catch (e) {
      $('detail-body').replaceChildren(el('p', { class: 'error', text: e.message }));
    }
  }

  function renderDetail(d) {
    const p = d.payment;
    const body = [];
    if (p) {
      const cur = p.currency;
      const summary = el('dl', { class: 'kv' });
      fillKv(summary, [
        ['State', stateLabel(p.state)],
        ['Kind', p.kind],
        ['Merchant', [p.merchant_name, p.merchant_city].filter(Boolean).join(' · ')],
        ['Merchant id', p.merchant_id, true],
        ['Merchant code', p.merchant_code, true],
        ['Payer code', p.payer_code_masked, true],
        ['Network', p.network],
        ['Route requested', p.route_requested, true],
        ['Route used', p.route_used, true],
        ['Funding source', p.funding_source_id, true],
        ['Promotion', p.promotion_name ? `${p.promotion_name} (${p.promotion_id})` : p.promotion_id],
        ['Out trade no', p.out_trade_no, true],
        ['Switch txn id', p.switch_txn_id, true],
        ['Device key', p.device_key_id, true],
        ['Scenario', p.scenario, true],
        ['Failure', p.failure_code],
        ['Reverse', p.reverse_result],
        ['Captures', String(d.captures)],
        ['Created', time(p.created_at)],
        ['Paid at', p.paid_at ? time(p.paid_at * 1000) : ''], // unix seconds, as on the receipt
      ]);
      const amounts = el('dl', { class: 'kv' });
      fillKv(amounts, [
        ['Original', money(p.original, cur)],
        ['Discount', money(p.discount, cur)],
        ['Payable', money(p.payable, cur)],
        ['Paid', money(p.paid, cur)],
        ['Refunded', money(p.refunded, cur)],
      ]);
      const fees = el('table', { class: 'table' },
        el('thead', {}, el('tr', {}, el('th', { text: 'Institution' }), el('th', { text: 'Role' }), el('th', { class: 'num', text: 'Fee' }))),
        el('tbody', {}, (p.fees || []).map((f) => el('tr', {},
          el('td', { text: f.institution }), el('td', { text: f.role }), el('td', { class: 'num', text: money(f.amount_minor, cur) })))));
      body.push(el('div', { class: 'detail-cols' },
        el('div', {}, el('h3', { text: 'Summary' }), summary),
        el('div', {}, el('h3', { text: 'Amounts' }), amounts, el('h3', { text: 'Fee split' }), fees)));
    }
    if (d.refunds && d.refunds.length) {
      body.push(el('h3', { text: 'Refunds' }), el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
        el('thead', {}, el('tr', {}, ['Refund', 'Amount', 'State', 'Scenario', 'Switch refund id', 'Failure'].map((h) => el('th', { text: h })))),
        el('tbody', {}, d.refunds.map((r) => el('tr', { 'data-refund-id': r.refund_id },
          el('td', { class: 'id', text: r.refund_id }),
          el('td', { class: 'num', text: money(r.amount, r.currency) }),
          el('td', {}, stateBadge(r.state)),
          el('td', { class: 'mono', text: r.scenario }),
          el('td', { class: 'id', text: r.switch_refund_id }),
          el('td', { text: r.failure_code || '' })))))));
    }
    body.push(el('h3', { text: `Requests and responses (${d.exchanges.length})` }));
    for (const x of d.exchanges) body.push(exchangeView(x));
    $('detail-body').replaceChildren(...body);
  }

  function exchangeView(x) {
    const verdictOk = x.verdict === 'valid' || x.verdict === 'not_required';
    const status = x.status === null || x.status === undefined ? 'no answer' : `HTTP ${x.status}`;
    const summary = el('summary', {},
      el('span', { class: 'mono', text: time(x.at_ms) }),
      el('strong', { text: `${x.method} ${x.path}` }),
      el('span', { text: `→ ${status}` }),
      x.scenario ? el('span', { class: 'mono', text: `scenario ${x.scenario}` }) : null,
      el('span', { class: verdictOk ? 'verdict-ok' : 'verdict-bad', text: `request signature: ${x.verdict}` }),
      x.replayed ? el('span', { class: 'badge bad', text: 'replayed' }) : null);
    const facts = el('dl', { class: 'kv' });
    fillKv(facts, [
      ['Idempotency key', x.idempotency_key, true],
      ['Device key', x.device_key_id, true],
      ['Refund id', x.refund_id, true],
      ['Note', x.note],
    ]);
    const block = (title, text) => text ? [el('h4', { text: title }), el('pre', { text })] : [];
    return el('details', { class: 'exchange', 'data-exchange-id': x.id }, summary,
      el('div', { class: 'body' }, facts,
        block('Canonical request string (what the device signed)', x.canonical_request),
        block('Request body', pretty(x.request_body)),
        block('Response body', pretty(x.response_body)),
        block('Response signature (X-Hutong-* headers)', pretty(x.response_signature))));
  }

  function closeDetail() {
    openIntent = null;
    $('detail').close();
  }

  // ---- Scenarios ---------------------------------------------------------------------------

  function updateScenarioAbout() {
    if (!info) return;
    const s = info.scenarios.find((x) => x.name === $('scenario-name').value);
    if (!s) return;
    const magic = s.magic_minor ? ` Magic amount: ${money(s.magic_minor, 'CNY')}.` : '';
    $('scenario-about').textContent = `${s.about} Applies to: ${s.applies_to.join(', ')}.${magic}`;
  }

  function updateScope() {
    $('scenario-merchant-label').hidden = $('scenario-scope').value !== 'merchant';
  }

  function renderOverrides(o) {
    const dl = $('overrides');
    dl.replaceChildren();
    const add = (k, v) => dl.append(el('dt', { text: k }), el('dd', { class: 'mono', text: v }));
    add('Next request', o.next || '—');
    add('Every request', o.default || '—');
    const merchants = Object.entries(o.merchants || {});
    if (!merchants.length) add('Per merchant', '—');
    for (const [m, s] of merchants) add(`Merchant ${m}`, s);
  }

  async function setScenario(ev, clear) {
    if (ev) ev.preventDefault();
    showError('scenario-error', null);
    const scope = $('scenario-scope').value;
    const body = { scenario: clear ? null : $('scenario-name').value, scope };
    if (scope === 'merchant') body.merchant_id = $('scenario-merchant').value.trim();
    try {
      const r = await api('POST', '/sandbox/scenario', body);
      renderOverrides(r.overrides);
    } catch (e) {
      showError('scenario-error', e);
    }
  }

  // ---- Reconcile ---------------------------------------------------------------------------

  async function loadReconcile() {
    try {
      const r = await api('GET', '/sandbox/ledger');
      const t = r.totals;
      const dl = $('reconcile-totals');
      dl.replaceChildren();
      const add = (k, v) => dl.append(el('div', {}, el('dt', { text: k }), el('dd', { text: v })));
      add('Intents', t.intents);
      add('Captures', t.captures);
      for (const [c, v] of Object.entries(t.paid || {})) add(`Paid ${c}`, money(v, c));
      for (const [c, v] of Object.entries(t.refunded || {})) add(`Refunded ${c}`, money(v, c));
      add('With differences', t.with_differences);
      $('reconcile-body').replaceChildren(...r.rows.map(reconcileRow));
    } catch (e) {
      $('reconcile-body').replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'error', text: e.message })));
    }
  }

  function reconcileRow(row) {
    const diffs = row.differences || [];
    const cur = row.currency;
    const rep = row.client_report;
    const reported = rep
      ? [rep.state, rep.paid ? `paid ${money(rep.paid.minor, rep.paid.currency)}` : '', rep.refunded ? `refunded ${money(rep.refunded.minor, rep.refunded.currency)}` : '']
        .filter(Boolean).join(' · ')
      : '—';
    return el('tr', { class: diffs.length ? 'diff' : null, 'data-reconcile-intent': row.intent_id },
      el('td', { class: 'id', text: row.intent_id }),
      el('td', {}, row.ledger_state ? stateBadge(row.ledger_state) : el('span', { class: 'muted', text: 'absent' })),
      el('td', { class: 'num', text: cur ? money(row.paid, cur) : '' }),
      el('td', { class: 'num', text: cur ? money(row.refunded, cur) : '' }),
      el('td', { text: reported }),
      el('td', { class: 'num', text: row.captures }),
      el('td', { class: 'diffs' }, diffs.length ? el('ul', {}, diffs.map((d) => el('li', { text: d }))) : el('span', { class: 'muted', text: 'agree' })));
  }

  async function sendReport(ev) {
    ev.preventDefault();
    showError('report-error', null);
    const currency = $('report-currency').value.trim().toUpperCase();
    const minor = (id) => {
      const v = $(id).value.trim();
      if (!v) return undefined;
      if (!/^\d{1,18}$/.test(v)) throw new Error(`${id.replace('report-', '')}: whole minor units only`);
      return { minor: Number(v), currency };
    };
    try {
      const body = { intent_id: $('report-intent').value.trim(), state: $('report-state').value };
      const paid = minor('report-paid');
      const refunded = minor('report-refunded');
      if (paid) body.paid = paid;
      if (refunded) body.refunded = refunded;
      await api('POST', '/sandbox/client-report', body);
      loadReconcile();
    } catch (e) {
      showError('report-error', e);
    }
  }

  // ---- Scan a photo ------------------------------------------------------------------------

  async function scanFile(file) {
    showError('scan-error', null);
    $('scan-out').hidden = true;
    if (!file) return;
    if (catalog && file.size > catalog.max_upload_bytes) {
      showError('scan-error', `The photo is ${(file.size / (1 << 20)).toFixed(1)} MiB; the limit is ${$('scan-max').textContent}.`);
      return;
    }
    $('scan-status').textContent = `Scanning ${file.name}…`;
    try {
      const r = await api('POST', '/console/api/scan', file, file.type || 'application/octet-stream');
      $('scan-status').textContent = `${r.codes.length} code(s) in ${r.decode_ms} ms (${r.width}×${r.height}).`;
      await drawScan(file, r);
      $('scan-codes').replaceChildren(...r.codes.map((c, i) => {
        const dl = el('dl', { class: 'kv' });
        renderIdentification(dl, null, c.identification);
        return el('li', { 'data-format': c.format },
          el('strong', { text: `#${i + 1} ${c.format}` }),
          el('pre', { class: 'payload scan-text', text: c.text }),
          dl);
      }));
      $('scan-out').hidden = false;
    } catch (e) {
      $('scan-status').textContent = '';
      showError('scan-error', e);
    }
  }

  async function drawScan(file, r) {
    const canvas = $('scan-canvas');
    const ctx = canvas.getContext('2d');
    let bitmap = null;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      bitmap = null; // The browser cannot show this format; draw the corners on a blank.
    }
    const scale = Math.min(1, 1600 / Math.max(r.width, r.height));
    canvas.width = Math.max(1, Math.round(r.width * scale));
    canvas.height = Math.max(1, Math.round(r.height * scale));
    ctx.fillStyle = '#eee';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (bitmap) ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const line = Math.max(2, canvas.width / 250);
    ctx.lineWidth = line;
    ctx.font = `${Math.max(14, line * 8)}px system-ui, sans-serif`;
    r.codes.forEach((c, i) => {
      const pts = c.corners.map(([x, y]) => [x * scale, y * scale]);
      ctx.strokeStyle = '#00c853';
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
      ctx.closePath();
      ctx.stroke();
      ctx.fillStyle = '#ff1744';
      for (const [x, y] of pts) {
        ctx.beginPath();
        ctx.arc(x, y, line * 1.8, 0, Math.PI * 2);
        ctx.fill();
      }
      const label = `#${i + 1}`;
      const [lx, ly] = pts[0];
      ctx.fillStyle = 'rgba(0,0,0,.7)';
      ctx.fillRect(lx, ly - line * 10, ctx.measureText(label).width + line * 4, line * 10);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, lx + line * 2, ly - line * 2.5);
    });
  }

  // ---- Live events -------------------------------------------------------------------------

  const reconcileSoon = debounce(loadReconcile, 400);
  const detailSoon = debounce(refreshDetail, 250);
  const renderSoon = debounce(renderPayments, 50);
  const overridesSoon = debounce(() => {
    api('GET', '/sandbox/scenario').then((r) => renderOverrides(r.overrides)).catch(() => {});
  }, 300);

  function onEvent(msg) {
    let ev;
    try { ev = JSON.parse(msg.data); } catch { return; }
    const d = ev.data || {};
    switch (ev.type) {
      case 'payment':
        payments.set(d.intent_id, d);
        changed.add(d.intent_id);
        renderSoon();
        reconcileSoon();
        if (openIntent === d.intent_id) detailSoon();
        break;
      case 'refund':
        refunds.set(d.refund_id, d);
        changed.add(d.refund_id);
        renderSoon();
        reconcileSoon();
        if (openIntent === d.intent_id) detailSoon();
        break;
      case 'exchange':
        if (openIntent && (d.intent_id === openIntent)) detailSoon();
        // A request may have used up the `next` override; the sandbox sends no event for that.
        overridesSoon();
        break;
      case 'scenario':
        renderOverrides(d);
        break;
      case 'client_report':
        reconcileSoon();
        break;
      case 'key_rotated':
        loadInfo().catch(() => {});
        break;
      case 'lagged':
        loadIntents().catch(() => {});
        reconcileSoon();
        break;
      default:
        break;
    }
  }

  function connectEvents() {
    const live = $('live');
    const es = new EventSource('/sandbox/events');
    es.onopen = () => {
      live.textContent = 'live';
      live.className = 'live on';
      // Anything that changed while we were not listening: reload once we are.
      loadIntents().catch((e) => console.warn(e));
      reconcileSoon();
    };
    es.onmessage = onEvent;
    es.onerror = () => {
      live.textContent = 'reconnecting…';
      live.className = 'live off';
    };
  }

  // ---- Wiring ------------------------------------------------------------------------------

  function wire() {
    $('merchant-template').addEventListener('change', updateMerchantFields);
    $('merchant-form').addEventListener('submit', createMerchantCode);
    $('merchant-figure').addEventListener('click', () => $('merchant-figure').classList.toggle('big'));
    $('merchant-copy').addEventListener('click', (e) => lastMerchant && copy(lastMerchant.payload, e.currentTarget));
    $('merchant-force').addEventListener('click', () => {
      if (!lastMerchant) return;
      $('scenario-scope').value = 'merchant';
      $('scenario-merchant').value = lastMerchant.merchant_id;
      updateScope();
      $('outcomes').scrollIntoView({ behavior: 'smooth' });
    });
    $('setup-host').addEventListener('change', loadSetup);
    $('setup-figure').addEventListener('click', () => $('setup-figure').classList.toggle('big'));
    $('payer-form').addEventListener('submit', startPayer);
    $('payer-stop').addEventListener('click', stopPayer);
    $('scenario-name').addEventListener('change', updateScenarioAbout);
    $('scenario-scope').addEventListener('change', updateScope);
    $('scenario-form').addEventListener('submit', (e) => setScenario(e, false));
    $('scenario-clear').addEventListener('click', () => setScenario(null, true));
    $('reconcile-refresh').addEventListener('click', loadReconcile);
    $('report-form').addEventListener('submit', sendReport);
    $('detail-close').addEventListener('click', closeDetail);
    $('detail').addEventListener('close', () => { openIntent = null; });
    $('scan-file').addEventListener('change', (e) => scanFile(e.target.files[0]));
    const drop = $('scan-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer.files[0]) scanFile(e.dataTransfer.files[0]);
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        $('merchant-figure').classList.remove('big');
        $('setup-figure').classList.remove('big');
      }
    });
  }

  async function main() {
    wire();
    updateScope();
    await Promise.all([
      loadCatalog().catch((e) => showError('merchant-error', e)),
      loadInfo().catch((e) => showError('scenario-error', e)),
      loadSetup(),
    ]);
    connectEvents();
    document.body.dataset.ready = 'true';
  }

  main();
})();
