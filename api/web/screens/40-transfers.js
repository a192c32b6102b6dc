// Transfers between depots. Shipping (this depot is the source): approve,
// pick into the shipment, seal it and print the SSCC label. Receiving
// (this depot is the destination): receive by lines out of transit, close
// the receipt with what came damaged, and see the differences; a planner
// writes off what never arrived.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;
  const N_ = D.N_;

  const statusNames = {
    requested: N_('Requested'), approved: N_('Approved'), shipped: N_('Shipped'),
    received: N_('Received'), closed: N_('Closed'),
  };
  const statusText = (s) => PE.t(statusNames[s] || s);
  const directionText = (d) => (d === 'inbound' ? PE.t('Inbound') : PE.t('Outbound'));
  const writesOff = () => PE.user && ['planner', 'admin'].includes(PE.user.role);

  async function list(el, ctx) {
    const status = D.select('status', [['', N_('Any status')], ...Object.entries(statusNames)], '');
    const direction = D.select('direction', [['', N_('Both directions')], ['outbound', N_('Outbound')], ['inbound', N_('Inbound')]], '');
    const overdue = h('input', { type: 'checkbox', name: 'overdue' });
    const found = h('div');
    let after = '';
    let rows = [];
    const more = PE.button('More', () => load(true).catch(PE.showError));
    const load = async (next) => {
      if (!next) { after = ''; rows = []; }
      const page = await PE.api('GET', '/api/v1/transfers' + D.qs({ status: status.value, direction: direction.value, overdue: overdue.checked ? 'true' : '', after }), undefined, { signal: ctx.signal });
      rows = rows.concat(page.items);
      after = page.next || '';
      more.hidden = !after;
      found.replaceChildren(PE.table([
        { key: 'number', title: 'Transfer', format: (v) => D.link(v, 'transfers', v) },
        { key: 'direction', title: 'Direction', format: directionText },
        { key: 'from', title: 'From' },
        { key: 'to', title: 'To' },
        { key: 'status', title: 'Status', format: statusText },
        { key: 'expected', title: 'Expected' },
        { key: 'overdue', title: 'Overdue', format: (v) => (v ? D.pill(PE.t('Overdue'), 'bad') : '') },
        { key: 'short', title: 'Short', num: true, value: (t) => t.report.short },
        { key: 'over', title: 'Over', num: true, value: (t) => t.report.over },
        { key: 'sscc', title: 'SSCC' },
      ], rows, { caption: 'Transfers', empty: 'No transfers match', rowClass: (t) => (t.overdue || t.report.short ? 'warn' : null) }));
    };
    const scan = PE.scanField((code) => PE.go('transfers', code.replace(/^TR:/, '')), { label: 'Transfer', placeholder: 'Scan or type a transfer number' });
    const filter = D.form(() => load(false),
      h('div', { class: 'row' },
        PE.field('Status', status), PE.field('Direction', direction),
        h('label', { class: 'field' }, h('span', { class: 'label', text: PE.t('Overdue only') }), overdue),
        PE.button('Filter', null, { type: 'submit' })));
    // The discrepancies as a spreadsheet: every transfer the filter finds
    // that has a difference, line by line.
    const exportAs = (format) => PE.download('/api/v1/transfers' + D.qs({ status: status.value, direction: direction.value,
      overdue: overdue.checked ? 'true' : '', differences: 'true', format })).catch(PE.showError);
    const exports = h('div', { class: 'row' },
      PE.button('Export discrepancies (XLSX)', () => exportAs('xlsx'), { class: 'export-xlsx' }),
      PE.button('Export discrepancies (CSV)', () => exportAs('csv'), { class: 'export-csv' }));
    el.append(h('div', { class: 'panel' }, scan.el), filter, found, more, exports);
    await load(false);
  }

  async function detail(el, number, ctx) {
    const path = '/api/v1/transfers/' + encodeURIComponent(number);
    const top = h('div');
    const actions = h('div');
    let t = null;

    const act = async (what, fn) => {
      try {
        await fn();
        PE.feedback(true, PE.t(what));
      } catch (err) {
        D.refused(err);
      }
      await refresh();
    };

    // lineForm is one line moved in or out of the transfer's transit
    // location: picked from a bin (shipping) or received into one.
    const lineForm = (type, place, placeLabel, submit) => {
      const sku = D.input('sku', { required: true });
      const qty = D.input('qty', { type: 'number', min: 1, value: 1, inputmode: 'numeric', required: true });
      const loc = D.input(place, { required: true });
      const lot = D.input('lot');
      const serials = D.input('serials');
      return D.form(async () => {
        const transit = t.transit || 'TRANSIT-' + t.number;
        const line = { sku: sku.value.trim(), qty: Math.floor(Number(qty.value)) };
        if (type === 'transfer-shipped') Object.assign(line, { from: loc.value.trim(), to: transit });
        else Object.assign(line, { from: transit, to: loc.value.trim() });
        if (lot.value.trim()) line.lot = lot.value.trim();
        if (serials.value.trim()) line.serials = serials.value.trim().split(/[\s,]+/);
        await act(type === 'transfer-shipped' ? N_('Picked into the shipment') : N_('Received'),
          () => PE.api('POST', '/api/v1/events', { type, ref: t.number, lines: [line] }));
        sku.value = ''; lot.value = ''; serials.value = ''; qty.value = 1;
        sku.focus();
      },
      h('div', { class: 'row' }, PE.field('Part', sku), PE.field('Quantity', qty), PE.field(placeLabel, loc)),
      h('div', { class: 'row' }, PE.field('Lot', lot), PE.field('Serials', serials, 'Separate several with spaces')),
      PE.button(submit, null, { type: 'submit', class: 'primary' }));
    };

    const labelPanel = async () => {
      const label = await PE.api('GET', path + '/label?format=gs1', undefined, { signal: ctx.signal });
      return h('div', { class: 'panel' },
        h('h2', { text: PE.t('Shipping label') }),
        h('dl', { class: 'kv' },
          h('dt', { text: PE.t('SSCC') }), h('dd', { text: label.sscc }),
          h('dt', { text: PE.t('Label text') }), h('dd', { text: label.hri })),
        h('div', { class: 'actions' },
          PE.button('Download the label (ZPL)', () => PE.download(path + '/label?format=zpl', 'label-' + t.number + '.zpl').catch(PE.showError))));
    };

    const refresh = async () => {
      t = await PE.api('GET', path, undefined, { signal: ctx.signal });
      top.replaceChildren(...[
        h('dl', { class: 'kv' },
          h('dt', { text: PE.t('Transfer') }), h('dd', { text: t.number }),
          h('dt', { text: PE.t('Direction') }), h('dd', { text: directionText(t.direction) }),
          h('dt', { text: PE.t('From') }), h('dd', { text: t.from }),
          h('dt', { text: PE.t('To') }), h('dd', { text: t.to }),
          h('dt', { text: PE.t('Status') }), h('dd', null, D.pill(statusText(t.status), t.overdue ? 'bad' : 'good'), t.overdue ? ' ' : null, t.overdue ? D.pill(PE.t('Overdue'), 'bad') : null),
          t.expected ? [h('dt', { text: PE.t('Expected') }), h('dd', { text: PE.fmtDate(t.expected) })] : null),
        PE.table([
          { key: 'sku', title: 'Part' },
          { key: 'requested', title: 'Requested', num: true },
          { key: 'shipped', title: 'Shipped', num: true },
          { key: 'received', title: 'Received', num: true },
          { key: 'damaged', title: 'Damaged', num: true },
          { key: 'over', title: 'Over', num: true, cls: (l) => (l.over ? 'warn' : '') },
          { key: 'short', title: 'Short', num: true, cls: (l) => (l.short ? 'bad' : '') },
          { key: 'writtenOff', title: 'Written off', num: true },
        ], t.lines, { caption: 'Lines and differences' }),
        h('div', { class: 'row' },
          PE.button('Export XLSX', () => PE.download(path + '?format=xlsx').catch(PE.showError), { class: 'export-xlsx' }),
          PE.button('Export CSV', () => PE.download(path + '?format=csv').catch(PE.showError), { class: 'export-csv' })),
        (t.manifest || []).length ? PE.table([
          { key: 'sku', title: 'Part' },
          { key: 'qty', title: 'Quantity', num: true },
          { key: 'lot', title: 'Lot' },
          { key: 'expiry', title: 'Expiry' },
          { key: 'serials', title: 'Serials', format: (v) => (v || []).join(' ') },
        ], t.manifest, { caption: 'Shipment' }) : null,
      ].filter(Boolean));

      const parts = [];
      const outbound = t.direction === 'outbound';
      if (outbound && t.status === 'requested') {
        parts.push(h('div', { class: 'panel actions' },
          PE.button('Approve', () => act(N_('Transfer approved'), () => PE.api('POST', path + '/approve', {})), { class: 'primary' })));
      }
      if (outbound && t.status === 'approved') {
        parts.push(h('h2', { text: PE.t('Pick into the shipment') }),
          lineForm('transfer-shipped', 'from', N_('From bin'), N_('Pick')),
          h('div', { class: 'panel actions' },
            PE.button('Seal and ship', () => act(N_('Shipment sealed'), () => PE.api('POST', path + '/ship', {})), { class: 'primary' })));
      }
      if (!outbound && t.status === 'shipped') {
        const note = D.input('note');
        const dSku = D.input('damagedSku');
        const dQty = D.input('damagedQty', { type: 'number', min: 1, inputmode: 'numeric' });
        const dTo = D.input('damagedTo');
        parts.push(h('h2', { text: PE.t('Receive') }),
          lineForm('transfer-received', 'to', N_('To bin'), N_('Receive')),
          h('h2', { text: PE.t('Close the receipt') }),
          D.form(async () => {
            const body = { note: note.value.trim(), damaged: [] };
            if (dSku.value.trim()) body.damaged.push({ sku: dSku.value.trim(), qty: Math.floor(Number(dQty.value) || 1), to: dTo.value.trim() });
            await act(N_('Receipt closed'), () => PE.api('POST', path + '/receive', body));
          },
          h('p', { class: 'muted', text: PE.t('Whatever is still in transit when the receipt closes is short.') }),
          h('div', { class: 'row' }, PE.field('Damaged part', dSku), PE.field('Damaged quantity', dQty), PE.field('Damaged to', dTo, 'A quarantine or defective location')),
          PE.field('Note', note),
          PE.button('Close the receipt', null, { type: 'submit', class: 'primary' })));
      }
      if (!outbound && t.status === 'received' && writesOff()) {
        const reason = D.input('reason', { required: true });
        parts.push(h('h2', { text: PE.t('Write off what did not arrive') }),
          D.form(() => act(N_('Written off'), () => PE.api('POST', path + '/write-off', { reason: reason.value.trim() })),
            PE.field('Reason', reason),
            PE.button('Write off', null, { type: 'submit', class: 'danger' })));
      }
      if (t.sscc) parts.push(await labelPanel());
      // A refresh keeps a half-filled form: only a change of status
      // rebuilds the actions.
      if (actions.dataset.status !== t.status) {
        actions.dataset.status = t.status;
        actions.replaceChildren(...parts);
      }
    };

    el.append(h('p', null, D.link(PE.t('All transfers'), 'transfers')), top, actions);
    await refresh();
    const first = actions.querySelector('input, button');
    if (first) first.focus();
  }

  PE.screen({
    id: 'transfers',
    title: 'Transfers',
    roles: ['storekeeper', 'planner', 'admin'],
    order: 40,
    render: (el, params, ctx) => (params[0] ? detail(el, params[0], ctx) : list(el, ctx)),
  });
})();
