// Helpers HQ's screens share (no screen of its own): export buttons, the
// names of states, and the inline SVG charts. Charts are drawn here, from
// the data, with no library: each has a <title> and <desc> for screen
// readers, and every screen shows the same figures in a table beside it.
'use strict';
(() => {
  const HQ = {};
  PE.hq = HQ;

  // exportButtons are the CSV and XLSX downloads of a list, with the
  // screen's filters (query, without format).
  HQ.exportButtons = (path, query) => PE.h('div', { class: 'row' },
    PE.button('Export XLSX', () => PE.download(path + '?' + HQ.withFormat(query(), 'xlsx')).catch(PE.showError)),
    PE.button('Export CSV', () => PE.download(path + '?' + HQ.withFormat(query(), 'csv')).catch(PE.showError)));

  HQ.withFormat = (q, format) => {
    const p = new URLSearchParams(q);
    p.set('format', format);
    return p.toString();
  };

  // The words for the states the API reports, translated where shown.
  HQ.transferStatus = (s) => ({
    requested: PE.t('Requested'), approved: PE.t('Approved'), shipped: PE.t('In transit'),
    received: PE.t('Received, short open'), closed: PE.t('Closed'),
  })[s] || s;
  HQ.orderStatus = (s) => ({ queued: PE.t('Queued'), accepted: PE.t('Accepted'), refused: PE.t('Refused by a depot') })[s] || s;
  HQ.commandState = (s) => ({ pending: PE.t('Pending'), applied: PE.t('Applied'), refused: PE.t('Refused'), done: PE.t('Done') })[s] || s;

  // today is HQ's day as the browser sees it, YYYY-MM-DD (UTC, as the API).
  HQ.dayPlus = (n) => {
    const d = new Date(Date.now() + n * 86400000);
    return d.toISOString().slice(0, 10);
  };

  const svg = (tag, attrs, ...children) => PE.h('svg:' + tag, attrs, ...children);
  // A chart is drawn at the width it will be shown (the main area's, at
  // most 960), so its labels keep their size on a handheld.
  let W = 640;
  const H = 260;
  const PAD = { l: 48, r: 12, t: 16, b: 36 };
  const measure = () => {
    const main = document.querySelector('main');
    W = Math.max(280, Math.min(960, (main ? main.clientWidth : 640) - 48));
  };

  // niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
  const niceMax = (v) => {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  };

  function frame(title, desc, max, ticksX) {
    const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', class: 'chart', 'aria-label': title },
      svg('title', { text: title }), svg('desc', { text: desc }));
    const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      root.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid-line' }),
        svg('text', { x: PAD.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end', text: PE.fmtNum(Math.round(v * 100) / 100) }));
    }
    for (const [x, label] of ticksX) root.append(svg('text', { x, y: H - PAD.b + 16, class: 'axis', 'text-anchor': 'middle', text: label }));
    return { root, y };
  }

  // stockChart draws stock (lines) and demand (bars) per day.
  HQ.stockChart = (title, points) => {
    measure();
    const n = points.length;
    const max = niceMax(Math.max(1, ...points.map((p) => Math.max(p.onHand, p.available, p.demand))));
    const step = (W - PAD.l - PAD.r) / Math.max(n, 1);
    const x = (i) => PAD.l + step * (i + 0.5);
    const ticks = [];
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(W / 100))));
    for (let i = 0; i < n; i += every) ticks.push([x(i), points[i].day.slice(5)]);
    const last = points[n - 1] || { onHand: 0, available: 0, demand: 0 };
    const total = points.reduce((s, p) => s + p.demand, 0);
    const desc = PE.t('{days} days: on hand now {onHand}, available now {available}, issued in all {demand}',
      { days: n, onHand: last.onHand, available: last.available, demand: total });
    const { root, y } = frame(title, desc, max, ticks);
    points.forEach((p, i) => {
      if (p.demand > 0) {
        root.append(svg('rect', { x: x(i) - step * 0.35, y: y(p.demand), width: step * 0.7, height: y(0) - y(p.demand), class: 'bar demand' },
          svg('title', { text: p.day + ': ' + PE.t('Issued') + ' ' + p.demand })));
      }
    });
    const path = (key) => points.map((p, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p[key]).toFixed(1)).join(' ');
    root.append(svg('path', { d: path('onHand'), class: 'line onhand' }), svg('path', { d: path('available'), class: 'line available' }));
    return PE.h('figure', { class: 'chart-box' }, root, HQ.legend([['onhand', 'On hand'], ['available', 'Available'], ['demand', 'Issued']]));
  };

  // barChart draws one bar per depot: value(d) on a scale up to max
  // (rounded up when not given); a depot without a value has no bar.
  HQ.barChart = (title, depots, value, label, opts) => {
    measure();
    opts = opts || {};
    const n = depots.length;
    const step = (W - PAD.l - PAD.r) / Math.max(n, 1);
    const x = (i) => PAD.l + step * (i + 0.5);
    const ticks = depots.map((d, i) => [x(i), d.depot]);
    const max = opts.max || niceMax(Math.max(4, ...depots.map((d) => value(d) || 0)));
    const desc = depots.map((d) => d.depot + ': ' + label(d)).join('; ');
    const { root, y } = frame(title, desc, max, ticks);
    depots.forEach((d, i) => {
      const v = value(d);
      if (v === undefined || v === null) return;
      root.append(svg('rect', { x: x(i) - step * 0.3, y: y(v), width: step * 0.6, height: y(0) - y(v), class: 'bar ' + opts.cls },
        svg('title', { text: d.depot + ': ' + label(d) })));
    });
    return PE.h('figure', { class: 'chart-box' }, root, HQ.legend([[opts.cls, opts.legend]]));
  };

  // fillChart draws each depot's fill rate (0..100%).
  HQ.fillChart = (title, depots) => HQ.barChart(title, depots,
    (d) => (d.fillRate === undefined || d.fillRate === null ? null : d.fillRate * 100),
    (d) => HQ.percent(d.fillRate), { max: 100, cls: 'fill', legend: 'Fill rate (%)' });

  // stockOutChart draws each depot's stock-out days.
  HQ.stockOutChart = (title, depots) => HQ.barChart(title, depots, (d) => d.stockOutDays,
    (d) => PE.t('{n} stock-out days', { n: d.stockOutDays }), { cls: 'out', legend: 'Stock-out days' });

  HQ.legend = (items) => PE.h('figcaption', { class: 'legend' }, items.map(([cls, label]) =>
    PE.h('span', { class: 'key' }, PE.h('span', { class: 'swatch ' + cls, 'aria-hidden': 'true' }), PE.t(label))));

  HQ.percent = (r) => (r === undefined || r === null ? '—' : new Intl.NumberFormat(PE.lang, { style: 'percent', maximumFractionDigits: 1 }).format(r));
})();
