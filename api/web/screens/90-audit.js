// The audit trail (auditors, admins): who did what, newest first, a page
// at a time, each entry checked against the ledger's hash chain.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;

  PE.screen({
    id: 'audit',
    title: 'Audit trail',
    roles: ['auditor', 'admin'],
    order: 90,
    render: async (el, params, ctx) => {
      const actor = D.input('actor');
      const type = h('select', { name: 'type' }, h('option', { value: '', text: PE.t('Any event') }),
        D.eventTypes.map((t) => h('option', { value: t, text: D.eventName(t) })));
      const ref = D.input('ref');
      const sku = D.input('sku');
      const since = D.input('since', { type: 'date' });
      const until = D.input('until', { type: 'date' });
      const table = h('div');
      const note = h('p', { class: 'muted', 'aria-live': 'polite' });
      // pages holds the before cursor of each page shown, for Newer.
      let pages = [];
      let next = 0;
      const older = PE.button('Older', () => go(next).catch(PE.showError));
      const newer = PE.button('Newer', () => { pages.pop(); return go(pages.pop()).catch(PE.showError); });

      const filters = () => ({ actor: actor.value.trim(), type: type.value, ref: ref.value.trim(), sku: sku.value.trim(), since: since.value, until: until.value });

      const go = async (before) => {
        const pg = await PE.api('GET', '/api/v1/audit' + D.qs(Object.assign(filters(), { limit: 50, before: before || '' })), undefined, { signal: ctx.signal });
        pages.push(before || 0);
        next = pg.next || 0;
        older.disabled = !next;
        newer.disabled = pages.length < 2;
        table.replaceChildren(PE.table([
          { key: 'seq', title: 'Event', num: true, value: (e) => e.event.seq },
          { key: 'at', title: 'Time', value: (e) => PE.fmtTime(e.event.at) },
          { key: 'actor', title: 'User', value: (e) => e.event.actor },
          { key: 'type', title: 'What', value: (e) => D.eventName(e.event.type) },
          { key: 'ref', title: 'Reference', value: (e) => e.event.ref },
          { key: 'lines', title: 'Lines', value: (e) => D.lines(e.event.lines) },
          { key: 'note', title: 'Note', value: (e) => e.event.note },
          { key: 'check', title: 'Chain', value: (e) => e.hashOk && e.linkOk !== false, format: (ok) => D.pill((ok ? PE.t('Intact') : PE.t('Broken')), ok ? 'good' : 'bad') },
        ], pg.entries, { caption: 'Audit trail', empty: 'No events match', rowClass: (e) => (e.hashOk && e.linkOk !== false ? null : 'bad') }));
        note.textContent = pg.broken.length
          ? PE.t('The chain is broken at events {seqs}: the stored log was edited.', { seqs: pg.broken.join(', ') })
          : PE.t('{n} events checked; the chain is intact.', { n: PE.fmtNum(pg.examined) });
        note.className = pg.broken.length ? 'bad big' : 'muted';
      };

      const form = D.form(() => { pages = []; return go(0); },
        h('div', { class: 'row' }, PE.field('User', actor), PE.field('Event', type), PE.field('Reference', ref), PE.field('Part', sku)),
        h('div', { class: 'row' }, PE.field('Since', since), PE.field('Until', until)),
        h('div', { class: 'actions' },
          PE.button('Filter', null, { type: 'submit', class: 'primary' }),
          PE.button('Export CSV', () => PE.download('/api/v1/audit' + D.qs(Object.assign(filters(), { format: 'csv', limit: 1000 }))).catch(PE.showError))));
      el.append(form, note, table, h('div', { class: 'actions' }, newer, older));
      await go(0);
      actor.focus();
    },
  });
})();
