/* OneCode service worker (source; `npm run build` injects the precache list into app/static/sw.js).
 *
 * - Precache: static assets (css, js, vendor, icons, the country's places for the place pickers) and the
 *   /offline page.
 * - App shell pages (/code, /checkin, /warden/scan): network first with a short timeout, cached copy when
 *   offline; an offline / opens whichever shell this device holds. Only plain 200 answers are cached, so a
 *   signed-out redirect or a 403 for another role never replaces a good shell.
 * - Public pages (/info): network first, the last copy when offline (the page shows its age), in a cache of
 *   their own that sign-out keeps (nothing personal is on them).
 * - Other pages: network only, /offline when the network fails.
 * - /api/* is never cached here: the page keeps the code in IndexedDB (db.js).
 * - Outboxes (check-ins, scans): sent on worker start, on Background Sync and on request from a page,
 *   by the same script the pages use (outbox-sync.js), under one Web Lock per outbox.
 */
importScripts('/static/workbox/__WORKBOX_DIR__/workbox-sw.js');
workbox.setConfig({ modulePathPrefix: '/static/workbox/__WORKBOX_DIR__/', debug: false });
importScripts('/static/js/site.js', '/static/js/csrf.js', '/static/vendor/idb.umd.js', '/static/js/db.js',
  '/static/js/outbox-sync.js');

// Touch every Workbox module at top level so importScripts runs during install, never later.
const { core, precaching, routing, strategies } = workbox;

const { PAGES_CACHE, PUBLIC_CACHE, homeShells: HOME_SHELLS, publicPages: PUBLIC_PAGES, shells } = self.onecodeSite; // site.js: every address once
const SHELL_PATHS = Object.values(shells).flat();
const outboxes = self.onecodeOutboxes;
const outboxByTag = new Map(Object.values(outboxes).map((outbox) => [outbox.SYNC_TAG, outbox]));

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

const publicStrategy = new strategies.NetworkFirst({
  cacheName: PUBLIC_CACHE,
  networkTimeoutSeconds: 4,
  plugins: [shellPagesOnly],
  matchOptions: { ignoreSearch: true, ignoreVary: true }, // the same page for everyone (it varies by cookie only in name)
});

const isOwnNavigation = ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin;

routing.registerRoute((context) => isOwnNavigation(context) && SHELL_PATHS.includes(context.url.pathname), shellStrategy);
routing.registerRoute((context) => isOwnNavigation(context) && PUBLIC_PAGES.includes(context.url.pathname), publicStrategy);
routing.registerRoute((context) => isOwnNavigation(context), new strategies.NetworkOnly());

routing.setCatchHandler(async ({ request, url }) => {
  if (request.mode !== 'navigate') return Response.error();
  if (url.pathname === '/') {
    for (const path of HOME_SHELLS) {
      const shell = await caches.match(self.location.origin + path, { cacheName: PAGES_CACHE });
      if (shell) return shell;
    }
  }
  return (await precaching.matchPrecache('/offline')) || Response.error();
});

/** Fetch shell pages once the user is signed in, so they work offline from the first visit.
 *  A page names the shells of its role; without names, the resident's. */
async function cacheShellPages(paths) {
  const wanted = Array.isArray(paths) ? paths.filter((path) => SHELL_PATHS.includes(path)) : shells.resident;
  const cache = await caches.open(PAGES_CACHE);
  await Promise.all(wanted.map(async (path) => {
    try {
      const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 200 && !response.redirected) await cache.put(self.location.origin + path, response);
    } catch (error) {
      // Offline or server away: the next navigation caches the page instead.
    }
  }));
}

/** Keep a copy of the public pages (asked by a page the worker did not serve, e.g. on the first visit). */
async function cachePublicPages() {
  const cache = await caches.open(PUBLIC_CACHE);
  await Promise.all(PUBLIC_PAGES.map(async (path) => {
    try {
      const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 200 && !response.redirected) await cache.put(self.location.origin + path, response);
    } catch (error) {
      // Offline: the next visit keeps it instead.
    }
  }));
}

/** Send one outbox; throw when it must be retried so Background Sync tries again later. */
async function syncOutbox(outbox, reason) {
  const summary = await outbox.sync(reason);
  if (summary.retry) throw new Error(`${outbox.name} outbox not sent (${summary.reason})`);
  return summary;
}

function syncAll(reason) {
  return Promise.all(Object.values(outboxes).map((outbox) => outbox.sync(reason)));
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'CACHE_SHELL') event.waitUntil(cacheShellPages(data.paths));
  if (data.type === 'CACHE_PUBLIC') {
    event.waitUntil(cachePublicPages().then(() => event.source && event.source.postMessage({ type: 'PUBLIC_CACHED' })));
  }
  if (data.type === 'SYNC_OUTBOX') {
    const outbox = outboxes[data.outbox || 'checkin'];
    if (outbox) event.waitUntil(outbox.sync('page-request'));
  }
});

self.addEventListener('sync', (event) => {
  const outbox = outboxByTag.get(event.tag);
  if (outbox) event.waitUntil(syncOutbox(outbox, 'background-sync'));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(syncAll('worker-activate'));
});

// Worker start (the browser starts it for a page load, a sync or a push): try each outbox once.
syncAll('worker-start');
