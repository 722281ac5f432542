// Registering the service worker and keeping the signed-in role's shell pages ready for offline use.
import { site } from './device.js';

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch (error) {
    console.warn('service worker not registered', error);
    return null;
  }
}

/** Once signed in, ask the worker to fetch the role's shell pages so they work offline from the first visit. */
export async function keepShellReady(paths) {
  if (!paths.length || !('serviceWorker' in navigator) || !('caches' in self)) return;
  const registration = await navigator.serviceWorker.ready;
  const cache = await caches.open(site.PAGES_CACHE);
  const cached = await Promise.all(paths.map((path) => cache.match(path)));
  if (cached.some((response) => !response) && registration.active) {
    registration.active.postMessage({ type: 'CACHE_SHELL', paths });
  }
}

/** Sign-out: drop the cached shell pages (they belong to the signed-in session). */
export async function forgetShell() {
  if ('caches' in self) await caches.delete(site.PAGES_CACHE);
}

/** Ask the browser not to evict the saved code and queue under storage pressure. */
export async function askForPersistentStorage() {
  try {
    if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch (error) {
    // Not granted: data stays "best effort", which is still fine.
  }
}
