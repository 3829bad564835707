import { api } from '../api.js';
import { h } from '../dom.js';
import { session } from '../session.js';

const TOKEN_SHAPE = /^afy_[A-Za-z0-9_-]{10,}$/;

/** Sign-in with a personal access token; it is checked against the API before it is kept. */
export function signInView(params) {
  const error = h('p', { class: 'message error-text', id: 'sign-in-error', role: 'alert' });
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-help sign-in-error',
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-heading', onsubmit: async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.textContent = '';
    if (!TOKEN_SHAPE.test(token)) {
      error.textContent = 'That is not a personal access token: tokens start with afy_.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      // Any valid token may list tokens; the list holds this one (matched by its prefix).
      const tokens = await api('/v1/tokens', { token });
      const self = tokens.items.find((t) => token.startsWith(t.prefix));
      session.signIn(token, self?.name ?? `${token.slice(0, 10)}…`);
      input.value = '';
      location.hash = '#/jobs';
    } catch (err) {
      error.textContent = err.status === 401 ? 'The API refused this token: it is unknown, revoked or expired.' : `Could not sign in: ${err.message}`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      button.disabled = false;
    }
  } },
    h('h1', { id: 'sign-in-heading', tabindex: -1 }, 'Sign in'),
    params.get('expired') ? h('p', { class: 'message', role: 'status' }, 'Your session ended: the token was refused. Sign in again.') : null,
    h('div', { class: 'field' },
      h('label', { for: 'token' }, 'Personal access token'),
      input,
      h('p', { id: 'token-help', class: 'help' }, 'The token (afy_…) is kept in this tab’s session storage only, and sent to this API alone. Closing the tab or signing out forgets it.'),
    ),
    error,
    button,
  );
  return { title: 'Sign in', element: h('div', { class: 'sign-in-wrap' }, form), focus: input, dispose() {} };
}
