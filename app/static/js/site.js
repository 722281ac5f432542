/* Where things are: the server's URLs the scripts call and open, and the cache the shell pages live in.
 *
 * A classic script shared by the pages (through device.js) and the service worker (importScripts), so each
 * address is written once. Defines self.onecodeSite.
 */
(function () {
  'use strict';

  const pages = Object.freeze({
    code: '/code', checkin: '/checkin', scanner: '/warden/scan', trail: '/warden/trail/', clinic: '/clinic/', pharmacy: '/pharmacy/',
    info: '/info',
  });

  self.onecodeSite = Object.freeze({
    api: Object.freeze({
      csrf: '/api/csrf',
      code: '/api/code',
      people: '/api/people',
      medicalCard: '/api/medical-card',
      trustBundle: '/api/trust-bundle',
      checkins: '/api/checkins/batch',
      scans: '/api/scans/batch',
      idLookup: '/api/scans/id-lookup',
      identify: '/api/identify',
      care: '/api/care/batch',
    }),
    pages,
    // The app shell: pages the worker keeps for offline use, by role (base.html names the role).
    shells: Object.freeze({
      resident: Object.freeze([pages.code, pages.checkin]),
      warden: Object.freeze([pages.scanner]),
      clinician: Object.freeze([pages.clinic]),
      pharmacist: Object.freeze([pages.pharmacy]),
    }),
    // What an offline "/" opens, first one cached wins.
    homeShells: Object.freeze([pages.code, pages.scanner, pages.clinic, pages.pharmacy]),
    PAGES_CACHE: 'onecode-pages',
    // Public pages the worker keeps for everyone on the device (nothing personal; kept across sign-outs).
    publicPages: Object.freeze([pages.info]),
    PUBLIC_CACHE: 'onecode-public',
  });
})();
