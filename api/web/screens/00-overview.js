// Overview: the depot at a glance. What needs doing (reminders), whether
// HQ is up to date (replication), and the ledger's head.
'use strict';
PE.screen({
  id: 'overview',
  title: 'Overview',
  order: 0,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const status = h('div', { class: 'grid' });
    const reminders = h('div');
    el.append(h('h2', { text: PE.t('Depot') }), status, h('h2', { text: PE.t('Reminders') }), reminders);
    const kinds = {
      'parts-arrived': 'Parts arrived for a work order',
      'transfer-overdue': 'Transfer overdue in transit',
      'reorder-point': 'Reorder point reached',
      'lot-expiring': 'Lot expiring',
      'lot-expired': 'Lot expired',
    };
    await PE.every(ctx, 10000, async () => {
      const [st, repl, rem] = await Promise.all([
        PE.api('GET', '/api/v1/status', undefined, { signal: ctx.signal }),
        PE.api('GET', '/api/v1/replication', undefined, { signal: ctx.signal }),
        PE.api('GET', '/api/v1/reminders', undefined, { signal: ctx.signal }),
      ]);
      const card = (label, value, cls) => h('div', { class: 'panel' },
        h('div', { class: 'muted', text: PE.t(label) }), h('div', { class: 'big ' + (cls || ''), text: value }));
      let hq = PE.t('Offline (no broker configured)');
      let cls = 'warn';
      if (repl.enabled) {
        hq = repl.connected ? PE.t('Connected') : PE.t('Disconnected');
        cls = repl.connected && repl.backlog === 0 ? 'good' : 'warn';
      }
      status.replaceChildren(
        card('Depot', st.depot),
        card('Events in the ledger', PE.fmtNum(st.seq)),
        card('HQ link', hq, cls),
        card('Not yet at HQ', PE.fmtNum(repl.backlog || 0), repl.backlog ? 'warn' : 'good'),
        card('Version', st.version),
      );
      reminders.replaceChildren(PE.table([
        { key: 'kind', title: 'Kind', format: (v) => PE.t(kinds[v] || v) },
        { key: 'ref', title: 'Reference' },
        { key: 'sku', title: 'Part' },
        { key: 'qty', title: 'Quantity', num: true },
        { key: 'message', title: 'Message' },
      ], rem.items, { caption: 'Reminders', empty: 'Nothing to act on' }));
    });
  },
});
