// Reorder signals: the parts whose position (available + on order +
// inbound) fell to their reorder point, what to order, and whether the
// position has risen again since (covered). Below, each part's policy.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;
  const N_ = D.N_;

  const methods = { minmax: N_('Min/max'), rop: N_('Reorder point') };
  const method = (m) => PE.t(methods[m] || m);

  PE.screen({
    id: 'reorder',
    title: 'Reorder signals',
    order: 70,
    render: async (el, params, ctx) => {
      const status = D.select('status', [['open', N_('Open')], ['covered', N_('Covered')], ['all', N_('All')]], 'open');
      const sku = D.input('sku');
      const signals = h('div');
      const policies = h('div');
      let after = '';
      let rows = [];
      const more = PE.button('More', () => load(true).catch(PE.showError));

      const load = async (next) => {
        if (!next) { after = ''; rows = []; }
        const page = await PE.api('GET', '/api/v1/reorder-signals' + D.qs({ status: status.value, sku: sku.value.trim(), after }), undefined, { signal: ctx.signal });
        rows = rows.concat(page.items);
        after = page.next || '';
        more.hidden = !after;
        signals.replaceChildren(PE.table([
          { key: 'seq', title: 'Event', num: true },
          { key: 'at', title: 'Raised', format: (v) => PE.fmtTime(v) },
          { key: 'sku', title: 'Part', value: (r) => r.signal.sku, format: (v) => D.link(v, 'stock', v) },
          { key: 'status', title: 'Status', format: (v) => D.pill((v === 'open' ? PE.t('Open') : PE.t('Covered')), v === 'open' ? 'bad' : 'good') },
          { key: 'method', title: 'Method', value: (r) => method(r.signal.method) },
          { key: 'available', title: 'Available', num: true, value: (r) => r.signal.position.available },
          { key: 'onOrder', title: 'On order', num: true, value: (r) => r.signal.position.onOrder },
          { key: 'inbound', title: 'Inbound', num: true, value: (r) => r.signal.position.inbound },
          { key: 'reorderPoint', title: 'Reorder point', num: true, value: (r) => r.signal.reorderPoint },
          { key: 'orderUpTo', title: 'Order up to', num: true, value: (r) => r.signal.orderUpTo },
          { key: 'suggestedQty', title: 'Suggested order', num: true, value: (r) => r.signal.suggestedQty },
        ], rows, { caption: 'Reorder signals', empty: 'No reorder signals', rowClass: (r) => (r.status === 'open' ? 'warn' : null) }));
      };

      const loadPolicies = async () => {
        const all = [];
        let cursor = '';
        // A depot has a policy per stocked part: a few hundred at most.
        do {
          const page = await PE.api('GET', '/api/v1/reorder-policies' + D.qs({ limit: 500, after: cursor }), undefined, { signal: ctx.signal });
          all.push(...page.items);
          cursor = page.next || '';
        } while (cursor);
        policies.replaceChildren(PE.table([
          { key: 'sku', title: 'Part', format: (v) => D.link(v, 'stock', v) },
          { key: 'method', title: 'Method', value: (p) => method(p.policy.method) },
          { key: 'min', title: 'Min', num: true, value: (p) => p.policy.min },
          { key: 'max', title: 'Max', num: true, value: (p) => p.policy.max },
          { key: 'reorderPoint', title: 'Reorder point', num: true, value: (p) => p.policy.reorderPoint },
          { key: 'safetyStock', title: 'Safety stock', num: true, value: (p) => p.policy.safetyStock },
          { key: 'leadTimeDays', title: 'Lead time (days)', num: true, value: (p) => p.policy.leadTimeDays },
          { key: 'armed', title: 'Armed', format: (v) => D.pill((v ? PE.t('Armed') : PE.t('Signalled')), v ? 'good' : 'warn') },
          { key: 'signals', title: 'Signals', num: true },
        ], all, { caption: 'Reorder policies', empty: 'No reorder policies' }));
      };

      const filter = D.form(() => load(false),
        h('div', { class: 'row' }, PE.field('Status', status), PE.field('Part', sku), PE.button('Filter', null, { type: 'submit' })));
      el.append(filter, signals, more, h('h2', { text: PE.t('Policies') }), policies);
      await Promise.all([load(false), loadPolicies()]);
      sku.focus();
    },
  });
})();
