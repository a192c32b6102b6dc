// Reports: slow-moving and dead stock, consumption, stock-outs, fill
// rate and inventory turns, each as a table with CSV and XLSX exports of
// the very query shown (GET /api/v1/reports/<report>?...&format=csv|xlsx).
// The table shows what the export holds, row for row and column for
// column: times in UTC as the spreadsheet shows them, the overall row
// last where the report has one.
'use strict';
(() => {
  // utcText shows an RFC 3339 UTC time as the spreadsheet does:
  // 2026-03-06 09:30:00.
  const utcText = (v) => (v ? String(v).replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '');
  const num = (key, title) => ({ key, title, num: true });
  const utc = (key, title) => ({ key, title, format: utcText });
  const ratio = (key, title) => ({ key, title, num: true, format: (v) => (v === undefined || v === null ? '' : PE.fmtNum(v)) });
  const yesNo = (key, title) => ({ key, title, format: (v) => (v ? PE.t('Yes') : PE.t('No')) });
  const code = (key, title) => ({ key, title, format: (v) => PE.h('span', { translate: 'no', text: v || '' }) });

  // The server's defaults, shown in the empty fields.
  const DEFAULT_SLOW_DAYS = 90;
  const DEFAULT_DEAD_DAYS = 365;

  // The reports: their title, what they take and their columns, in the
  // exports' order.
  const reports = {
    'slow-moving': {
      title: 'Slow-moving and dead stock',
      about: 'Parts on hand not issued in the slow period (counted from their last issue, or from when they came in), or not moved at all in the dead period.',
      inputs: ['slowDays', 'deadDays'],
      columns: () => [code('sku', 'Part'), { key: 'description', title: 'Description' }, num('onHand', 'On hand'),
        utc('lastIssue', 'Last issue (UTC)'), utc('lastMovement', 'Last movement (UTC)'), code('status', 'Status')],
    },
    consumption: {
      title: 'Consumption',
      about: 'Issued minus returned in good condition over the period. A return counts for the engineer who took the issue.',
      inputs: ['by', 'from', 'to'],
      columns: (q) => [code('key', { 'work-order': 'Work order', engineer: 'Engineer', part: 'Part' }[q.by || 'part']),
        num('issued', 'Quantity issued'), num('returned', 'Quantity returned'), num('consumed', 'Net consumption')],
    },
    'stock-outs': {
      title: 'Stock-out spans',
      about: 'Spans in which a part had no available stock in stock and van locations, cut to the period.',
      inputs: ['from', 'to'],
      columns: () => [code('sku', 'Part'), utc('start', 'Start (UTC)'), utc('end', 'End (UTC)'), ratio('hours', 'Hours'),
        yesNo('ongoing', 'Ongoing')],
    },
    'fill-rate': {
      title: 'Fill rate',
      about: 'Work-order lines the depot reserved in full from stock when the order was opened, over all lines opened in the period; with each part\'s stock-outs.',
      inputs: ['from', 'to'],
      overall: true,
      columns: () => [code('sku', 'Part'), { key: 'description', title: 'Description' }, num('lines', 'Work-order lines'),
        num('filled', 'Filled from stock'), ratio('fillRate', 'Fill rate'), num('stockOuts', 'Stock-outs'),
        ratio('stockOutHours', 'Stock-out hours')],
    },
    turns: {
      title: 'Inventory turns',
      about: 'Quantity issued over the period divided by the time-weighted average on hand in stock and van locations.',
      inputs: ['from', 'to'],
      overall: true,
      columns: () => [code('sku', 'Part'), { key: 'description', title: 'Description' }, num('issued', 'Quantity issued'),
        ratio('averageOnHand', 'Average on hand'), ratio('turns', 'Turns')],
    },
  };

  PE.screen({
    id: 'reports',
    title: 'Reports',
    order: 85,
    render: async (el, params, ctx) => {
      const h = PE.h;
      const id = reports[params[0]] ? params[0] : 'slow-moving';
      const rep = reports[id];
      const pick = h('select', { id: 'report-kind', onchange: () => PE.go('reports', pick.value) },
        Object.keys(reports).map((k) => h('option', { value: k, selected: k === id, text: PE.t(reports[k].title) })));
      const inputs = {
        slowDays: PE.field('Slow after (days without an issue)', h('input', { id: 'q-slowDays', name: 'slowDays', type: 'number', min: 1, placeholder: DEFAULT_SLOW_DAYS, inputmode: 'numeric' })),
        deadDays: PE.field('Dead after (days without movement)', h('input', { id: 'q-deadDays', name: 'deadDays', type: 'number', min: 1, placeholder: DEFAULT_DEAD_DAYS, inputmode: 'numeric' })),
        by: PE.field('Group by', h('select', { id: 'q-by', name: 'by' },
          h('option', { value: 'part', text: PE.t('Part') }), h('option', { value: 'work-order', text: PE.t('Work order') }),
          h('option', { value: 'engineer', text: PE.t('Engineer') }))),
        from: PE.field('From day', h('input', { id: 'q-from', name: 'from', type: 'date' }), 'Empty: 30 days before the end'),
        to: PE.field('To day (included)', h('input', { id: 'q-to', name: 'to', type: 'date' }), 'Empty: now'),
      };
      // #/reports/<report>/<query> opens a report with its fields filled,
      // e.g. #/reports/slow-moving/slowDays=30.
      const given = new URLSearchParams(params[1] || '');
      for (const name of rep.inputs) {
        if (given.has(name)) inputs[name].querySelector('input, select').value = given.get(name);
      }
      const period = h('p', { class: 'muted', id: 'report-period' });
      const out = h('div', { id: 'report-table' });
      const query = () => {
        const q = {};
        for (const name of rep.inputs) {
          const v = inputs[name].querySelector('input, select').value;
          if (v) q[name] = v;
        }
        return q;
      };
      const path = (q, format) => {
        const sp = new URLSearchParams(q);
        if (format) sp.set('format', format);
        const s = sp.toString();
        return '/api/v1/reports/' + id + (s ? '?' + s : '');
      };
      const show = async () => {
        PE.clearError();
        const q = query();
        const data = await PE.api('GET', path(q), undefined, { signal: ctx.signal });
        let rows = data.items;
        if (rep.overall) rows = rows.concat([Object.assign({}, data.overall, { description: PE.t('All parts') })]);
        period.textContent = data.from
          ? PE.t('Period (UTC): {from} to {to}', { from: utcText(data.from), to: utcText(data.to) })
          : PE.t('As of (UTC): {asOf}', { asOf: utcText(data.asOf) });
        out.replaceChildren(PE.table(rep.columns(q), rows, {
          caption: rep.title, empty: 'Nothing to show',
          rowClass: (r) => (rep.overall && r === rows[rows.length - 1] ? 'total' : (r.status === 'dead' ? 'bad' : null)),
        }));
      };
      const exportAs = (format) => async () => {
        try {
          await PE.download(path(query(), format));
        } catch (err) {
          PE.showError(err);
        }
      };
      const form = h('form', { class: 'row', onsubmit: (ev) => { ev.preventDefault(); show().catch(PE.showError); } },
        PE.field('Report', pick), ...rep.inputs.map((n) => inputs[n]),
        PE.button('Show', null, { type: 'submit', class: 'primary' }));
      el.append(
        h('h2', { text: PE.t(rep.title) }),
        h('p', { class: 'muted', text: PE.t(rep.about) }),
        form,
        h('div', { class: 'row' },
          PE.button('Export CSV', exportAs('csv'), { class: 'export-csv' }),
          PE.button('Export XLSX', exportAs('xlsx'), { class: 'export-xlsx' })),
        period, out);
      await show();
    },
  });
})();
