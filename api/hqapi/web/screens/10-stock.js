// The global stock view: every part at every depot, with what is below
// its reorder point (red) and what is in excess (amber), and the exports.
'use strict';
PE.screen({
  id: 'stock',
  title: 'Global stock',
  order: 10,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const sku = h('input', { type: 'search', name: 'sku', autocomplete: 'off', spellcheck: 'false', value: params[0] || '' });
    const depot = h('input', { type: 'search', name: 'depot', autocomplete: 'off', spellcheck: 'false' });
    const below = h('input', { type: 'checkbox', name: 'below' });
    const excess = h('input', { type: 'checkbox', name: 'excess' });
    const list = h('div', { class: 'stock-list' });
    const query = () => {
      const q = new URLSearchParams();
      if (sku.value.trim()) q.set('sku', sku.value.trim());
      if (depot.value.trim()) q.set('depot', depot.value.trim());
      if (below.checked) q.set('belowReorderPoint', 'true');
      if (excess.checked) q.set('excess', 'true');
      return q.toString();
    };
    const status = (r) => {
      if (r.belowReorderPoint) return h('span', { class: 'pill bad', text: PE.t('Below reorder point') });
      if (r.excess) return h('span', { class: 'pill warn', text: PE.t('Excess') });
      return '';
    };
    const fig = (v) => (v === undefined || v === null ? '—' : PE.fmtNum(v));
    const load = async () => {
      const q = new URLSearchParams(query());
      q.set('limit', '1000');
      const ans = await PE.api('GET', '/api/v1/stock?' + q, undefined, { signal: ctx.signal });
      const rows = [];
      for (const p of ans.items) for (const d of p.depots) rows.push(Object.assign({ sku: p.sku }, d));
      list.replaceChildren(PE.table([
        { key: 'sku', title: 'Part' },
        { key: 'depot', title: 'Depot' },
        { key: 'onHand', title: 'On hand', num: true },
        { key: 'available', title: 'Available', num: true },
        { key: 'reserved', title: 'Reserved', num: true },
        { key: 'inbound', title: 'Inbound', num: true },
        { key: 'onOrder', title: 'On order', num: true },
        { key: 'position', title: 'Position', num: true, value: (r) => r.position.total },
        { key: 'reorderPoint', title: 'Reorder point', num: true, format: fig },
        { key: 'orderUpTo', title: 'Order-up-to', num: true, format: fig },
        { key: 'status', title: 'Status', value: status },
      ], rows, {
        caption: 'Stock by part and depot',
        empty: 'No stock matches',
        rowClass: (r) => (r.belowReorderPoint ? 'bad' : r.excess ? 'warn' : null),
      }));
      if (ans.next) list.append(h('p', { class: 'muted', text: PE.t('Showing the first 1,000 parts: narrow the search.') }));
    };
    const form = h('form', { class: 'filters' },
      PE.field('Part', sku), PE.field('Depot', depot),
      h('label', { class: 'check' }, below, PE.t('Below reorder point only')),
      h('label', { class: 'check' }, excess, PE.t('Excess only')),
      PE.button('Show', null, { type: 'submit', class: 'primary' }));
    form.addEventListener('submit', (e) => { e.preventDefault(); load().catch(PE.showError); });
    for (const cb of [below, excess]) cb.addEventListener('change', () => load().catch(PE.showError));
    el.append(form, PE.hq.exportButtons('/api/v1/stock', query), list);
    await load();
  },
});
