// The station screen, and the station desk it shares with receiving (20)
// and counting (25): a scan field, the station's active operation, and its
// outcomes followed live over SSE, each with the big good/bad banner and a
// beep. Scans from the station's own devices (a serial scanner, an RFID
// reader) and from this page's field arrive on the same stream, so the
// page shows what the operator did whichever way they scanned.
'use strict';
(() => {
  const h = PE.h;
  // N_ marks English text translated later, by PE.t, so the catalogue
  // test finds it.
  const N_ = (s) => s;
  // The outcomes the desk lists: fewer on a handheld, where they would
  // push the document's figures out of sight.
  const keep = () => (window.matchMedia('(max-width: 600px)').matches ? 3 : 8);
  const STATION_KEY = 'pe.station';

  const operations = {
    'identify': N_('Identifying parts'),
    'receive': N_('Receiving a purchase order'),
    'putaway': N_('Putting away'),
    'pick': N_('Picking a work order'),
    'return': N_('Returns of a work order'),
    'ship': N_('Shipping a transfer'),
    'receive-transfer': N_('Receiving a transfer'),
    'count': N_('Counting'),
  };

  // Why a scan was rejected, by the station's stable code
  // (devices/station); the station's English message is shown beside it.
  const rejections = {
    'unreadable': N_('The code could not be read'),
    'unknown_code': N_('The depot does not know this code'),
    'station_busy': N_('The station is busy; scan again'),
    'not_handled': N_('The station is not doing anything with scans'),
    'lookup_failed': N_('The ledger could not be read; scan again'),
    'wrong_part': N_('This part is not on the document'),
    'wrong_lot': N_('The order expects another lot'),
    'expired_lot': N_('The lot has expired'),
    'over_delivered': N_('More than the order allows'),
    'already_received': N_('This serial is already in the depot'),
    'order_closed': N_('The order is closed'),
    'serial_required': N_('Scan the serial too'),
    'lot_required': N_('Scan the lot too'),
    'not_an_item': N_("Scan the part's barcode"),
    'refused': N_('Refused'),
    'unknown_pallet': N_('No shipping notice announced this pallet'),
    'pallet_received': N_('This pallet has been received already'),
    'already_counted': N_('Already counted in this count'),
    'not_in_scope': N_('Not in the count\'s scope'),
    'not_a_counter': N_('You are not a counter of this count'),
    'count_closed': N_('The count has been approved'),
    'scan_bin_first': N_("Scan the bin's label first"),
    'unlocated': N_('This tag is in no bin of the count'),
    'over_picked': N_('The line already has all it asks for'),
    'not_in_depot': N_('This serial is not in the depot'),
    'not_available': N_('None of this part is available to pick'),
    'not_issued': N_('The work order did not issue this'),
    'not_here': N_('The part is not in the location put away from'),
    'scan_item_first': N_('Scan a part first'),
    'not_a_bin': N_('This location is not a stock bin'),
    'over_shipped': N_('More than the transfer asks for'),
    'not_in_shipment': N_('Not in the shipment'),
    'wrong_shipment': N_('This pallet belongs to another shipment'),
    'nothing_left': N_('The whole shipment has been received'),
    'transfer_state': N_('The transfer is not open for this'),
  };

  const operationText = (kind, ref) => {
    const what = PE.t(operations[kind] || kind || N_('Nothing'));
    return ref ? what + ' · ' + ref : what;
  };

  // headline is an outcome in the reader's language: the rejection's
  // reason, or what the good scan did.
  const headline = (o) => {
    if (!o.good) return rejections[o.code] ? PE.t(rejections[o.code]) : PE.t(N_('Rejected'));
    const id = o.identity || {};
    const sku = o.part ? o.part.sku : (id.gtin || id.code || o.data);
    const qty = PE.fmtNum(id.qty || 1);
    if (o.operation === 'count' && !o.seq && id.kind === 'code') return PE.t('Counting bin {bin}', { bin: id.code });
    if (o.operation === 'count' && id.serial) return PE.t('Counted {sku} serial {serial}', { sku, serial: id.serial });
    if (o.operation === 'count') return PE.t('Counted {qty} × {sku}', { qty, sku });
    if (o.operation === 'receive' && id.kind === 'shipment') return PE.t('Received pallet {sscc}', { sscc: id.sscc });
    if (o.operation === 'receive' && id.serial) return PE.t('Received {sku} serial {serial}', { sku, serial: id.serial });
    if (o.operation === 'receive') return PE.t('Received {qty} × {sku}', { qty, sku });
    if (o.operation === 'identify' && o.part) return PE.t('Found {sku}', { sku });
    return PE.t('Accepted');
  };

  // splitAIM takes a keyboard-wedge scan with its AIM symbology identifier
  // in front ("]C1010950..."), as scanners configured to send it type.
  const splitAIM = (text) => {
    const m = /^(\][A-Za-z][0-9A-Za-z])\s*(.*)$/.exec(text);
    return m && m[2] ? { aimId: m[1], data: m[2] } : { data: text };
  };

  // stations reads the depot's stations; the one this browser used last
  // comes first among the choices.
  const stations = async (ctx) => (await PE.api('GET', '/api/v1/stations', undefined, { signal: ctx.signal })).items || [];
  const lastStation = () => localStorage.getItem(STATION_KEY) || '';
  const chooseStation = (id) => localStorage.setItem(STATION_KEY, id);

  // stationSelect is a labelled select of the stations.
  const stationSelect = (items, selected) => {
    const pick = selected || lastStation();
    const sel = h('select', { name: 'station', required: true },
      items.map((s) => h('option', { value: s.id, selected: s.id === pick, text: s.id + ' — ' + operationText(s.operation, s.ref) })));
    return sel;
  };

  // desk builds the station block at the start of el: the scan field
  // (first, so the shell puts the keyboard there) and the station's state,
  // followed live until the screen is left. onOutcome hears every outcome
  // after the page opened, once. It returns the station's info as first
  // read, start (to start an operation there) and log, the panel of the
  // last outcomes, for the caller to place below its own figures.
  const desk = async (el, ctx, id, opts) => {
    opts = opts || {};
    let info = await PE.api('GET', '/api/v1/stations/' + encodeURIComponent(id), undefined, { signal: ctx.signal });
    chooseStation(id);
    const seen = new Set();
    const startedAt = info.lastId;
    const KEEP = keep();
    const list = h('ol', { class: 'outcomes', 'aria-label': PE.t('Last scans') });
    const live = h('span', { class: 'pill warn', text: PE.t('Connecting') });
    const opLine = h('span', { class: 'op' });
    const counts = h('span', { class: 'muted' });
    const showInfo = () => {
      opLine.textContent = operationText(info.operation, info.ref);
      counts.textContent = PE.t('{scans} scans, {rejected} rejected', { scans: PE.fmtNum(info.scans), rejected: PE.fmtNum(info.rejected) });
      el.dataset.operation = info.operation || '';
      el.dataset.ref = info.ref || '';
    };
    showInfo();

    const show = (o, fresh) => {
      if (seen.has(o.id)) return;
      seen.add(o.id);
      const text = headline(o);
      list.prepend(h('li', { class: o.good ? 'good' : 'bad', dataset: { id: String(o.id), good: String(o.good) } },
        h('span', { class: 'mark', 'aria-hidden': 'true', text: o.good ? '✔' : '✘' }),
        h('span', { class: 'what', text }),
        h('code', { translate: 'no', text: (o.aimId ? o.aimId + ' ' : '') + o.data }),
        h('span', { class: 'msg muted', translate: 'no', text: o.message }),
        h('time', { class: 'muted', datetime: o.at, text: PE.fmtTime(o.at) })));
      while (list.children.length > KEEP) list.lastChild.remove();
      if (!fresh) return;
      info.scans++;
      if (!o.good) info.rejected++;
      if (o.operation !== info.operation || (o.ref || '') !== (info.ref || '')) {
        info.operation = o.operation;
        info.ref = o.ref;
      }
      showInfo();
      PE.feedback(o.good, text);
      // The banner also carries the station's own words and the code read.
      const banner = document.querySelector('body > .feedback .text');
      if (banner) banner.append(h('small', { class: 'detail', translate: 'no', text: o.message }));
      if (opts.onOutcome) opts.onOutcome(o);
    };

    const scan = PE.scanField(async (text) => {
      const o = await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(id) + '/scans', splitAIM(text));
      show(o, o.id > startedAt);
    }, { label: 'Scan at this station' });
    el.append(scan.el, h('div', { class: 'panel desk' },
      h('div', { class: 'row inline desk-head' }, h('strong', { translate: 'no', text: id }), opLine, live, counts)));
    const log = h('div', { class: 'panel' }, h('h2', { text: PE.t('Last scans') }), list);

    const stop = PE.stream('/api/v1/stations/' + encodeURIComponent(id) + '/events', (ev) => {
      if (ev.event !== 'scan' || typeof ev.data !== 'object') return;
      show(ev.data, ev.data.id > startedAt);
    }, {
      after: Math.max(0, startedAt - KEEP),
      onState: (s, err) => {
        live.className = 'pill ' + (s === 'live' ? 'good' : 'bad');
        live.textContent = PE.t(s === 'live' ? N_('Live') : s === 'failed' ? N_('Stopped') : N_('Reconnecting'));
        el.dataset.live = s;
        if (err) PE.showError(err);
      },
    });
    ctx.onLeave(stop);
    return {
      info,
      log,
      // start starts an operation at the station and shows it.
      start: async (req) => {
        info = Object.assign(info, await PE.api('POST', '/api/v1/stations/' + encodeURIComponent(id) + '/operation', req));
        showInfo();
      },
    };
  };

  PE.stationDesk = { desk, stations, stationSelect, lastStation, chooseStation, operationText, headline, N_ };

  PE.screen({
    id: 'station',
    title: 'Station',
    roles: ['storekeeper', 'engineer', 'procurement', 'admin'],
    order: 10,
    render: async (el, params, ctx) => {
      const items = await stations(ctx);
      if (!items.length) {
        el.append(h('p', { class: 'panel', text: PE.t('This depot has no stations: bind a device to one first.') }));
        return;
      }
      let id = params[0] || '';
      if (!id && items.some((s) => s.id === lastStation())) id = lastStation();
      if (!id && items.length === 1) id = items[0].id;
      const sel = stationSelect(items, id);
      const form = h('form', { class: 'panel row' }, PE.field('Station', sel), PE.button('Use this station', null, { type: 'submit' }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        chooseStation(sel.value);
        PE.go('station', sel.value);
      });
      if (!items.some((s) => s.id === id)) {
        el.append(h('p', { text: PE.t('Choose the station you work at.') }), form);
        return;
      }
      const d = await desk(el, ctx, id);
      el.append(d.log, h('h2', { text: PE.t('Another station') }), form);
    },
  });
})();
