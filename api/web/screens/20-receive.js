// Receiving against a purchase order: pick an open order and a station,
// start receiving there, and watch expected against received per line
// change with every scan (the order is read again after each outcome);
// over and short deliveries stand out. Closing the order shows its
// discrepancy report.
'use strict';
(() => {
  const h = PE.h;
  const S = PE.stationDesk;
  const N_ = S.N_;
  const mayClose = () => PE.user && ['procurement', 'admin'].includes(PE.user.role);

  const lineClass = (l) => {
    if (l.over > 0) return 'bad';
    if (l.received >= l.ordered) return 'good';
    if (l.received > 0) return 'warn';
    return null;
  };

  const progress = (done, want) => {
    const bar = h('span');
    bar.style.width = (want > 0 ? Math.min(100, Math.round((100 * done) / want)) : 0) + '%';
    return h('div', { class: 'progress', role: 'progressbar', 'aria-label': PE.t('Qty received'), 'aria-valuemin': 0, 'aria-valuemax': want, 'aria-valuenow': done }, bar);
  };

  const linesTable = (lines, caption) => PE.table([
    { key: 'line', title: 'Line', num: true },
    { key: 'sku', title: 'Part' },
    { key: 'lot', title: 'Lot' },
    { key: 'ordered', title: 'Qty ordered', num: true },
    { key: 'received', title: 'Qty received', num: true },
    { key: 'short', title: 'Qty short', num: true, cls: (l) => (l.short > 0 ? 'warn' : '') },
    { key: 'over', title: 'Qty over', num: true, cls: (l) => (l.over > 0 ? 'bad' : '') },
  ], lines, { caption, rowClass: lineClass, empty: 'The order has no lines' });

  // report is an order's discrepancy report: the totals, then the lines
  // that came in short or over.
  const report = (rep) => {
    const off = (rep.lines || []).filter((l) => l.short > 0 || l.over > 0);
    return h('div', { class: 'panel report', dataset: { report: rep.number } },
      h('h2', { text: PE.t('Discrepancy report') }),
      h('dl', null,
        h('dt', { text: PE.t('Qty ordered') }), h('dd', { class: 'num', text: PE.fmtNum(rep.ordered) }),
        h('dt', { text: PE.t('Qty received') }), h('dd', { class: 'num', text: PE.fmtNum(rep.received) }),
        h('dt', { text: PE.t('Qty short') }), h('dd', { class: rep.short ? 'num warn' : 'num', text: PE.fmtNum(rep.short) }),
        h('dt', { text: PE.t('Qty over') }), h('dd', { class: rep.over ? 'num bad' : 'num', text: PE.fmtNum(rep.over) })),
      off.length ? linesTable(off, N_('Lines short or over')) : h('p', { class: 'good', text: PE.t('Everything came in as ordered.') }));
  };

  // choose is the start: open orders, and the form that starts receiving
  // one at a station into a location.
  const choose = async (el, ctx) => {
    const [orders, items, locs] = await Promise.all([
      PE.api('GET', '/api/v1/purchase-orders?status=open&limit=200', undefined, { signal: ctx.signal }),
      S.stations(ctx),
      PE.api('GET', '/api/v1/locations?limit=500', undefined, { signal: ctx.signal }),
    ]);
    const open = orders.items || [];
    if (!open.length) {
      el.append(h('p', { class: 'panel', text: PE.t('No purchase orders are open.') }));
      return;
    }
    if (!items.length) {
      el.append(h('p', { class: 'panel', text: PE.t('This depot has no stations: bind a device to one first.') }));
      return;
    }
    const po = h('select', { name: 'order', required: true },
      open.map((o) => h('option', { value: o.number, text: o.number + ' — ' + o.supplier })));
    const station = S.stationSelect(items);
    const places = (locs.items || []).filter((l) => !['transit', 'van'].includes(l.kind));
    const firstQ = places.find((l) => l.kind === 'quarantine');
    const to = h('select', { name: 'to', required: true },
      places.map((l) => h('option', { value: l.code, selected: firstQ && l.code === firstQ.code, text: l.code })));
    const form = h('form', { class: 'panel' },
      h('div', { class: 'row' }, PE.field('Purchase order', po), PE.field('Station', station), PE.field('Receive into', to)),
      PE.button('Start receiving', null, { type: 'submit', class: 'primary' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(station.value) + '/operation',
          { kind: 'receive', ref: po.value, to: to.value });
        S.chooseStation(station.value);
        PE.go('receive', po.value, station.value, to.value);
      } catch (err) {
        PE.showError(err);
      }
    });
    el.append(form, linesSummary(open));
  };

  const linesSummary = (open) => PE.table([
    { key: 'number', title: 'Purchase order', format: (v) => h('a', { href: '#/receive/' + encodeURIComponent(v), translate: 'no', text: v }) },
    { key: 'supplier', title: 'Supplier' },
    { key: 'expected', title: 'Due', format: (v) => PE.fmtDate(v) },
    { title: 'Qty received', num: true, value: (o) => (o.lines || []).reduce((n, l) => n + l.received, 0) },
    { title: 'Qty ordered', num: true, value: (o) => (o.lines || []).reduce((n, l) => n + l.ordered, 0) },
  ], open, { caption: 'Open purchase orders' });

  PE.screen({
    id: 'receive',
    title: 'Receiving',
    roles: ['storekeeper', 'procurement', 'admin'],
    order: 20,
    render: async (el, params, ctx) => {
      const [number, stationId, to] = params;
      if (!number) {
        await choose(el, ctx);
        return;
      }
      const path = '/api/v1/purchase-orders/' + encodeURIComponent(number);
      const head = h('h2', null, PE.t('Purchase order'), ' ', h('span', { translate: 'no', text: number }));
      const status = h('span', { class: 'pill' });
      const totals = h('div', { class: 'totals' });
      const lines = h('div');
      const after = h('div');
      let order = null;
      const show = () => {
        const rep = order.report;
        el.dataset.received = String(rep.received);
        el.dataset.status = order.status;
        status.className = 'pill ' + (order.status === 'open' ? 'good' : 'warn');
        status.textContent = PE.t(order.status === 'open' ? N_('Open') : N_('Closed'));
        totals.replaceChildren(
          h('span', { class: 'big', dataset: { total: 'received' }, text: PE.t('{received} of {ordered} received', { received: PE.fmtNum(rep.received), ordered: PE.fmtNum(rep.ordered) }) }),
          progress(rep.received, rep.ordered),
          rep.short ? h('span', { class: 'pill warn', text: PE.t('Short {n}', { n: PE.fmtNum(rep.short) }) }) : null,
          rep.over ? h('span', { class: 'pill bad', text: PE.t('Over {n}', { n: PE.fmtNum(rep.over) }) }) : null);
        lines.replaceChildren(linesTable(order.lines || [], N_('Expected and received')));
        if (order.status !== 'open') after.replaceChildren(report(rep));
      };
      // reload reads the order again; outcomes arriving while it reads
      // ask for one more read, not one each.
      const reload = PE.coalesce(async () => {
        order = await PE.api('GET', path, undefined, { signal: ctx.signal });
        show();
      }, ctx.signal);

      let station = null;
      if (stationId) {
        station = await S.desk(el, ctx, stationId, { onOutcome: () => { reload().catch(PE.showError); } });
      }
      await reload();
      el.append(h('div', { class: 'panel' }, h('div', { class: 'row inline' }, head, status), totals, lines), after);
      if (station) el.append(station.log);
      if (station && order.status === 'open' && (station.info.operation !== 'receive' || station.info.ref !== number) && to) {
        el.append(h('div', { class: 'panel warn' },
          h('p', { text: PE.t('The station is doing something else now.') }),
          PE.button('Receive this order here again', async () => {
            try { await station.start({ kind: 'receive', ref: number, to }); } catch (err) { PE.showError(err); }
          })));
      }
      if (!station && order.status === 'open') {
        el.append(h('p', null, h('a', { href: '#/receive', text: PE.t('Choose a station to receive at') })));
      }
      if (order.status === 'open' && mayClose()) {
        const note = h('input', { type: 'text', name: 'note', autocomplete: 'off' });
        const form = h('form', { class: 'panel' }, h('h2', { text: PE.t('Close the order') }),
          PE.field('Note', note, 'Why the order is closed as it is, for the supplier and for HQ.'),
          PE.button('Close the order', null, { type: 'submit', class: 'danger' }));
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          try {
            const res = await PE.api('POST', path + '/close', { note: note.value.trim() });
            form.remove();
            await reload();
            after.replaceChildren(report(res.report));
            after.querySelector('h2').setAttribute('tabindex', '-1');
            after.querySelector('h2').focus();
          } catch (err) {
            PE.showError(err);
          }
        });
        el.append(form);
      }
    },
  });
})();
