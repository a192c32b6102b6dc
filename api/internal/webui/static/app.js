// The shared shell of the Partsedge screens (depotd and hqd): sign-in,
// navigation, languages, the API client, server-sent events over fetch,
// scan fields and feedback. Screens register with PE.screen in their own
// files. Everything is built as DOM nodes with text, never as HTML from
// strings, so nothing a server or a barcode says can become markup.
'use strict';
(() => {
  const PE = {};
  window.PE = PE;

  const body = document.body;
  PE.app = body.dataset.app || 'depot';
  const TOKEN_KEY = 'pe.token.' + PE.app;
  const LANG_KEY = 'pe.lang';
  const LANGS = ['en', 'zh-Hans', 'zh-Hant'];
  const LANG_NAMES = { 'en': 'English', 'zh-Hans': '简体中文', 'zh-Hant': '繁體中文' };

  const screens = [];
  let catalog = {};
  let started = false;
  let current = null; // { def, ctl: AbortController, leaves: [] }
  let shell = null;

  PE.lang = 'en';
  PE.user = null;

  // ---------------------------------------------------------------- languages

  // negotiate mirrors the server's i18n.Negotiate for the browser's list:
  // Chinese by script, else by region (TW, HK, MO read Traditional).
  function negotiate(tags) {
    for (const tag of tags || []) {
      const subs = String(tag).toLowerCase().split('-');
      if (subs[0] === 'en') return 'en';
      if (subs[0] === 'zh') {
        for (const s of subs.slice(1)) {
          if (['hant', 'tw', 'hk', 'mo'].includes(s)) return 'zh-Hant';
          if (['hans', 'cn', 'sg'].includes(s)) return 'zh-Hans';
        }
        return 'zh-Hans';
      }
    }
    return 'en';
  }
  PE.negotiate = negotiate;

  // t translates English text; {name} placeholders take vars[name], so a
  // translation may put the values in its own order.
  PE.t = (text, vars) => {
    let s = Object.prototype.hasOwnProperty.call(catalog, text) && catalog[text] ? catalog[text] : text;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m));
    return s;
  };

  async function loadLanguage(l) {
    if (!LANGS.includes(l)) l = 'en';
    const res = await fetch('/ui/i18n/' + l + '.json');
    if (!res.ok) throw new Error('catalogue ' + l + ': ' + res.status);
    catalog = await res.json();
    PE.lang = l;
    document.documentElement.lang = l;
    document.title = PE.t(body.dataset.title || 'Partsedge');
  }

  function chosenLanguage() {
    if (PE.user && PE.user.lang) return PE.user.lang;
    const kept = localStorage.getItem(LANG_KEY);
    if (kept && LANGS.includes(kept)) return kept;
    return negotiate(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
  }

  // setLanguage switches the screens and keeps the choice: in this browser,
  // and for the signed-in user so it follows them to another device.
  PE.setLanguage = async (l) => {
    localStorage.setItem(LANG_KEY, l);
    if (PE.user) {
      await PE.api('POST', '/api/v1/me/language', { lang: l });
      PE.user.lang = l;
    }
    await loadLanguage(l);
    renderShell();
    route();
  };

  PE.fmtNum = (n) => (n === undefined || n === null || n === '' ? '' : new Intl.NumberFormat(PE.lang).format(n));
  PE.fmtTime = (t) => {
    if (!t) return '';
    const d = new Date(t);
    if (isNaN(d)) return String(t);
    return new Intl.DateTimeFormat(PE.lang, { dateStyle: 'short', timeStyle: 'medium' }).format(d);
  };
  PE.fmtDate = (t) => {
    if (!t) return '';
    const d = new Date(t);
    if (isNaN(d)) return String(t);
    return new Intl.DateTimeFormat(PE.lang, { dateStyle: 'medium' }).format(d);
  };

  // ---------------------------------------------------------------- the API

  class Problem extends Error {
    constructor(status, p) {
      p = p || {};
      super(p.detail || p.title || ('HTTP ' + status));
      this.status = status;
      this.code = p.code || '';
      this.title = p.title || '';
      this.detail = p.detail || '';
      this.field = p.field || '';
    }
  }
  PE.Problem = Problem;

  // key makes an Idempotency-Key. crypto.randomUUID needs a secure context,
  // and a depot's handhelds reach depotd over plain http on the LAN.
  PE.key = () => {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };

  PE.token = () => localStorage.getItem(TOKEN_KEY) || '';

  function headers(extra) {
    const h = Object.assign({ 'Accept-Language': PE.lang }, extra || {});
    const tok = PE.token();
    if (tok) h.Authorization = 'Bearer ' + tok;
    return h;
  }

  async function problemOf(res) {
    const ct = res.headers.get('Content-Type') || '';
    if (ct.includes('json')) {
      try { return new Problem(res.status, await res.json()); } catch (e) { /* not JSON after all */ }
    }
    return new Problem(res.status, { title: res.statusText });
  }

  // api calls the daemon's API. A POST carries an Idempotency-Key (the
  // caller's, so a retry of one action is answered once, or a new one).
  // A refusal throws a PE.Problem with the server's translated text.
  PE.api = async (method, path, body, opts) => {
    opts = opts || {};
    const h = headers({ Accept: 'application/json' });
    const init = { method, headers: h, signal: opts.signal };
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method === 'POST' || method === 'PUT') h['Idempotency-Key'] = opts.key || PE.key();
    const res = await fetch(path, init);
    if (res.status === 401) {
      signOut();
      throw await problemOf(res);
    }
    if (!res.ok) throw await problemOf(res);
    if (res.status === 204) return null;
    const ct = res.headers.get('Content-Type') || '';
    return ct.includes('json') ? res.json() : res.text();
  };

  // download fetches an export with the token and hands it to the browser
  // as a file, named as the server says.
  PE.download = async (path, filename) => {
    const res = await fetch(path, { headers: headers() });
    if (!res.ok) throw await problemOf(res);
    const blob = await res.blob();
    if (!filename) {
      const cd = res.headers.get('Content-Disposition') || '';
      const m = /filename\*=UTF-8''([^;]+)/i.exec(cd) || /filename="?([^";]+)"?/i.exec(cd);
      filename = m ? decodeURIComponent(m[1]) : 'export';
    }
    const url = URL.createObjectURL(blob);
    const a = PE.h('a', { href: url, download: filename, class: 'hidden' });
    body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // stream follows a server-sent event stream. EventSource cannot send a
  // bearer token, so this reads the stream with fetch, resumes from the
  // last id after a drop, and calls onEvent({event, id, data}) with data
  // parsed as JSON where it is JSON. onState hears 'live', 'reconnecting'
  // and 'failed' (a refusal no retry mends). It returns stop.
  PE.stream = (path, onEvent, opts) => {
    opts = opts || {};
    const onState = opts.onState || (() => {});
    let stopped = false;
    let lastId = opts.after ? String(opts.after) : null;
    let ctl = null;
    let retry = 2000;
    const dispatch = (ev) => {
      if (!ev.data.length) return;
      if (ev.id !== null) lastId = ev.id;
      const text = ev.data.join('\n');
      let data = text;
      try { data = JSON.parse(text); } catch (e) { /* plain text data */ }
      try { onEvent({ event: ev.event, id: ev.id, data }); } catch (e) { console.error(e); }
    };
    (async () => {
      while (!stopped) {
        ctl = new AbortController();
        try {
          const h = headers({ Accept: 'text/event-stream' });
          if (lastId !== null) h['Last-Event-ID'] = lastId;
          const res = await fetch(path, { headers: h, signal: ctl.signal });
          if (!res.ok) throw await problemOf(res);
          onState('live');
          const reader = res.body.getReader();
          const dec = new TextDecoder();
          let buf = '';
          let ev = { event: 'message', id: null, data: [] };
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += dec.decode(value, { stream: true });
            let i;
            while ((i = buf.search(/\r\n|\r|\n/)) >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + (buf[i] === '\r' && buf[i + 1] === '\n' ? 2 : 1));
              if (line === '') {
                dispatch(ev);
                ev = { event: 'message', id: null, data: [] };
                continue;
              }
              if (line[0] === ':') continue;
              const c = line.indexOf(':');
              const field = c < 0 ? line : line.slice(0, c);
              let v = c < 0 ? '' : line.slice(c + 1);
              if (v[0] === ' ') v = v.slice(1);
              if (field === 'data') ev.data.push(v);
              else if (field === 'event') ev.event = v;
              else if (field === 'id') ev.id = v;
              else if (field === 'retry' && /^\d+$/.test(v)) retry = Number(v);
            }
          }
        } catch (e) {
          if (stopped) return;
          if (e instanceof Problem && e.status >= 400 && e.status < 500) {
            onState('failed', e);
            if (e.status === 401) signOut();
            return;
          }
        }
        if (stopped) return;
        onState('reconnecting');
        await sleep(retry);
      }
    })();
    return () => {
      stopped = true;
      if (ctl) ctl.abort();
    };
  };

  // ---------------------------------------------------------------- DOM

  // h builds an element: attrs may hold class, text, on<event> handlers,
  // dataset, booleans (true sets the attribute) and any other attribute.
  PE.h = (tag, attrs, ...children) => {
    const el = tag.startsWith('svg:')
      ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
      : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
    const add = (c) => {
      if (c === undefined || c === null || c === false) return;
      if (Array.isArray(c)) c.forEach(add);
      else if (c instanceof Node) el.append(c);
      else el.append(document.createTextNode(String(c)));
    };
    children.forEach(add);
    return el;
  };

  // table renders rows under columns {key, title (English), num, format(v,
  // row), cls(row)}; the wrapper scrolls sideways on a narrow screen and
  // can be reached and scrolled by keyboard.
  PE.table = (columns, rows, opts) => {
    opts = opts || {};
    const h = PE.h;
    const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, text: PE.t(c.title) })));
    const bodyRows = rows.map((r) => h('tr', { class: opts.rowClass ? opts.rowClass(r) : null },
      columns.map((c) => {
        const v = typeof c.value === 'function' ? c.value(r) : r[c.key];
        const shown = c.format ? c.format(v, r) : (c.num ? PE.fmtNum(v) : v);
        return h('td', { class: [c.num ? 'num' : '', c.cls ? c.cls(r) || '' : ''].join(' ').trim() || null, dataset: { key: c.key || '' } }, shown);
      })));
    const table = h('table', { class: 'data' },
      opts.caption ? h('caption', { text: PE.t(opts.caption) }) : null,
      h('thead', null, head),
      h('tbody', null, rows.length ? bodyRows : h('tr', null, h('td', { colspan: columns.length, class: 'empty', text: PE.t(opts.empty || 'Nothing to show') }))));
    return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': PE.t(opts.caption || 'Table') }, table);
  };

  // field wraps a control with its label.
  PE.field = (label, control, hint) => PE.h('label', { class: 'field' },
    PE.h('span', { class: 'label', text: PE.t(label) }), control, hint ? PE.h('span', { class: 'hint', text: PE.t(hint) }) : null);

  // button is a native button (Enter and Space press it).
  PE.button = (label, onclick, opts) => {
    opts = opts || {};
    return PE.h('button', { type: opts.type || 'button', class: opts.class || null, onclick, 'aria-keyshortcuts': opts.keys || null, text: PE.t(label) });
  };

  let audio = null;
  // beep: a short high tone for good, two low ones for bad, where the
  // browser lets the page make sound.
  PE.beep = (good) => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = good ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
      for (const [freq, at, len] of tones) {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = freq;
        o.type = good ? 'sine' : 'square';
        g.gain.value = 0.15;
        o.connect(g).connect(audio.destination);
        o.start(audio.currentTime + at);
        o.stop(audio.currentTime + at + len);
      }
    } catch (e) { /* no sound on this device: the banner says it */ }
  };

  // feedback shows a scan's result in a big green or red banner (in the
  // given element, or the shell's) and beeps.
  PE.feedback = (good, text, el) => {
    el = el || (shell && shell.feedback);
    if (!el) return;
    el.className = 'feedback ' + (good ? 'good' : 'bad');
    el.replaceChildren(PE.h('span', { class: 'mark', 'aria-hidden': 'true', text: good ? '✔' : '✘' }),
      PE.h('span', { class: 'text', text }));
    el.dataset.good = good ? 'true' : 'false';
    el.hidden = false;
    PE.beep(good);
  };

  // scanField is a text field for scans: a keyboard-wedge scanner types
  // the code and Enter, and so can a person. onScan gets the trimmed text;
  // the field clears and keeps the focus for the next scan.
  PE.scanField = (onScan, opts) => {
    opts = opts || {};
    const input = PE.h('input', {
      type: 'text', class: 'scan', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
      enterkeyhint: 'send', placeholder: PE.t(opts.placeholder || 'Scan or type a code'),
    });
    input.addEventListener('keydown', async (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const v = input.value.trim();
      input.value = '';
      if (!v) return;
      try { await onScan(v); } catch (err) { PE.showError(err); }
      input.focus();
    });
    const el = PE.field(opts.label || 'Scan', input);
    return { el, input, focus: () => input.focus() };
  };

  // showError puts a refusal where it is read out and seen: the problem's
  // translated title and detail.
  PE.showError = (err) => {
    if (!shell) { console.error(err); return; }
    const title = err instanceof Problem ? (err.title || PE.t('Refused')) : PE.t('Something went wrong');
    const detail = err instanceof Problem ? err.detail : String(err && err.message ? err.message : err);
    shell.error.replaceChildren(
      PE.h('strong', { text: title }), ' ', PE.h('span', { text: detail }),
      err && err.code ? PE.h('code', { text: err.code }) : null,
      PE.button('Dismiss', () => { shell.error.hidden = true; }, { class: 'link' }));
    shell.error.hidden = false;
  };
  PE.clearError = () => { if (shell) shell.error.hidden = true; };

  // badge puts a count on a screen's link in the navigation (0 hides it).
  PE.badge = (id, n) => {
    if (!shell) return;
    const b = shell.nav.querySelector('[data-badge="' + id + '"]');
    if (b) { b.textContent = n ? String(n) : ''; b.hidden = !n; }
  };

  // ---------------------------------------------------------------- screens

  // screen registers {id, title, roles?, order?, hidden?, render(el,
  // params, ctx)}. ctx.signal aborts and ctx.onLeave(fn) runs when the
  // screen is left, so streams and timers end with it.
  PE.screen = (def) => {
    screens.push(def);
    screens.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.id.localeCompare(b.id));
    if (started) renderShell();
  };

  // screens lists the ids of the screens the signed-in user may open, in
  // navigation order.
  PE.screens = () => screens.filter((s) => allowed(s) && !s.hidden).map((s) => s.id);

  PE.go = (id, ...params) => {
    location.hash = '#/' + [id, ...params].map((p) => encodeURIComponent(String(p))).join('/');
  };

  // coalesce wraps an async read so that calls arriving while it runs ask
  // for one more run, not one each: a burst of live outcomes rereads a
  // document once or twice, not once per outcome.
  PE.coalesce = (fn, signal) => {
    let running = null;
    let again = false;
    return () => {
      if (running) { again = true; return running; }
      running = (async () => {
        do {
          again = false;
          await fn();
        } while (again && !(signal && signal.aborted));
      })().finally(() => { running = null; });
      return running;
    };
  };

  // every calls fn now and every ms until the screen is left.
  PE.every = (ctx, ms, fn) => {
    let timer = null;
    const tick = async () => {
      try { await fn(); } catch (e) { PE.showError(e); }
      if (!ctx.signal.aborted) timer = setTimeout(tick, ms);
    };
    ctx.onLeave(() => clearTimeout(timer));
    return tick();
  };

  const allowed = (def) => !def.roles || !PE.user || !PE.user.role || def.roles.includes(PE.user.role);

  function parseHash() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
    return { id: parts[0] || '', params: parts.slice(1) };
  }

  function leave() {
    if (!current) return;
    current.ctl.abort();
    for (const fn of current.leaves) {
      try { fn(); } catch (e) { console.error(e); }
    }
    current = null;
  }

  async function route() {
    if (!shell) return;
    const { id, params } = parseHash();
    const visible = screens.filter((s) => allowed(s) && !s.hidden);
    let def = screens.find((s) => s.id === id && allowed(s));
    if (!def) def = visible[0];
    if (!def) return;
    leave();
    PE.clearError();
    shell.feedback.hidden = true;
    for (const a of shell.nav.querySelectorAll('a[data-screen]')) {
      if (a.dataset.screen === def.id) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const ctl = new AbortController();
    const me = { def, ctl, leaves: [] };
    current = me;
    const heading = PE.h('h1', { tabindex: -1, text: PE.t(def.title) });
    const section = PE.h('section', { class: 'screen', dataset: { screen: def.id } });
    shell.main.replaceChildren(heading, section);
    document.title = PE.t(def.title) + ' · ' + PE.t(body.dataset.title || 'Partsedge');
    const ctx = { signal: ctl.signal, onLeave: (fn) => me.leaves.push(fn), params };
    try {
      await def.render(section, params, ctx);
    } catch (e) {
      if (current === me && !ctl.signal.aborted) PE.showError(e);
    }
    // Tests (and people) can tell a screen that has shown its first data.
    section.dataset.ready = 'true';
    // Put the keyboard where the work is: the screen's scan field or first
    // control, else its heading.
    if (current === me && !section.contains(document.activeElement)) {
      const first = section.querySelector('input.scan, [autofocus]');
      (first || heading).focus();
    }
  }
  PE.reload = route;

  // ---------------------------------------------------------------- shell

  function langPicker() {
    const sel = PE.h('select', { 'aria-label': PE.t('Language'), class: 'lang' },
      LANGS.map((l) => PE.h('option', { value: l, selected: l === PE.lang, text: LANG_NAMES[l] })));
    sel.addEventListener('change', () => PE.setLanguage(sel.value).catch(PE.showError));
    return sel;
  }

  function renderShell() {
    const h = PE.h;
    const nav = h('nav', { 'aria-label': PE.t('Screens') }, h('ul', null,
      screens.filter((s) => allowed(s) && !s.hidden).map((s) => h('li', null,
        h('a', { href: '#/' + s.id, dataset: { screen: s.id } }, PE.t(s.title),
          h('span', { class: 'badge', dataset: { badge: s.id }, hidden: true })))),
    ));
    const who = PE.user ? h('span', { class: 'who' }, PE.user.name, PE.user.role ? h('small', { text: PE.t(PE.user.role) }) : null) : null;
    const header = h('header', { class: 'top' },
      h('a', { class: 'brand', href: '#/' }, h('img', { src: '/ui/icon.svg', alt: '', width: 24, height: 24 }), PE.t(body.dataset.title || 'Partsedge')),
      nav,
      h('div', { class: 'tools' }, who, langPicker(), PE.button('Sign out', signOut, { class: 'link' })));
    const error = h('div', { class: 'error', role: 'alert', hidden: true });
    const feedback = h('div', { class: 'feedback', role: 'status', 'aria-live': 'assertive', hidden: true });
    const main = h('main', { id: 'main', tabindex: -1 });
    const skip = h('a', { class: 'skip', href: '#main', text: PE.t('Skip to content'), onclick: (e) => { e.preventDefault(); main.focus(); } });
    body.replaceChildren(skip, header, error, feedback, main);
    shell = { nav, error, feedback, main };
  }

  function signOut() {
    localStorage.removeItem(TOKEN_KEY);
    PE.user = null;
    leave();
    shell = null;
    showLogin();
  }
  PE.signOut = signOut;

  function showLogin(problem) {
    const h = PE.h;
    const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, id: 'token' });
    const msg = h('p', { class: 'error', role: 'alert', hidden: !problem, text: problem ? (problem.title + ': ' + problem.detail) : '' });
    const form = h('form', { class: 'login' },
      h('h1', { text: PE.t(body.dataset.title || 'Partsedge') }),
      PE.field('Access token', token, 'Your administrator gives you a token.'),
      msg,
      h('div', { class: 'row' }, PE.button('Sign in', null, { type: 'submit', class: 'primary' }), langPicker()));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      localStorage.setItem(TOKEN_KEY, token.value.trim());
      try {
        await start();
      } catch (err) {
        localStorage.removeItem(TOKEN_KEY);
        showLogin(err instanceof Problem ? err : new Problem(0, { title: PE.t('Sign-in failed'), detail: String(err) }));
      }
    });
    body.replaceChildren(h('main', { id: 'main', class: 'login-page' }, form));
    token.focus();
  }

  // start signs in with the kept token: who the user is decides the
  // language (their choice, else the browser's) and the screens they see.
  async function start() {
    const me = await PE.api('GET', '/api/v1/me');
    PE.user = me;
    await loadLanguage(chosenLanguage());
    started = true;
    renderShell();
    await route();
  }

  window.addEventListener('hashchange', () => { route(); });

  document.addEventListener('DOMContentLoaded', async () => {
    try {
      await loadLanguage(chosenLanguage());
    } catch (e) {
      console.error(e);
    }
    if (!PE.token()) { showLogin(); return; }
    try {
      await start();
    } catch (e) {
      if (!(e instanceof Problem) || e.status !== 401) localStorage.removeItem(TOKEN_KEY);
      showLogin(e instanceof Problem ? e : null);
    }
  });
})();
