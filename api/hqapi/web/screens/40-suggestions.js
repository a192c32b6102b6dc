// Lateral-transfer suggestions: a depot at or below its reorder point and
// one that can spare the part. One action turns a suggestion into a
// transfer order (HQ sends it to both depots as commands); the orders'
// states follow below, refreshed while the screen is open.
'use strict';
PE.screen({
  id: 'suggestions',
  title: 'Lateral transfers',
  order: 40,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const canOrder = !!PE.user && (PE.user.role === 'planner' || PE.user.role === 'admin');
    const days = h('input', { type: 'number', name: 'days', min: 1, max: 60, value: '3', inputmode: 'numeric' });
    const status = h('p', { class: 'order-status', role: 'status', 'aria-live': 'polite', tabindex: -1 });
    const suggestions = h('div', { class: 'suggestions' });
    const orders = h('div', { class: 'orders' });
    // keys keeps one Idempotency-Key per suggestion and quantity, so a
    // click retried after a lost answer is still one order; ordered keeps
    // what this screen has ordered until the depots' positions show it.
    const keys = {};
    const ordered = {};

    const order = async (s, btn) => {
      btn.disabled = true;
      const k = s.id + '/' + s.qty;
      keys[k] = keys[k] || PE.key();
      try {
        const n = Math.min(60, Math.max(1, Number(days.value) || 3));
        const o = await PE.api('POST', '/api/v1/transfer-orders', {
          from: s.from, to: s.to, expected: PE.hq.dayPlus(n),
          lines: [{ sku: s.sku, qty: s.qty }], note: 'suggestion ' + s.id,
        }, { key: keys[k] });
        ordered[s.id] = o.number;
        status.replaceChildren(h('span', {
          text: PE.t('Transfer order {number} sent: {qty} × {sku} from {from} to {to}.',
            { number: o.number, qty: s.qty, sku: s.sku, from: s.from, to: s.to }),
        }));
        status.focus();
        await Promise.all([loadSuggestions(), loadOrders()]);
      } catch (e) {
        btn.disabled = false;
        PE.showError(e);
      }
    };

    const action = (s) => {
      if (ordered[s.id]) return h('span', { class: 'pill good', text: PE.t('Ordered as {number}', { number: ordered[s.id] }) });
      if (!canOrder) return '';
      const btn = PE.button('Create transfer order', null, { class: 'primary order' });
      btn.id = 'order-' + s.id;
      btn.setAttribute('aria-label', PE.t('Create a transfer order: {qty} × {sku} from {from} to {to}',
        { qty: s.qty, sku: s.sku, from: s.from, to: s.to }));
      btn.addEventListener('click', () => order(s, btn));
      return btn;
    };
    const reason = (v) => ({ excess: PE.t('Excess at the source'), 'no-demand': PE.t('No demand at the source') })[v] || v;
    const km = (v) => (v === undefined || v === null ? '—' : PE.fmtNum(Math.round(v)) + ' km');

    const loadSuggestions = async () => {
      const ans = await PE.api('GET', '/api/v1/suggestions', undefined, { signal: ctx.signal });
      // The action first: on a handheld the rest of the row scrolls.
      suggestions.replaceChildren(PE.table([
        { key: 'action', title: 'Action', value: action },
        { key: 'sku', title: 'Part' },
        { key: 'from', title: 'From' },
        { key: 'to', title: 'To' },
        { key: 'qty', title: 'Quantity', num: true },
        { key: 'reason', title: 'Reason', format: reason },
        { key: 'toPosition', title: 'Position at destination', num: true },
        { key: 'toReorderPoint', title: 'Reorder point', num: true },
        { key: 'fromAvailableAfter', title: 'Left at source', num: true },
        { key: 'distanceKm', title: 'Distance', num: true, format: km },
      ], ans.items, { caption: 'Suggested lateral transfers', empty: 'No depot needs a part another can spare' }));
    };

    let shown = '';
    const loadOrders = async () => {
      const ans = await PE.api('GET', '/api/v1/transfer-orders', undefined, { signal: ctx.signal });
      const items = (ans.transferOrders || []).slice().reverse();
      // Redraw only when something changed, so the keyboard's place in
      // the page is not lost every few seconds.
      const now = JSON.stringify(items.map((o) => [o.number, o.status, o.commands.map((c) => c.state)]));
      if (now === shown) return;
      shown = now;
      orders.replaceChildren(PE.table([
        { key: 'number', title: 'Transfer order' },
        { key: 'status', title: 'Status', format: (v) => h('span', { class: 'pill ' + ({ accepted: 'good', refused: 'bad' }[v] || 'warn'), text: PE.hq.orderStatus(v) }) },
        { key: 'from', title: 'From' },
        { key: 'to', title: 'To' },
        { key: 'lines', title: 'Lines', format: (v) => v.map((l) => l.sku + ' × ' + PE.fmtNum(l.qty)).join(', ') },
        { key: 'expected', title: 'Expected' },
        {
          key: 'commands', title: 'At the depots', format: (v) => h('div', null, v.map((c) => h('div', {
            text: c.depot + ': ' + PE.hq.commandState(c.state) + (c.code ? ' (' + c.code + ')' : ''),
          }))),
        },
      ], items, {
        caption: 'Transfer orders',
        empty: 'No transfer order yet',
        rowClass: (o) => (o.status === 'refused' ? 'bad' : o.status === 'accepted' ? 'good' : null),
      }));
    };

    el.append(
      h('div', { class: 'filters' }, PE.field('Expected in (days)', days, 'The due date the transfer orders carry.'),
        PE.button('Refresh', () => Promise.all([loadSuggestions(), loadOrders()]).catch(PE.showError))),
      status, suggestions, h('h2', { text: PE.t('Transfer orders') }), orders);
    await loadSuggestions();
    await PE.every(ctx, 3000, loadOrders);
  },
});
