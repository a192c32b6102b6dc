// Helpers the depot screens from 31 on share (picking, returns, transfers,
// stock, devices, reorder, users, audit). They live here, beside the
// screens, because they speak the depot API's shapes; PE itself (app.js)
// stays the shell's. Loaded before the screens by its name.
'use strict';
(() => {
  const h = PE.h;
  // N_ marks English text that is translated later, by PE.t, so the
  // catalogue test finds it.
  const N_ = (s) => s;

  // Event types as a person reads them (the log's own names are codes).
  const eventNames = {
    'part-defined': N_('Part defined'),
    'location-defined': N_('Location defined'),
    'receipt': N_('Receipt'),
    'move': N_('Move'),
    'reserve': N_('Reservation'),
    'unreserve': N_('Reservation released'),
    'issue': N_('Issue'),
    'return': N_('Return'),
    'transfer-shipped': N_('Picked for transfer'),
    'transfer-received': N_('Transfer received'),
    'count-adjustment': N_('Count adjustment'),
    'scrap': N_('Scrap'),
    'po-created': N_('Purchase order created'),
    'po-closed': N_('Purchase order closed'),
    'asn-announced': N_('Shipping notice'),
    'transfer-requested': N_('Transfer requested'),
    'transfer-approved': N_('Transfer approved'),
    'transfer-dispatched': N_('Transfer shipped'),
    'transfer-announced': N_('Transfer announced'),
    'transfer-closed': N_('Transfer closed'),
    'wo-created': N_('Work order created'),
    'wo-closed': N_('Work order closed'),
    'rts-created': N_('Return to supplier created'),
    'rts-shipped': N_('Return to supplier shipped'),
    'reorder-policy-set': N_('Reorder policy set'),
    'reorder-signal': N_('Reorder signal'),
    'reorder-rearmed': N_('Reorder re-armed'),
    'count-opened': N_('Count opened'),
    'count-entered': N_('Count entered'),
    'count-recount': N_('Recount'),
  };

  // What a station says about a rejected scan, by its stable code; the
  // station's own message (English) is the fallback for a code not here.
  const outcomeTexts = {
    'unreadable': N_('The code could not be read'),
    'unknown_code': N_('The depot does not know this code'),
    'station_busy': N_('The station is busy; scan again'),
    'not_handled': N_('The station is not doing anything with scans'),
    'lookup_failed': N_('The ledger could not be read; scan again'),
    'wrong_part': N_('This part is not on the document'),
    'over_picked': N_('The line already has all it asks for'),
    'not_in_depot': N_('This serial is not in the depot'),
    'not_available': N_('None of this part is available to pick'),
    'not_issued': N_('The work order did not issue this'),
    'not_an_item': N_("Scan the part's barcode"),
    'serial_required': N_('Scan the serial too'),
    'lot_required': N_('Scan the lot too'),
    'already_received': N_('This serial is already in the depot'),
    'order_closed': N_('The order is closed'),
    'refused': N_('Refused'),
  };

  // Mismatch reasons of a defective return (inventory.Mismatch*).
  const mismatchTexts = {
    'serial_not_issued': N_('The serial was not issued on the work order'),
    'part_not_issued': N_('The part was not issued on the work order'),
    'more_than_issued': N_('More came back than the work order issued'),
  };

  PE.depot = {
    N_,
    eventName: (type) => PE.t(eventNames[type] || type),
    eventTypes: Object.keys(eventNames),
    outcomeText: (out) => (outcomeTexts[out.code] ? PE.t(outcomeTexts[out.code]) : out.message),
    mismatchText: (code) => (mismatchTexts[code] ? PE.t(mismatchTexts[code]) : code),

    // qs builds a query string from the non-empty values.
    qs: (params) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
      }
      const s = q.toString();
      return s ? '?' + s : '';
    },

    // link is a link to a screen: a native <a>, so Enter follows it.
    link: (text, id, ...params) => h('a', {
      href: '#/' + [id, ...params].map((p) => encodeURIComponent(String(p))).join('/'), text,
    }),

    pill: (text, cls) => h('span', { class: 'pill ' + (cls || ''), text }),

    // progress is a bar for done of want, with the numbers beside it.
    progress: (done, want) => {
      const bar = h('span');
      bar.style.width = (want > 0 ? Math.min(100, Math.round((100 * done) / want)) : 0) + '%';
      return h('div', { class: 'progress-cell' },
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': want, 'aria-valuenow': done }, bar),
        h('span', { class: 'num', text: PE.fmtNum(done) + ' / ' + PE.fmtNum(want) }));
    },

    // form is a <form>: Enter in any field submits it, and a refusal of
    // the action is shown, not thrown away.
    form: (onsubmit, ...children) => {
      const f = h('form', { class: 'panel' }, ...children);
      f.addEventListener('submit', async (e) => {
        e.preventDefault();
        const btn = f.querySelector('button[type=submit]');
        if (btn) btn.disabled = true;
        try {
          PE.clearError();
          await onsubmit(f);
        } catch (err) {
          PE.showError(err);
        } finally {
          if (btn) btn.disabled = false;
        }
      });
      return f;
    },

    input: (name, attrs) => h('input', Object.assign({ name, type: 'text', autocomplete: 'off' }, attrs || {})),

    select: (name, options, value) => h('select', { name },
      options.map(([v, label]) => h('option', { value: v, selected: v === value, text: PE.t(label) }))),

    // lines sums up event lines for one cell: "2 × P-1 A-01 → B-02 [S1]".
    lines: (lines) => (lines || []).map((l) => {
      let s = PE.fmtNum(l.qty) + ' × ' + l.sku;
      if (l.lot) s += ' ' + PE.t('lot') + ' ' + l.lot;
      if (l.serials && l.serials.length) s += ' [' + l.serials.join(' ') + ']';
      if (l.from && l.to) s += ' ' + l.from + ' → ' + l.to;
      else if (l.from) s += ' ← ' + l.from;
      else if (l.to) s += ' → ' + l.to;
      else if (l.location) s += ' @ ' + l.location;
      return s;
    }).join('; '),

    // keepFocus replaces a region's content and puts the focus back on
    // the control with the same data-focus key, so a screen that
    // refreshes itself never throws a keyboard user out of it.
    keepFocus: (region, ...nodes) => {
      const a = document.activeElement;
      const key = a && region.contains(a) && a.dataset ? a.dataset.focus : null;
      region.replaceChildren(...nodes);
      if (key) {
        const again = region.querySelector('[data-focus="' + CSS.escape(key) + '"]');
        if (again) again.focus();
      }
    },

    // refused shows a refusal of a scan: the red banner with the server's
    // translated text, and the error bar with its code.
    refused: (err) => {
      if (err instanceof PE.Problem) {
        PE.feedback(false, [err.title, err.detail].filter(Boolean).join(': '));
        PE.showError(err);
        return;
      }
      throw err;
    },

    // lookup resolves a scanned part code (SKU, GTIN or alias); a code
    // the depot does not know is a red scan, and null.
    lookup: async (code, signal) => {
      try {
        return await PE.api('GET', '/api/v1/parts/lookup' + PE.depot.qs({ code }), undefined, { signal });
      } catch (err) {
        if (err instanceof PE.Problem && err.status === 404) {
          PE.feedback(false, PE.t('The depot does not know this code') + ': ' + code);
          return null;
        }
        PE.depot.refused(err);
        return null;
      }
    },
  };
})();
