// Devices and their status: every scanner and reader the depot runs, how
// it is doing (up, reconnecting, down with its last error), refreshed
// every few seconds. An admin can make one beep, to find which scanner is
// the one at a counter.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;
  const N_ = D.N_;

  const states = {
    up: [N_('Up'), 'good'],
    connecting: [N_('Connecting'), 'warn'],
    configuring: [N_('Configuring'), 'warn'],
    down: [N_('Down'), 'bad'],
    stopped: [N_('Stopped'), 'bad'],
  };
  const kinds = { scanner: N_('Barcode scanner'), reader: N_('RFID reader') };

  PE.screen({
    id: 'devices',
    title: 'Devices',
    order: 60,
    render: async (el, params, ctx) => {
      const admin = PE.user && PE.user.role === 'admin';
      const devices = h('div');
      const unmatched = h('div');
      const updated = h('p', { class: 'muted' });

      const signal = async (id, good) => {
        try {
          await PE.api('POST', '/api/v1/devices/' + encodeURIComponent(id) + '/signal', { good });
          PE.feedback(true, PE.t('{device} beeped', { device: id }));
        } catch (err) {
          D.refused(err);
        }
      };

      el.append(updated, devices, unmatched);
      await PE.every(ctx, 3000, async () => {
        const ans = await PE.api('GET', '/api/v1/devices', undefined, { signal: ctx.signal });
        const cols = [
          { key: 'id', title: 'Device' },
          { key: 'model', title: 'Model', value: (d) => [d.vendor, d.model].filter(Boolean).join(' ') },
          { key: 'kind', title: 'Kind', format: (v) => PE.t(kinds[v] || v) },
          { key: 'station', title: 'Station' },
          { key: 'state', title: 'State', format: (v) => D.pill(PE.t((states[v] || [v])[0]), (states[v] || [])[1] || 'warn') },
          { key: 'since', title: 'Since', format: (v) => PE.fmtTime(v) },
          { key: 'where', title: 'Port' },
          { key: 'scans', title: 'Scans', num: true },
          { key: 'tagReads', title: 'Tag reads', num: true },
          { key: 'badFrames', title: 'Bad frames', num: true, cls: (d) => (d.badFrames ? 'warn' : '') },
          { key: 'reconnects', title: 'Reconnects', num: true },
          { key: 'lastError', title: 'Last error' },
        ];
        if (admin) {
          cols.push({ key: 'signal', title: 'Test', format: (v, d) => h('div', { class: 'actions' },
            h('button', { type: 'button', dataset: { focus: d.id + ':good' }, text: PE.t('Beep good'), onclick: () => signal(d.id, true) }),
            h('button', { type: 'button', dataset: { focus: d.id + ':bad' }, text: PE.t('Beep bad'), onclick: () => signal(d.id, false) })) });
        }
        D.keepFocus(devices, PE.table(cols, ans.items, { caption: 'Devices', empty: 'No devices configured', rowClass: (d) => (d.state === 'up' ? null : d.state === 'down' || d.state === 'stopped' ? 'bad' : 'warn') }));
        unmatched.replaceChildren(ans.unmatched.length ? PE.table([
          { key: 'path', title: 'Port' },
          { key: 'product', title: 'Product' },
          { key: 'seenAt', title: 'Seen', format: (v) => PE.fmtTime(v) },
        ], ans.unmatched, { caption: 'Plugged in but matching no profile' }) : '');
        updated.textContent = PE.t('Updated {time}', { time: PE.fmtTime(new Date()) });
      });
    },
  });
})();
