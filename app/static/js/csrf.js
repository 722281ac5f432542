/* A fresh CSRF token from the server, for a form or a queued record whose token may have expired.
 *
 * A classic script shared by the pages (through device.js) and the service worker (importScripts).
 * Needs self.onecodeSite (site.js). Defines self.onecodeCsrf.fresh(): resolves to the token, or to null when
 * the server gave none (signed out, an error); rejects when the network fails.
 */
(function () {
  'use strict';

  async function fresh() {
    const response = await fetch(self.onecodeSite.api.csrf, {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
    });
    const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
    if (!response.ok || response.redirected || !isJson) return null; // a signed-out answer may be a redirect
    const body = await response.json().catch(() => null);
    return (body && body.csrf_token) || null;
  }

  self.onecodeCsrf = Object.freeze({ fresh });
})();
