// Stock search: by part, bin, lot or serial. The search field takes a
// scan and works out which of the four it is; a serial shows its history
// as a timeline (received, moved, issued on which work order ...). The
// same filters export as CSV or XLSX.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;

  const N_ = D.N_;
  const trackingNames = { none: N_('Not tracked'), lot: N_('By lot'), serial: N_('By serial') };

  PE.screen({
    id: 'stock',
    title: 'Stock',
    order: 50,
    // #/stock/<sku>/<serial> opens a serial's history.
    render: async (el, params, ctx) => {
      const sku = D.input('sku', { 'data-focus': 'sku' });
      const loc = D.input('location');
      const lot = D.input('lot');
      const serial = D.input('serial');
      const partBox = h('div');
      const results = h('div');
      const history = h('div');
      const said = h('p', { class: 'muted', 'aria-live': 'polite' });

      const filters = () => ({ sku: sku.value.trim(), location: loc.value.trim(), lot: lot.value.trim(), serial: serial.value.trim() });

      const showPart = (p) => {
        partBox.replaceChildren(p ? h('div', { class: 'panel' }, h('dl', { class: 'kv' },
          h('dt', { text: PE.t('Part') }), h('dd', { text: p.sku }),
          p.description ? [h('dt', { text: PE.t('Description') }), h('dd', { text: p.description })] : null,
          h('dt', { text: PE.t('Unit') }), h('dd', { text: p.unit || 'ea' }),
          h('dt', { text: PE.t('Tracking') }), h('dd', { text: PE.t(trackingNames[p.tracking] || p.tracking) }),
          p.supersededBy ? [h('dt', { text: PE.t('Superseded by') }), h('dd', null, h('button', { type: 'button', class: 'link', text: p.supersededBy, onclick: () => searchFor({ sku: p.supersededBy }) }))] : null,
          (p.gtins || []).length ? [h('dt', { text: PE.t('GTIN') }), h('dd', { text: p.gtins.join(' ') })] : null,
          (p.aliases || []).length ? [h('dt', { text: PE.t('Aliases') }), h('dd', { text: p.aliases.join(' ') })] : null)) : '');
      };

      const showHistory = async (partSKU, s) => {
        const hist = await PE.api('GET', '/api/v1/serials/' + encodeURIComponent(partSKU) + '/' + encodeURIComponent(s), undefined, { signal: ctx.signal });
        const where = hist.location ? PE.t('Now in {location}', { location: hist.location }) : PE.t('No longer in the depot');
        history.replaceChildren(h('section', { class: 'panel serial-history', 'aria-label': PE.t('Serial history') },
          h('h2', { text: PE.t('Serial {serial} of {sku}', { serial: hist.serial, sku: hist.sku }) }),
          h('p', null, D.pill(where, hist.location ? 'good' : 'warn'), hist.lot ? ' ' + PE.t('Lot') + ' ' + hist.lot : ''),
          hist.events.length ? h('ol', { class: 'timeline' }, hist.events.map((ev) => h('li', null,
            h('div', { class: 'when', text: PE.fmtTime(ev.at) + ' · #' + ev.seq + ' · ' + ev.actor }),
            h('div', { class: 'what', text: D.eventName(ev.type) + (ev.ref ? ' · ' + ev.ref : '') }),
            h('div', { class: 'detail', text: D.lines((ev.lines || []).filter((l) => (l.serials || []).includes(hist.serial))) }),
            ev.note ? h('div', { class: 'muted', text: ev.note }) : null)))
            : h('p', { class: 'muted', text: PE.t('The ledger has no events for this serial.') })));
      };

      const search = async () => {
        const f = filters();
        history.replaceChildren();
        const ans = await PE.api('GET', '/api/v1/stock' + D.qs(f), undefined, { signal: ctx.signal });
        results.replaceChildren(PE.table([
          { key: 'sku', title: 'Part', format: (v) => h('button', { type: 'button', class: 'link', text: v, onclick: () => searchFor({ sku: v }) }) },
          { key: 'location', title: 'Bin', format: (v) => h('button', { type: 'button', class: 'link', text: v, onclick: () => searchFor({ location: v }) }) },
          { key: 'lot', title: 'Lot' },
          { key: 'serial', title: 'Serial', format: (v, b) => (v ? h('button', { type: 'button', class: 'link', text: v, onclick: () => searchFor({ sku: b.sku, serial: v }) }) : '') },
          { key: 'onHand', title: 'On hand', num: true },
          { key: 'reserved', title: 'Reserved', num: true },
          { key: 'available', title: 'Available', num: true },
        ], ans.items, { caption: 'Stock', empty: 'No stock matches' }));
        said.textContent = ans.truncated ? PE.t('Showing the first {n} rows; narrow the search.', { n: PE.fmtNum(ans.items.length) }) : PE.t('{n} rows', { n: PE.fmtNum(ans.items.length) });
        // A serial's history needs its part: the filter's, or the stock's.
        if (f.serial) {
          const partSKU = f.sku || (ans.items[0] && ans.items[0].sku);
          if (partSKU) await showHistory(partSKU, f.serial);
          else said.textContent = PE.t('Serial {serial} is not in stock here: name its part to see its history.', { serial: f.serial });
        }
      };

      const searchFor = (f) => {
        sku.value = f.sku || '';
        loc.value = f.location || '';
        lot.value = f.lot || '';
        serial.value = f.serial || '';
        showPart(null);
        if (f.sku) PE.api('GET', '/api/v1/parts/' + encodeURIComponent(f.sku), undefined, { signal: ctx.signal }).then(showPart, () => showPart(null));
        return search().catch(PE.showError);
      };

      // A scan may be a part code, a bin, a serial or a lot: ask all four
      // at once and take the first that knows it, in that order.
      const identify = async (code) => {
        const q = (f) => PE.api('GET', '/api/v1/stock' + D.qs(Object.assign({ limit: 1 }, f)), undefined, { signal: ctx.signal }).then((a) => a.items, () => []);
        const [part, atBin, bySerial, byLot] = await Promise.all([
          PE.api('GET', '/api/v1/parts/lookup' + D.qs({ code }), undefined, { signal: ctx.signal }).catch(() => null),
          PE.api('GET', '/api/v1/locations/' + encodeURIComponent(code), undefined, { signal: ctx.signal }).catch(() => null),
          q({ serial: code }),
          q({ lot: code }),
        ]);
        if (part) { PE.feedback(true, PE.t('Part {sku}', { sku: part.sku })); return searchFor({ sku: part.sku }); }
        if (atBin) { PE.feedback(true, PE.t('Bin {location}', { location: atBin.code })); return searchFor({ location: atBin.code }); }
        if (bySerial.length) { PE.feedback(true, PE.t('Serial {serial} of {sku}', { serial: code, sku: bySerial[0].sku })); return searchFor({ sku: bySerial[0].sku, serial: code }); }
        if (byLot.length) { PE.feedback(true, PE.t('Lot {lot}', { lot: code })); return searchFor({ lot: code }); }
        PE.feedback(false, PE.t('Nothing in the depot answers to {code}', { code }));
        return null;
      };

      const scan = PE.scanField(identify, { label: 'Search', placeholder: 'Scan or type a part, bin, lot or serial' });
      const exportAs = (format) => PE.download('/api/v1/stock' + D.qs(Object.assign(filters(), { format }))).catch(PE.showError);
      const form = D.form(search,
        h('div', { class: 'row' }, PE.field('Part', sku), PE.field('Bin', loc), PE.field('Lot', lot), PE.field('Serial', serial)),
        h('div', { class: 'actions' },
          PE.button('Search', null, { type: 'submit', class: 'primary' }),
          PE.button('Export CSV', () => exportAs('csv')),
          PE.button('Export XLSX', () => exportAs('xlsx'))));
      el.append(h('div', { class: 'panel' }, scan.el), form, partBox, said, history, results);
      if (params[0]) await searchFor({ sku: params[0], serial: params[1] || '' });
    },
  });
})();
