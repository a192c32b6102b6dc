// Notices from every depot: the reminders each depot raised and cleared
// (reorder point reached, ordered parts arrived, transfers overdue, lots
// expiring) and its announcements, as they reached HQ over MQTT, each in
// its latest state, the latest news first. Refreshed every ten seconds.
'use strict';
PE.screen({
  id: 'notices',
  title: 'Notices',
  order: 60,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const KINDS = {
      'parts-arrived': 'Parts can be picked',
      'transfer-overdue': 'Transfer overdue',
      'reorder-point': 'At reorder point',
      'lot-expiring': 'Lot expires soon',
      'lot-expired': 'Lot expired',
      'po-received': 'Received on purchase order',
    };
    const open = (n) => n.state === 'raised' && !n.once;
    const status = (n) => {
      if (n.once) return h('span', { class: 'pill', text: PE.t('Announced') });
      if (n.state === 'cleared') return h('span', { class: 'pill good', text: PE.t('Cleared') });
      return h('span', { class: 'pill warn', text: PE.t('Still open') });
    };
    // #/notices/<open|all>/<depot>: the filters are in the address, so a
    // planner can keep a link to one depot's open notices.
    const [which, depotFromHash] = params;
    const depot = h('select', { name: 'depot' }, h('option', { value: '', text: PE.t('All depots') }));
    const onlyOpen = h('input', { type: 'checkbox', name: 'open', checked: which === 'open' });
    const updated = h('p', { class: 'muted', 'aria-live': 'polite' });
    const list = h('div');
    const depots = await PE.api('GET', '/api/v1/depots', undefined, { signal: ctx.signal });
    for (const d of depots.depots) depot.append(h('option', { value: d.depot, text: d.depot, selected: d.depot === depotFromHash }));
    const load = async () => {
      const q = new URLSearchParams({ limit: '500' });
      if (depot.value) q.set('depot', depot.value);
      if (onlyOpen.checked) q.set('open', 'true');
      const ans = await PE.api('GET', '/api/v1/notices?' + q, undefined, { signal: ctx.signal });
      list.replaceChildren(PE.table([
        { key: 'at', title: 'Notice time', value: (n) => n.clearedAt || n.raisedAt, format: (v) => PE.fmtTime(v) },
        { key: 'depot', title: 'Depot' },
        { key: 'state', title: 'Notice status', format: (v, n) => status(n) },
        { key: 'kind', title: 'Notice kind', format: (v) => PE.t(KINDS[v] || v) },
        { key: 'message', title: 'Notice' },
        { key: 'about', title: 'Concerning', value: (n) => [...new Set([n.ref, n.sku, n.lot].filter((x) => x))].join(' · ') },
      ], ans.items, { caption: 'Notices', empty: 'No notices', rowClass: (n) => (open(n) ? 'warn' : null) }));
      updated.textContent = PE.t('Updated {time}; refreshed every 10 seconds.', { time: PE.fmtTime(new Date()) });
    };
    const refilter = () => {
      history.replaceState(null, '', '#/notices/' + (onlyOpen.checked ? 'open' : 'all') + (depot.value ? '/' + encodeURIComponent(depot.value) : ''));
      load().catch(PE.showError);
    };
    depot.addEventListener('change', refilter);
    onlyOpen.addEventListener('change', refilter);
    el.append(h('div', { class: 'panel row' }, PE.field('Depot', depot),
      h('label', { class: 'field' }, h('span', { class: 'label', text: PE.t('Only open notices') }), onlyOpen)), updated, list);
    await PE.every(ctx, 10000, load);
  },
});
