/**
 * The operator's personal access token lives in this tab's sessionStorage only: it is gone
 * when the tab closes, never written to localStorage, a cookie or a URL.
 */
const TOKEN_KEY = 'apiferry.console.token';
const NAME_KEY = 'apiferry.console.tokenName';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get name() {
    return sessionStorage.getItem(NAME_KEY) ?? '';
  },
  signIn(token, name) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(NAME_KEY, name);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(NAME_KEY);
  },
};

/** Called when the API answers 401: the token expired or was revoked while the page was open. */
export function sessionExpired() {
  session.signOut();
  location.hash = '#/sign-in?expired=1';
}
