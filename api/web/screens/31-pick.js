// Picking a work order: the open orders, then one order's pick walk and
// its lines' progress, issued by scan. At a counter with a station the
// scans go to the station's pick operation (the station decodes GS1 and
// beeps the counter's scanner); on a handheld with no station the screen
// books issues itself: a reserved serial, or a part code and a quantity.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;

  async function list(el, ctx) {
    const scan = PE.scanField((code) => {
      PE.go('pick', code.replace(/^WO:/, ''));
    }, { label: 'Work order', placeholder: 'Scan or type a work order number' });
    const engineer = D.input('engineer');
    const found = h('div');
    const load = async () => {
      const page = await PE.api('GET', '/api/v1/work-orders' + D.qs({ status: 'open', engineer: engineer.value.trim() }), undefined, { signal: ctx.signal });
      found.replaceChildren(PE.table([
        { key: 'number', title: 'Work order', format: (v) => D.link(v, 'pick', v) },
        { key: 'engineer', title: 'Engineer' },
        { key: 'serviceRequest', title: 'Service request' },
        { key: 'lines', title: 'Issued', value: (o) => o.lines, format: (ls) => D.progress(sum(ls, 'issued'), sum(ls, 'qty')) },
        { key: 'awaiting', title: 'Awaiting parts', num: true, value: (o) => sum(o.lines, 'awaiting') },
      ], page.items, { caption: 'Open work orders', empty: 'No open work orders', rowClass: (o) => (sum(o.lines, 'awaiting') ? 'warn' : null) }));
    };
    const filter = D.form(load, h('div', { class: 'row' }, PE.field('Engineer', engineer), PE.button('Filter', null, { type: 'submit' })));
    el.append(h('div', { class: 'panel' }, scan.el), filter, found);
    await load();
  }

  const sum = (rows, key) => (rows || []).reduce((n, r) => n + (r[key] || 0), 0);

  async function detail(el, number, ctx) {
    const info = h('div');
    const lines = h('div');
    const walk = h('div');
    const status = h('p', { class: 'muted', 'aria-live': 'polite' });
    let wo = null;
    let pick = null;
    // pendingSerial is a serial-tracked part scanned by its part code on
    // a handheld: the next scan is its serial.
    let pendingSerial = null;

    const refresh = async () => {
      [wo, pick] = await Promise.all([
        PE.api('GET', '/api/v1/work-orders/' + encodeURIComponent(number), undefined, { signal: ctx.signal }),
        PE.api('GET', '/api/v1/work-orders/' + encodeURIComponent(number) + '/pick-list', undefined, { signal: ctx.signal }),
      ]);
      info.replaceChildren(h('dl', { class: 'kv' },
        h('dt', { text: PE.t('Work order') }), h('dd', { text: wo.number }),
        h('dt', { text: PE.t('Engineer') }), h('dd', { text: wo.engineer }),
        wo.serviceRequest ? [h('dt', { text: PE.t('Service request') }), h('dd', { text: wo.serviceRequest })] : null,
        h('dt', { text: PE.t('Status') }), h('dd', null, D.pill((wo.status === 'open' ? PE.t('Open') : PE.t('Closed')), wo.status === 'open' ? 'good' : 'warn'))));
      const subs = wo.substitutes || {};
      lines.replaceChildren(PE.table([
        { key: 'line', title: 'Line', num: true },
        { key: 'sku', title: 'Part' },
        { key: 'issued', title: 'Issued', format: (v, l) => D.progress(l.issued, l.qty) },
        { key: 'reserved', title: 'Reserved', num: true },
        { key: 'awaiting', title: 'Awaiting parts', num: true },
        { key: 'substitute', title: 'Substitute', value: (l) => subs[l.line], format: (s) => (s ? PE.t('{sku} ({available} available)', { sku: s.sku, available: PE.fmtNum(s.available) }) : '') },
        { key: 'billing', title: 'Billing', format: (v) => (v === 'warranty' ? PE.t('Warranty') : PE.t('Chargeable')) },
      ], wo.lines, { caption: 'Lines', rowClass: (l) => (l.issued >= l.qty ? 'good' : l.awaiting ? 'warn' : null) }));
      walk.replaceChildren(...[
        PE.table([
          { key: 'location', title: 'Bin' },
          { key: 'zone', title: 'Zone' },
          { key: 'sku', title: 'Part' },
          { key: 'qty', title: 'Quantity', num: true },
          { key: 'lot', title: 'Lot' },
          { key: 'expiry', title: 'Expiry' },
          { key: 'serials', title: 'Serials', format: (v) => (v || []).join(' ') },
          { key: 'line', title: 'Line', num: true },
        ], pick.lines, { caption: 'Pick list', empty: 'Nothing left to pick' }),
        pick.awaiting.length ? PE.table([
          { key: 'line', title: 'Line', num: true },
          { key: 'sku', title: 'Part' },
          { key: 'qty', title: 'Awaiting parts', num: true },
          { key: 'substitute', title: 'Substitute', format: (s) => (s ? PE.t('{sku} ({available} available)', { sku: s.sku, available: PE.fmtNum(s.available) }) : PE.t('None in stock')) },
        ], pick.awaiting, { caption: 'Waiting for parts', rowClass: (a) => (a.substitute ? 'warn' : 'bad') }) : null,
      ].filter(Boolean));
    };

    // Issuing by scan: a station if one is chosen, else this screen.
    const stations = (await PE.api('GET', '/api/v1/stations', undefined, { signal: ctx.signal })).items || [];
    const where = h('select', { name: 'station' },
      h('option', { value: '', text: PE.t('This screen') }),
      stations.map((s) => h('option', { value: s.id, text: s.id })));
    const qty = D.input('qty', { type: 'number', min: 1, value: 1, inputmode: 'numeric' });

    const viaStation = async (id, code) => {
      const st = await PE.api('GET', '/api/v1/stations/' + encodeURIComponent(id), undefined, { signal: ctx.signal });
      if (st.operation !== 'pick' || st.ref !== number) {
        await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(id) + '/operation', { kind: 'pick', ref: number });
      }
      const out = await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(id) + '/scans', { data: code });
      if (out.good) {
        PE.feedback(true, PE.t('Issued {sku}', { sku: out.part ? out.part.sku : code }));
      } else {
        PE.feedback(false, D.outcomeText(out));
      }
    };

    const issue = async (req) => {
      try {
        await PE.api('POST', '/api/v1/issues', Object.assign({ workOrder: number }, req));
        PE.feedback(true, PE.t('Issued {qty} × {sku}', { qty: PE.fmtNum(req.qty), sku: req.sku }));
      } catch (err) {
        D.refused(err);
      }
    };

    const here = async (code) => {
      if (pendingSerial) {
        const p = pendingSerial;
        pendingSerial = null;
        await issue({ sku: p.sku, qty: 1, serials: [code] });
        return;
      }
      const reserved = pick.lines.find((l) => (l.serials || []).includes(code));
      if (reserved) {
        await issue({ sku: reserved.sku, qty: 1, serials: [code] });
        return;
      }
      const part = await D.lookup(code, ctx.signal);
      if (!part) return;
      if (part.tracking === 'serial') {
        pendingSerial = part;
        PE.feedback(true, PE.t('Now scan the serial of {sku}', { sku: part.sku }));
        return;
      }
      const n = Math.max(1, Math.floor(Number(qty.value) || 1));
      await issue({ sku: part.sku, qty: n });
      qty.value = 1;
    };

    const scan = PE.scanField(async (code) => {
      if (where.value) await viaStation(where.value, code);
      else await here(code);
      status.textContent = PE.t('Last scan: {code}', { code });
      await refresh();
    }, { label: 'Scan to issue', placeholder: 'Scan the part, its serial or lot' });

    el.append(
      h('p', null, D.link(PE.t('All open work orders'), 'pick')),
      info,
      h('div', { class: 'panel' }, scan.el,
        h('div', { class: 'row' }, PE.field('Scans go to', where), PE.field('Quantity', qty, 'For a part without a serial, on this screen')),
        status),
      lines, walk);
    // Scans at the counter's own scanner change the lines too.
    await PE.every(ctx, 5000, refresh);
    if (wo && wo.status !== 'open') {
      scan.input.disabled = true;
      status.textContent = PE.t('This work order is closed.');
    }
  }

  PE.screen({
    id: 'pick',
    title: 'Picking',
    roles: ['engineer', 'storekeeper', 'admin'],
    order: 31,
    render: (el, params, ctx) => (params[0] ? detail(el, params[0], ctx) : list(el, ctx)),
  });
})();
