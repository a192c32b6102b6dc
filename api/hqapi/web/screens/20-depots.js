// Depot status and replication lag: whether each depot is online, how far
// HQ's copy of its log is behind it, and the ingest's counters. Refreshed
// every five seconds while the screen is open.
'use strict';
PE.screen({
  id: 'depots',
  title: 'Depots',
  order: 20,
  render: async (el, params, ctx) => {
    const h = PE.h;
    const updated = h('p', { class: 'muted', 'aria-live': 'polite' });
    const list = h('div');
    el.append(updated, list);
    const state = (d) => {
      const s = d.status && d.status.state;
      if (s === 'online') return h('span', { class: 'pill good', text: PE.t('Online') });
      if (s === 'offline') return h('span', { class: 'pill bad', text: PE.t('Offline') });
      return h('span', { class: 'pill warn', text: PE.t('No status yet') });
    };
    const rejected = (d) => Object.values(d.counters.rejected || {}).reduce((a, b) => a + b, 0);
    await PE.every(ctx, 5000, async () => {
      const ans = await PE.api('GET', '/api/v1/depots', undefined, { signal: ctx.signal });
      list.replaceChildren(PE.table([
        { key: 'depot', title: 'Depot' },
        { key: 'state', title: 'Link', value: state },
        { key: 'lastSeq', title: 'Depot\'s last event', num: true, value: (d) => (d.status ? d.status.lastSeq : null) },
        { key: 'hwm', title: 'Events at HQ', num: true, value: (d) => d.hwm.seq },
        { key: 'lag', title: 'Lag (events)', num: true },
        { key: 'received', title: 'Last heard', value: (d) => (d.status ? PE.fmtTime(d.status.received) : '') },
        { key: 'version', title: 'Version', value: (d) => (d.status ? d.status.version || '' : '') },
        { key: 'gaps', title: 'Gaps', num: true, value: (d) => d.counters.gaps },
        { key: 'rejected', title: 'Rejected batches', num: true, value: rejected },
      ], ans.depots, {
        caption: 'Depot status and replication lag',
        empty: 'No depot has reported yet',
        rowClass: (d) => (d.status && d.status.state === 'offline' ? 'bad' : d.lag > 0 ? 'warn' : null),
      }));
      updated.textContent = PE.t('Updated {time}; refreshed every 5 seconds.', { time: PE.fmtTime(new Date()) });
    });
  },
});
