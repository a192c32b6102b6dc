// Returns: unused parts (good, back to a bin or the van) and defective
// old parts (to the defective store) coming back from an engineer,
// checked against what the work order issued. A defective return that
// does not match is booked all the same (the part is here) and listed
// for the supplier claim.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;

  PE.screen({
    id: 'returns',
    title: 'Returns',
    roles: ['engineer', 'storekeeper', 'procurement', 'admin'],
    order: 35,
    render: async (el, params, ctx) => {
      let wo = null;
      const issuedBox = h('div');
      const mismatches = h('div');

      const woInput = D.input('workOrder', { required: true, value: params[0] || '' });
      const sku = D.input('sku', { required: true });
      const qty = D.input('qty', { type: 'number', min: 1, value: 1, inputmode: 'numeric', required: true });
      const serial = D.input('serial');
      const condition = D.select('condition', [['good', D.N_('Good (unused)')], ['defective', D.N_('Defective (old part)')]], 'defective');
      const to = D.input('to', { required: true, list: 'return-locations' });
      const note = D.input('note');
      const locations = h('datalist', { id: 'return-locations' });

      // The locations a return may go to: bins and vans for good parts,
      // the defective store for old ones.
      const allLocations = (await PE.api('GET', '/api/v1/locations?limit=500', undefined, { signal: ctx.signal })).items || [];
      const fillLocations = () => {
        const kinds = condition.value === 'good' ? ['stock', 'van'] : ['defective'];
        const fit = allLocations.filter((l) => kinds.includes(l.kind));
        locations.replaceChildren(...fit.map((l) => h('option', { value: l.code })));
        if (!fit.some((l) => l.code === to.value)) to.value = fit.length ? fit[0].code : '';
      };
      condition.addEventListener('change', fillLocations);
      fillLocations();

      const loadWO = async () => {
        const n = woInput.value.trim().replace(/^WO:/, '');
        if (!n) return;
        wo = await PE.api('GET', '/api/v1/work-orders/' + encodeURIComponent(n), undefined, { signal: ctx.signal });
        woInput.value = wo.number;
        const issued = [];
        for (const l of wo.lines) {
          for (const is of l.issues || []) issued.push(Object.assign({ line: l.line }, is));
        }
        issuedBox.replaceChildren(
          PE.table([
            { key: 'line', title: 'Line', num: true },
            { key: 'sku', title: 'Part' },
            { key: 'qty', title: 'Issued', num: true },
            { key: 'returned', title: 'Returned', num: true },
            { key: 'serials', title: 'Serials', format: (v) => (v || []).join(' ') },
            { key: 'returnedSerials', title: 'Returned serials', format: (v) => (v || []).join(' ') },
          ], issued, { caption: 'Issued on this work order', empty: 'Nothing was issued on this work order' }),
          PE.table([
            { key: 'seq', title: 'Event', num: true },
            { key: 'sku', title: 'Part' },
            { key: 'qty', title: 'Quantity', num: true },
            { key: 'serials', title: 'Serials', format: (v) => (v || []).join(' ') },
            { key: 'condition', title: 'Condition', format: (v) => (v === 'good' ? PE.t('Good') : PE.t('Defective')) },
            { key: 'to', title: 'To' },
            { key: 'mismatch', title: 'Check', format: (v) => (v ? D.pill(D.mismatchText(v), 'bad') : D.pill(PE.t('Matches'), 'good')) },
          ], wo.returns || [], { caption: 'Returned on this work order', empty: 'Nothing returned yet', rowClass: (r) => (r.mismatch ? 'bad' : null) }));
      };

      const loadMismatches = async () => {
        const m = await PE.api('GET', '/api/v1/return-mismatches', undefined, { signal: ctx.signal });
        mismatches.replaceChildren(PE.table([
          { key: 'workOrder', title: 'Work order', format: (v) => D.link(v, 'returns', v) },
          { key: 'engineer', title: 'Engineer' },
          { key: 'sku', title: 'Part' },
          { key: 'qty', title: 'Quantity', num: true },
          { key: 'serials', title: 'Serials', format: (v) => (v || []).join(' ') },
          { key: 'to', title: 'To' },
          { key: 'mismatch', title: 'Mismatch', format: (v) => D.mismatchText(v) },
        ], m.items, { caption: 'Returns that did not match what was issued', empty: 'Every return matched' }));
      };

      // A scan fills the form: a serial the work order issued names its
      // part too; anything else is looked up as a part code.
      const scan = PE.scanField(async (code) => {
        if (!wo) {
          woInput.value = code;
          await loadWO();
          PE.feedback(true, PE.t('Work order {number}: scan the returned parts', { number: wo.number }));
          return;
        }
        for (const l of wo.lines) {
          for (const is of l.issues || []) {
            if ((is.serials || []).includes(code)) {
              sku.value = is.sku;
              serial.value = code;
              qty.value = 1;
              PE.feedback(true, PE.t('Serial {serial} of {sku}: check and book', { serial: code, sku: is.sku }));
              return;
            }
          }
        }
        const part = await D.lookup(code, ctx.signal);
        if (!part) return;
        sku.value = part.sku;
        serial.value = '';
        PE.feedback(true, part.tracking === 'serial'
          ? PE.t('{sku}: type or scan its serial', { sku: part.sku })
          : PE.t('{sku}: check the quantity and book', { sku: part.sku }));
        if (part.tracking === 'serial') serial.focus();
      }, { label: 'Scan', placeholder: 'Scan the work order, then each part or serial' });

      const form = D.form(async () => {
        if (!wo || wo.number !== woInput.value.trim()) await loadWO();
        const body = { workOrder: wo.number, sku: sku.value.trim(), qty: Math.floor(Number(qty.value)), condition: condition.value, to: to.value.trim() };
        if (serial.value.trim()) body.serials = serial.value.trim().split(/[\s,]+/);
        if (note.value.trim()) body.note = note.value.trim();
        let res;
        try {
          res = await PE.api('POST', '/api/v1/returns', body);
        } catch (err) {
          D.refused(err);
          return;
        }
        if (res.mismatch) {
          PE.feedback(false, PE.t('Booked, but it does not match: {reason}', { reason: D.mismatchText(res.mismatch) }));
        } else {
          PE.feedback(true, PE.t('Return booked: {qty} × {sku}', { qty: PE.fmtNum(body.qty), sku: body.sku }));
        }
        sku.value = '';
        serial.value = '';
        qty.value = 1;
        note.value = '';
        await Promise.all([loadWO(), loadMismatches()]);
        scan.focus();
      },
      h('div', { class: 'row' },
        PE.field('Work order', woInput),
        PE.button('Show what was issued', () => loadWO().catch(PE.showError))),
      h('div', { class: 'row' },
        PE.field('Part', sku), PE.field('Quantity', qty), PE.field('Serials', serial, 'Separate several with spaces')),
      h('div', { class: 'row' }, PE.field('Condition', condition), PE.field('To', to), PE.field('Note', note)),
      locations,
      PE.button('Book return', null, { type: 'submit', class: 'primary' }));

      el.append(h('div', { class: 'panel' }, scan.el), form, issuedBox, h('h2', { text: PE.t('Mismatches') }), mismatches);
      await Promise.all([params[0] ? loadWO() : null, loadMismatches()]);
    },
  });
})();
