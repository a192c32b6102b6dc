// Notices: the depot's reminders as they are raised and cleared (parts
// that can be picked, transfers overdue, parts at their reorder point,
// lots expiring or expired) and the announcements of parts received on a
// purchase order, followed live from /api/v1/notices/events. The count of
// open notices is kept on the navigation link while anyone is signed in.
'use strict';
(() => {
  const KINDS = {
    'parts-arrived': 'Parts can be picked',
    'transfer-overdue': 'Transfer overdue',
    'reorder-point': 'At reorder point',
    'lot-expiring': 'Lot expires soon',
    'lot-expired': 'Lot expired',
    'po-received': 'Received on purchase order',
  };

  // message is the notice in the reader's language: the catalogue
  // translates its English text and its values fill the placeholders.
  const message = (n) => (n.text ? PE.t(n.text, n.values || {}) : n.message);
  const when = (n) => n.clearedAt || n.raisedAt;
  // A raised record says whether its notice still holds or has cleared
  // since (the clear is a record of its own, higher up the list).
  const status = (n) => {
    if (n.once) return 'Announced';
    if (n.state === 'cleared') return 'Cleared';
    return n.closed ? 'Came up' : 'Still open';
  };
  const statusClass = (n) => {
    if (n.once) return 'pill';
    return n.state === 'raised' && !n.closed ? 'pill warn' : 'pill good';
  };

  // The badge: the open count, looked at every 15 s while signed in (and
  // at once when the screen changes), so people see notices arrive
  // wherever they are working.
  let badgeTimer = null;
  const refreshBadge = async () => {
    if (!PE.user || !PE.token()) return;
    try {
      const l = await PE.api('GET', '/api/v1/notices?limit=1');
      PE.badge('notices', l.open);
    } catch (e) {
      // The badge is a hint: a failed look is tried again at the next tick.
    }
  };
  const startBadge = () => {
    if (badgeTimer === null) badgeTimer = setInterval(refreshBadge, 15000);
    refreshBadge();
  };
  window.addEventListener('hashchange', startBadge);
  document.addEventListener('DOMContentLoaded', () => setTimeout(startBadge, 500));

  PE.screen({
    id: 'notices',
    title: 'Notices',
    order: 80,
    render: async (el, params, ctx) => {
      const h = PE.h;
      const onlyOpen = h('input', { type: 'checkbox', id: 'notices-open', checked: params[0] === 'open' });
      const summary = h('p', { class: 'big', id: 'notices-summary', 'aria-live': 'polite' });
      const state = h('p', { class: 'muted', id: 'notices-live', 'aria-live': 'polite' });
      const list = h('div', { id: 'notices-table' });
      el.append(
        h('p', { class: 'muted', text: PE.t('Reminders of this depot as they are raised and cleared, newest first.') }),
        summary,
        h('div', { class: 'row' }, PE.field('Only open notices', onlyOpen)),
        state,
        list);

      // The log as the server has it (newest first), then what the stream
      // brings; byId keeps each notice's latest record for the open count.
      let records = [];
      let open = 0;
      const show = () => {
        summary.textContent = PE.t('Open notices: {n}', { n: PE.fmtNum(open) });
        PE.badge('notices', open);
        const rows = onlyOpen.checked ? records.filter((n) => n.state === 'raised' && !n.once && !n.closed) : records;
        list.replaceChildren(PE.table([
          { key: 'at', title: 'Notice time', value: when, format: (v) => PE.fmtTime(v) },
          { key: 'state', title: 'Notice status', value: status, format: (v, n) => h('span', { class: statusClass(n), text: PE.t(v) }) },
          { key: 'kind', title: 'Notice kind', format: (v) => PE.t(KINDS[v] || v) },
          { key: 'message', title: 'Notice', value: message },
          { key: 'about', title: 'Concerning', value: (n) => [...new Set([n.ref, n.sku, n.lot].filter((x) => x))].join(' · ') },
        ], rows, { caption: 'Notices', empty: 'No notices', rowClass: (n) => (n.state === 'raised' && !n.once && !n.closed ? 'warn' : '') }));
      };
      onlyOpen.addEventListener('change', () => {
        history.replaceState(null, '', '#/notices' + (onlyOpen.checked ? '/open' : ''));
        show();
      });

      const first = await PE.api('GET', '/api/v1/notices?limit=200', undefined, { signal: ctx.signal });
      records = first.items;
      open = first.open;
      // A raise whose clear is in the list is no longer open.
      const cleared = new Set(records.filter((n) => n.state === 'cleared').map((n) => n.id));
      for (const n of records) if (n.state === 'raised' && cleared.has(n.id)) n.closed = true;
      show();

      ctx.onLeave(PE.stream('/api/v1/notices/events', (ev) => {
        const n = ev.data;
        if (!n || typeof n !== 'object' || records.some((r) => r.seq === n.seq)) return;
        if (n.state === 'cleared') {
          for (const r of records) if (r.id === n.id) r.closed = true;
          open = Math.max(0, open - 1);
        } else if (!n.once) {
          open += 1;
        }
        records.unshift(n);
        show();
        PE.feedback(n.state === 'cleared', (n.state === 'cleared' ? PE.t('Cleared') + ': ' : '') + message(n));
      }, {
        after: first.head,
        onState: (s) => { state.textContent = s === 'live' ? PE.t('Following live') : PE.t('Reconnecting'); },
      }));
    },
  });
})();
