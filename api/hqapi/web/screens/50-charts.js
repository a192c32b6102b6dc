// Charts a planner would rather look at than read: a part's stock and
// demand over time (all depots, or one), and each depot's fill rate and
// stock-outs. Each chart is an inline SVG with a title and description,
// and its figures are in a table under it.
'use strict';
PE.screen({
  id: 'charts',
  title: 'Charts',
  order: 50,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const sku = h('input', { type: 'search', name: 'sku', autocomplete: 'off', spellcheck: 'false', value: params[0] || '' });
    const days = h('select', { name: 'days' }, [30, 90, 180, 365].map((n) =>
      h('option', { value: n, selected: n === 90, text: PE.t('{n} days', { n }) })));
    const depot = h('select', { name: 'depot' }, h('option', { value: '', text: PE.t('All depots') }));
    const history = h('div', { class: 'history' });
    const fill = h('div', { class: 'fill' });
    let last = null;

    const drawHistory = () => {
      if (!last) return;
      const series = depot.value ? (last.depots.find((d) => d.depot === depot.value) || { points: [] }).points : last.total;
      const who = depot.value || PE.t('all depots');
      history.replaceChildren(
        PE.hq.stockChart(PE.t('Stock and demand of {sku} at {depot}', { sku: last.sku, depot: who }), series),
        h('details', null, h('summary', { text: PE.t('The figures per day') }), PE.table([
          { key: 'day', title: 'Day' },
          { key: 'onHand', title: 'On hand', num: true },
          { key: 'available', title: 'Available', num: true },
          { key: 'demand', title: 'Issued', num: true },
        ], series.slice().reverse(), { caption: 'Stock at the end of each day and the quantity issued' })));
    };

    const loadHistory = async () => {
      const part = sku.value.trim();
      if (!part) {
        history.replaceChildren(h('p', { class: 'muted', text: PE.t('Choose a part to see its stock and demand.') }));
        return;
      }
      last = await PE.api('GET', '/api/v1/parts/' + encodeURIComponent(part) + '/history?days=' + days.value, undefined, { signal: ctx.signal });
      const keep = depot.value;
      depot.replaceChildren(h('option', { value: '', text: PE.t('All depots') }),
        last.depots.map((d) => h('option', { value: d.depot, selected: d.depot === keep, text: d.depot })));
      drawHistory();
    };

    const loadFill = async () => {
      const r = await PE.api('GET', '/api/v1/fill-rate?days=' + days.value, undefined, { signal: ctx.signal });
      const rows = r.depots.concat([Object.assign({ depot: PE.t('All depots'), total: true }, r.total)]);
      fill.replaceChildren(
        h('p', { class: 'muted', text: PE.t('From {from} to {to}.', { from: r.from, to: r.to }) }),
        PE.hq.fillChart(PE.t('Fill rate by depot'), r.depots),
        PE.hq.stockOutChart(PE.t('Stock-out days by depot'), r.depots),
        PE.table([
          { key: 'depot', title: 'Depot' },
          { key: 'demandLines', title: 'Work-order lines', num: true },
          { key: 'filledLines', title: 'Filled from stock', num: true },
          { key: 'fillRate', title: 'Fill rate', num: true, format: (v) => PE.hq.percent(v) },
          { key: 'stockOuts', title: 'Stock-outs', num: true },
          { key: 'stockOutDays', title: 'Stock-out days', num: true },
          { key: 'stockedParts', title: 'Parts with a policy', num: true, format: (v, row) => (row.total ? '' : PE.fmtNum(v)) },
        ], rows, { caption: 'Fill rate and stock-outs by depot', rowClass: (row) => (row.total ? 'total' : null) }),
        h('p', { class: 'muted', text: PE.t('Fill rate: the work-order lines whose whole quantity was reserved from stock when the order was opened. A stock-out: a part with a reorder policy whose available stock fell to zero.') }));
    };

    const form = h('form', { class: 'filters' }, PE.field('Part', sku), PE.field('Period', days), PE.field('Depot', depot),
      PE.button('Show', null, { type: 'submit', class: 'primary' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      Promise.all([loadHistory(), loadFill()]).catch(PE.showError);
    });
    depot.addEventListener('change', drawHistory);
    el.append(form, h('h2', { text: PE.t('Stock and demand over time') }), history,
      h('h2', { text: PE.t('Fill rate and stock-outs') }), fill);
    if (!sku.value) {
      const first = await PE.api('GET', '/api/v1/stock?limit=1', undefined, { signal: ctx.signal });
      if (first.items.length) sku.value = first.items[0].sku;
    }
    await Promise.all([loadHistory(), loadFill()]);
  },
});
