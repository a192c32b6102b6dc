// Transfers between depots, both ends merged by HQ: what is in transit,
// what is overdue, and where what arrived is not what was sent.
'use strict';
PE.screen({
  id: 'transfers',
  title: 'Transfers',
  order: 30,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const status = h('select', { name: 'status' },
      [['', 'All'], ['shipped', 'In transit'], ['requested', 'Requested'], ['approved', 'Approved'],
        ['received', 'Received, short open'], ['closed', 'Closed']].map(([v, label]) =>
        h('option', { value: v, selected: v === (params[0] || ''), text: PE.t(label) })));
    const diff = h('input', { type: 'checkbox', name: 'differences' });
    const overdue = h('input', { type: 'checkbox', name: 'overdue' });
    const list = h('div');
    const query = () => {
      const q = new URLSearchParams();
      if (status.value) q.set('status', status.value);
      if (diff.checked) q.set('differences', 'true');
      if (overdue.checked) q.set('overdue', 'true');
      return q.toString();
    };
    // lineText spells out a line: what was asked, sent and received, and
    // what went wrong.
    const lineText = (l) => {
      const parts = [PE.t('requested {n}', { n: l.requested }), PE.t('shipped {n}', { n: l.shipped }), PE.t('received {n}', { n: l.received })];
      if (l.short) parts.push(PE.t('short {n}', { n: l.short }));
      if (l.over) parts.push(PE.t('over {n}', { n: l.over }));
      if (l.damaged) parts.push(PE.t('damaged {n}', { n: l.damaged }));
      if (l.writtenOff) parts.push(PE.t('written off {n}', { n: l.writtenOff }));
      return l.sku + ': ' + parts.join(', ');
    };
    const load = async () => {
      const ans = await PE.api('GET', '/api/v1/transfers?' + query(), undefined, { signal: ctx.signal });
      list.replaceChildren(PE.table([
        { key: 'number', title: 'Transfer' },
        { key: 'from', title: 'From' },
        { key: 'to', title: 'To' },
        { key: 'status', title: 'Status', format: (v) => PE.hq.transferStatus(v) },
        { key: 'expected', title: 'Expected' },
        { key: 'overdue', title: 'Overdue', format: (v) => (v ? h('span', { class: 'pill bad', text: PE.t('Overdue') }) : '') },
        { key: 'differences', title: 'Differences', format: (v) => (v ? h('span', { class: 'pill warn', text: PE.t('Differences') }) : '') },
        { key: 'lines', title: 'Lines', format: (v) => h('div', null, v.map((l) => h('div', { text: lineText(l) }))) },
        { key: 'sscc', title: 'Shipping label (SSCC)' },
      ], ans.items, {
        caption: 'Transfers between depots',
        empty: 'No transfer matches',
        rowClass: (r) => (r.overdue ? 'bad' : r.differences ? 'warn' : null),
      }));
    };
    const form = h('form', { class: 'filters' },
      PE.field('Status', status),
      h('label', { class: 'check' }, diff, PE.t('With differences only')),
      h('label', { class: 'check' }, overdue, PE.t('Overdue only')),
      PE.button('Show', null, { type: 'submit', class: 'primary' }));
    form.addEventListener('submit', (e) => { e.preventDefault(); load().catch(PE.showError); });
    for (const c of [status, diff, overdue]) c.addEventListener('change', () => load().catch(PE.showError));
    el.append(form, PE.hq.exportButtons('/api/v1/transfers', query), list);
    await PE.every(ctx, 10000, load);
  },
});
