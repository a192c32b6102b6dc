// Users and tokens (admins): who may sign in, with which role, and new
// bearer tokens. The depot keeps only a token's hash, so a new token is
// shown once, here, with a copy button, and never again.
'use strict';
(() => {
  const h = PE.h;
  const D = PE.depot;
  const N_ = D.N_;

  const roles = [
    ['storekeeper', N_('storekeeper')], ['engineer', N_('engineer')], ['procurement', N_('procurement')],
    ['planner', N_('planner')], ['auditor', N_('auditor')], ['admin', N_('admin')],
  ];

  PE.screen({
    id: 'users',
    title: 'Users and tokens',
    roles: ['admin'],
    order: 80,
    render: async (el, params, ctx) => {
      const users = h('div');
      const shown = h('div', { 'aria-live': 'polite' });

      // showToken puts a new token on screen once: a read-only field to
      // select, and a copy button.
      const showToken = (name, token) => {
        const field = h('input', { type: 'text', readonly: true, value: token, class: 'token', 'aria-label': PE.t('New token for {name}', { name }) });
        const copy = PE.button('Copy', async () => {
          field.select();
          try {
            await navigator.clipboard.writeText(token);
          } catch (e) {
            // No clipboard API on plain http: the selected text copies.
            document.execCommand('copy');
          }
          PE.feedback(true, PE.t('Token copied'));
        }, { class: 'primary' });
        shown.replaceChildren(h('div', { class: 'panel new-token' },
          h('h2', { text: PE.t('New token for {name}', { name }) }),
          h('div', { class: 'token-once' }, field, copy),
          h('p', { class: 'warn', text: PE.t('Copy it now: it will not be shown again.') })));
        copy.focus();
      };

      const load = async () => {
        const ans = await PE.api('GET', '/api/v1/users', undefined, { signal: ctx.signal });
        users.replaceChildren(PE.table([
          { key: 'name', title: 'User' },
          { key: 'role', title: 'Role', format: (v) => PE.t(v) },
          { key: 'created', title: 'Created', format: (v) => PE.fmtTime(v) },
          { key: 'disabled', title: 'Status', format: (v) => D.pill((v ? PE.t('Disabled') : PE.t('Active')), v ? 'bad' : 'good') },
          { key: 'token', title: 'Token', format: (v, u) => h('button', { type: 'button', text: PE.t('New token'), 'aria-label': PE.t('New token for {name}', { name: u.name }), onclick: () => newToken(u.name) }) },
        ], ans.items, { caption: 'Users' }));
      };

      const newToken = async (name) => {
        try {
          const ans = await PE.api('POST', '/api/v1/users/' + encodeURIComponent(name) + '/tokens', {});
          showToken(name, ans.token);
        } catch (err) {
          D.refused(err);
        }
      };

      const name = D.input('name', { required: true, autocapitalize: 'off', spellcheck: 'false' });
      const role = D.select('role', roles, 'storekeeper');
      const create = D.form(async () => {
        let ans;
        try {
          ans = await PE.api('POST', '/api/v1/users', { name: name.value.trim(), role: role.value });
        } catch (err) {
          D.refused(err);
          return;
        }
        name.value = '';
        await load();
        showToken(ans.user.name, ans.token);
      },
      h('h2', { text: PE.t('New user') }),
      h('div', { class: 'row' }, PE.field('Name', name), PE.field('Role', role), PE.button('Create user', null, { type: 'submit', class: 'primary' })));
      el.append(create, shown, users);
      await load();
      name.focus();
    },
  });
})();
