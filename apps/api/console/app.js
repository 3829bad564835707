import { replaceChildren } from './dom.js';
import { session } from './session.js';
import { jobPageView } from './views/job-page.js';
import { jobsListView } from './views/jobs-list.js';
import { signInView } from './views/sign-in.js';
import { webhookEndpointView, webhooksView } from './views/webhooks.js';

/**
 * Routes live in the fragment (#/jobs, #/jobs/{id}, #/webhooks, #/webhooks/{project}/{id}),
 * so the API serves one index.html and the fragment never reaches a server log. The
 * fragment never holds the token.
 */
function route(hash) {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (!session.token || parts[0] === 'sign-in') return session.token && parts[0] === 'sign-in' ? jobsListView(params) : signInView(params);
  if (parts[0] === 'jobs' && parts[1]) return jobPageView(parts[1]);
  if (parts[0] === 'webhooks' && parts[1] && parts[2]) return webhookEndpointView(parts[1], parts[2]);
  if (parts[0] === 'webhooks') return webhooksView(params);
  return jobsListView(params);
}

let current;

function render() {
  current?.dispose();
  const main = document.getElementById('main');
  current = route(location.hash || '#/jobs');
  replaceChildren(main, current.element);
  document.title = `${current.title} · apiferry console`;

  const signedIn = Boolean(session.token);
  document.getElementById('main-nav').hidden = !signedIn;
  document.getElementById('session').hidden = !signedIn;
  document.getElementById('session-name').textContent = signedIn ? `Signed in as ${session.name}` : '';
  const section = (location.hash.match(/^#\/(\w+)/) ?? [])[1] ?? 'jobs';
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // A new page: move focus to its heading (or the sign-in field) so keyboard and screen
  // reader users start at the top of what changed.
  (current.focus ?? main.querySelector('h1') ?? main).focus();
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/sign-in';
});
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', render);
render();

