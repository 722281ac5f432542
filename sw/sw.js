/* OneCode service worker (source; `npm run build` injects the precache list into app/static/sw.js).
 *
 * - Precache: static assets (css, js, vendor, icons) and the /offline page.
 * - App shell pages (/, /code, /checkin): network first with a short timeout, cached copy when offline.
 *   Only plain 200 answers are cached, so a signed-out redirect never replaces a good shell.
 * - Other pages: network only, /offline when the network fails.
 * - /api/* is never cached here: the page keeps the code in IndexedDB (db.js).
 * - Check-in outbox: sent on worker start, on Background Sync and on request from a page,
 *   by the same script the pages use (outbox-sync.js), under a Web Lock.
 */
importScripts('/static/workbox/__WORKBOX_DIR__/workbox-sw.js');
workbox.setConfig({ modulePathPrefix: '/static/workbox/__WORKBOX_DIR__/', debug: false });
importScripts('/static/vendor/idb.umd.js', '/static/js/db.js', '/static/js/outbox-sync.js');

// Touch every Workbox module at top level so importScripts runs during install, never later.
const { core, precaching, routing, strategies } = workbox;

const PAGES_CACHE = 'onecode-pages';
const SHELL_PATHS = ['/code', '/checkin'];
const SYNC_TAG = 'checkin-outbox';

core.setCacheNameDetails({ prefix: 'onecode' });
self.skipWaiting();
core.clientsClaim();

precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute(self.__WB_MANIFEST);

/** Cache only complete, direct 200 pages, under their path without the query string. */
const shellPagesOnly = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && response.type === 'basic' && !response.redirected ? response : null,
  cacheKeyWillBeUsed: async ({ request }) => {
    const url = new URL(request.url);
    return url.origin + url.pathname;
  },
};

const shellStrategy = new strategies.NetworkFirst({
  cacheName: PAGES_CACHE,
  networkTimeoutSeconds: 4,
  plugins: [shellPagesOnly],
  matchOptions: { ignoreSearch: true },
});

const isOwnNavigation = ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin;

routing.registerRoute((context) => isOwnNavigation(context) && SHELL_PATHS.includes(context.url.pathname), shellStrategy);
routing.registerRoute((context) => isOwnNavigation(context), new strategies.NetworkOnly());

routing.setCatchHandler(async ({ request, url }) => {
  if (request.mode !== 'navigate') return Response.error();
  if (url.pathname === '/') {
    const shell = await caches.match(self.location.origin + '/code', { cacheName: PAGES_CACHE });
    if (shell) return shell;
  }
  return (await precaching.matchPrecache('/offline')) || Response.error();
});

/** Fetch the shell pages once the user is signed in, so the code works offline from the first visit. */
async function cacheShellPages() {
  const cache = await caches.open(PAGES_CACHE);
  await Promise.all(SHELL_PATHS.map(async (path) => {
    try {
      const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 200 && !response.redirected) await cache.put(self.location.origin + path, response);
    } catch (error) {
      // Offline or server away: the next navigation caches the page instead.
    }
  }));
}

/** Send the outbox; throw when it must be retried so Background Sync tries again later. */
async function syncOutbox(reason) {
  const summary = await self.onecodeOutbox.sync(reason);
  if (summary.retry) throw new Error(`check-in outbox not sent (${summary.reason})`);
  return summary;
}

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'CACHE_SHELL') event.waitUntil(cacheShellPages());
  if (type === 'SYNC_OUTBOX') event.waitUntil(self.onecodeOutbox.sync('page-request'));
});

self.addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(syncOutbox('background-sync'));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.onecodeOutbox.sync('worker-activate'));
});

// Worker start (the browser starts it for a page load, a sync or a push): try the outbox once.
self.onecodeOutbox.sync('worker-start');
