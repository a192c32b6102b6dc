// A count session: open one (a zone or a list of bins, blind or not) or
// pick one, start counting at a station, and follow the progress live:
// bins counted of the bins in scope, and counted against expected per bin
// and in total. The review shows the variances and approves the count or
// sends bins back to be counted again. A blind count stays blind: the API
// leaves expected quantities out for the counters (expectedHidden), and
// this screen shows what the API gives, so a reviewer who did not count
// sees them and a counter never does.
'use strict';
(() => {
  const h = PE.h;
  const S = PE.stationDesk;
  const N_ = S.N_;

  const sum = (rows) => (rows || []).reduce((n, r) => n + r.qty, 0);

  const scopeText = (c) => {
    const sc = c.scope || {};
    if (sc.zone) return PE.t('Zone {zone}', { zone: sc.zone });
    if (sc.bins && sc.bins.length) return PE.t('Bins {bins}', { bins: sc.bins.join(', ') });
    if (sc.parts && sc.parts.length) return PE.t('Parts {parts}', { parts: sc.parts.join(', ') });
    if (sc.abc) return PE.t('ABC class {abc}', { abc: sc.abc });
    return '';
  };

  const progress = (done, want, label) => {
    const bar = h('span');
    bar.style.width = (want > 0 ? Math.min(100, Math.round((100 * done) / want)) : 0) + '%';
    return h('div', { class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': want, 'aria-valuenow': done }, bar);
  };

  // list is the start: the open counts, and a form that opens one.
  const list = async (el, ctx) => {
    const counts = await PE.api('GET', '/api/v1/counts?status=open&limit=200', undefined, { signal: ctx.signal });
    el.append(PE.table([
      { key: 'number', title: 'Count', format: (v) => h('a', { href: '#/count/' + encodeURIComponent(v), translate: 'no', text: v }) },
      { key: 'scope', title: 'Scope', format: (v, c) => scopeText(c) },
      { key: 'blind', title: 'Blind', format: (v) => PE.t(v ? N_('Yes') : N_('No')) },
      { key: 'openedBy', title: 'Opened by' },
      { title: 'Bins counted', num: true, value: (c) => (c.countedBins || []).length },
      { title: 'Bins', num: true, value: (c) => (c.bins || []).length },
    ], counts.items || [], { caption: 'Open counts', empty: 'No count is open.' }));

    const number = h('input', { type: 'text', name: 'number', id: 'count-number', required: true, autocomplete: 'off' });
    const zone = h('input', { type: 'text', name: 'zone', id: 'count-zone', autocomplete: 'off' });
    const bins = h('input', { type: 'text', name: 'bins', id: 'count-bins', autocomplete: 'off' });
    const blind = h('input', { type: 'checkbox', name: 'blind', id: 'count-blind', checked: true });
    const form = h('form', { class: 'panel' }, h('h2', { text: PE.t('Open a count') }),
      h('div', { class: 'row' }, PE.field('Count number', number), PE.field('Zone', zone, 'Count every bin of a zone'),
        PE.field('Bins', bins, 'Or name the bins, separated by commas')),
      h('label', { class: 'check' }, blind, ' ', PE.t('Blind: counters do not see what the ledger expects')),
      h('div', null, PE.button('Open the count', null, { type: 'submit', class: 'primary' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const scope = {};
      const listed = bins.value.split(',').map((b) => b.trim()).filter((b) => b);
      if (listed.length) scope.bins = listed; else scope.zone = zone.value.trim();
      try {
        const res = await PE.api('POST', '/api/v1/counts', { number: number.value.trim(), scope, blind: blind.checked });
        PE.go('count', res.session.number);
      } catch (err) {
        PE.showError(err);
      }
    });
    el.append(form);
  };

  // startForm starts counting the session at a station; RFID tags the
  // ledger places in no bin of the session go to the bin for found tags.
  const startForm = (count, items) => {
    const station = S.stationSelect(items);
    const bins = count.bins || [];
    const found = h('select', { name: 'found' },
      h('option', { value: '', text: PE.t('None: report such tags') }),
      bins.map((b) => h('option', { value: b, text: b })));
    const form = h('form', { class: 'panel start-count' }, h('h2', { text: PE.t('Count at a station') }),
      h('div', { class: 'row' }, PE.field('Station', station), PE.field('Bin for found tags', found)),
      PE.button('Start counting', null, { type: 'submit', class: 'primary' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const req = { kind: 'count', ref: count.number };
      if (count.scope && count.scope.zone) req.zone = count.scope.zone;
      if (found.value) req.to = found.value;
      try {
        await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(station.value) + '/operation', req);
        S.chooseStation(station.value);
        PE.go('count', count.number, station.value);
      } catch (err) {
        PE.showError(err);
      }
    });
    return form;
  };

  PE.screen({
    id: 'count',
    title: 'Counting',
    roles: ['storekeeper', 'planner', 'admin'],
    order: 25,
    render: async (el, params, ctx) => {
      const [number, stationId] = params;
      if (!number) {
        await list(el, ctx);
        return;
      }
      const path = '/api/v1/counts/' + encodeURIComponent(number);
      const head = h('h2', null, PE.t('Count'), ' ', h('span', { translate: 'no', text: number }));
      const meta = h('div', { class: 'row inline' });
      const totals = h('div', { class: 'totals' });
      const binsEl = h('div');
      const review = h('div');
      let count = null;

      const show = () => {
        const hidden = count.expectedHidden;
        const binCounts = count.binCounts || [];
        const countedBins = count.countedBins || [];
        const byBin = new Map(binCounts.map((b) => [b.bin, b]));
        const scope = count.bins && count.bins.length ? count.bins : countedBins;
        const counted = countedBins.length;
        const countedQty = binCounts.reduce((n, b) => n + sum(b.counted), 0);
        const expectedQty = binCounts.reduce((n, b) => n + sum(b.expected), 0);
        const off = new Set((count.variances || []).map((v) => v.bin));
        el.dataset.counted = String(countedQty);
        el.dataset.bins = String(counted);
        el.dataset.status = count.status;
        el.dataset.blind = String(hidden);
        meta.replaceChildren(head,
          h('span', { class: 'pill ' + (count.status === 'open' ? 'good' : 'warn'), text: PE.t(count.status === 'open' ? N_('Open') : N_('Approved')) }),
          h('span', { class: 'muted', text: scopeText(count) }),
          count.blind ? h('span', { class: 'pill warn', text: PE.t('Blind count') }) : null);
        totals.replaceChildren(
          h('span', { class: 'big', dataset: { total: 'bins' }, text: PE.t('{counted} of {bins} bins counted', { counted: PE.fmtNum(counted), bins: PE.fmtNum(scope.length) }) }),
          progress(counted, scope.length, PE.t('Bins counted')),
          h('span', { class: 'big', dataset: { total: 'qty' }, text: hidden
            ? PE.t('{qty} counted', { qty: PE.fmtNum(countedQty) })
            : PE.t('{qty} counted of {expected} expected', { qty: PE.fmtNum(countedQty), expected: PE.fmtNum(expectedQty) }) }));
        const cols = [
          { key: 'bin', title: 'Bin' },
          { key: 'state', title: 'Status', format: (v, r) => PE.t(r.done ? N_('Already counted') : N_('Not counted')) },
          { key: 'counted', title: 'Qty counted', num: true },
        ];
        if (!hidden) cols.push({ key: 'expected', title: 'Qty expected', num: true });
        const rows = scope.map((bin) => {
          const b = byBin.get(bin);
          return { bin, done: !!b, counted: b ? sum(b.counted) : null, expected: b ? sum(b.expected) : null };
        });
        binsEl.replaceChildren(PE.table(cols, rows, {
          caption: 'Bins', empty: 'No bins in this count',
          rowClass: (r) => (!r.done ? null : (!hidden && off.has(r.bin) ? 'bad' : 'good')),
        }));
        showReview();
      };

      // showReview is the variance review, for those who may see what the
      // ledger expects.
      const showReview = () => {
        // A rebuild keeps what the reviewer typed and where the keyboard was.
        const typed = review.querySelector('input[name=note]');
        const noteText = typed ? typed.value : '';
        const a = document.activeElement;
        const focusKey = a && review.contains(a) && a.dataset ? a.dataset.focus : null;
        if (count.expectedHidden) {
          review.replaceChildren(h('p', { class: 'muted', text: PE.t('A blind count: what the ledger expects is shown to the reviewer, not to the counters.') }));
          return;
        }
        const vars = count.variances || [];
        const parts = [h('h2', { text: PE.t('Variance review') }), PE.table([
          { key: 'bin', title: 'Bin' },
          { key: 'sku', title: 'Part' },
          { key: 'lot', title: 'Lot' },
          { key: 'serial', title: 'Serial' },
          { key: 'expected', title: 'Qty expected', num: true },
          { key: 'counted', title: 'Qty counted', num: true },
          { key: 'variance', title: 'Variance', num: true, format: (v) => (v > 0 ? '+' : '') + PE.fmtNum(v) },
        ], vars, { caption: 'Variances', empty: 'No variances in the bins counted so far.', rowClass: (v) => (v.variance < 0 ? 'bad' : 'warn') }),
        // The same variances as a spreadsheet, for whoever signs them off.
        h('div', { class: 'row' },
          PE.button('Export XLSX', () => PE.download(path + '?format=xlsx').catch(PE.showError), { class: 'export-xlsx' }),
          PE.button('Export CSV', () => PE.download(path + '?format=csv').catch(PE.showError), { class: 'export-csv' }))];
        if (count.status !== 'open') {
          parts.push(h('p', { class: 'good', text: PE.t('Approved by {name}: the adjustments are posted.', { name: count.approvedBy || '' }) }));
          review.replaceChildren(h('div', { class: 'panel report' }, ...parts));
          return;
        }
        const note = h('input', { type: 'text', name: 'note', autocomplete: 'off', value: noteText, dataset: { focus: 'note' } });
        const recount = PE.button('Count the bins with variances again', async () => {
          try {
            await PE.api('POST', path + '/recount', { bins: [...new Set(vars.map((v) => v.bin))], note: note.value.trim() });
            await reload();
          } catch (err) { PE.showError(err); }
        });
        recount.disabled = !vars.length;
        recount.dataset.focus = 'recount';
        const approve = h('form', { class: 'row' }, PE.field('Note', note),
          PE.button('Approve the count', null, { type: 'submit', class: 'primary' }), recount);
        approve.addEventListener('submit', async (e) => {
          e.preventDefault();
          try {
            await PE.api('POST', path + '/approve', { note: note.value.trim() });
            await reload();
          } catch (err) { PE.showError(err); }
        });
        approve.querySelector('button[type=submit]').dataset.focus = 'approve';
        parts.push(approve);
        review.replaceChildren(h('div', { class: 'panel report' }, ...parts));
        const back = focusKey && review.querySelector('[data-focus="' + focusKey + '"]');
        if (back && !back.disabled) back.focus();
      };

      const reload = PE.coalesce(async () => {
        count = await PE.api('GET', path, undefined, { signal: ctx.signal });
        show();
      }, ctx.signal);

      let station = null;
      if (stationId) {
        station = await S.desk(el, ctx, stationId, { onOutcome: () => { reload().catch(PE.showError); } });
      }
      await reload();
      el.append(h('div', { class: 'panel' }, meta, totals, binsEl), review);
      if (station) el.append(station.log);
      if (count.status === 'open' && !station) {
        el.append(startForm(count, await S.stations(ctx)));
      }
      if (station && count.status === 'open' && (station.info.operation !== 'count' || station.info.ref !== number)) {
        el.append(h('div', { class: 'panel warn' },
          h('p', { text: PE.t('The station is doing something else now.') }),
          h('a', { href: '#/count/' + encodeURIComponent(number), text: PE.t('Start counting again') })));
      }
    },
  });
})();
