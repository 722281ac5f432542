// Getting a health code: the saved copy from the device, then at most one conditional request.
// `person` is db.SELF (the signed-in resident, the default) or a relative's person id: each code is
// saved under its own key, with its own times. A failed or non-OK answer never replaces the saved code
// (docs/contracts.md: offline submissions).
import { db, site } from './device.js';

export const SELF = db.SELF;

export function savedCode(person = SELF) {
  return db.savedCode(person);
}

function codeUrl(person) {
  return person === SELF ? site.api.code : `${site.api.code}?for=${encodeURIComponent(person)}`;
}

/**
 * Ask the server whether the saved code is still current.
 * Resolves to {status, entry, error?} where status is
 *   "fresh" (new code saved), "current" (304, saved code confirmed), "offline" (no network),
 *   "signed_out", or "error" (server said no: error = its JSON body, in the user's language).
 * `entry` is what to show: the new code or the saved one (possibly null).
 */
export async function refreshCode(person = SELF) {
  const saved = await db.savedCode(person);
  if (!navigator.onLine) return { status: 'offline', entry: saved };
  const headers = { Accept: 'application/json' };
  if (saved) headers['If-None-Match'] = `"${saved.code.version || saved.code.jti}"`;
  let response;
  try {
    response = await fetch(codeUrl(person), { headers, credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    return { status: 'offline', entry: saved };
  }
  if (response.status === 304 && saved) {
    return { status: 'current', entry: await db.confirmCode(saved.code.jti, Date.now(), person) };
  }
  const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
  if (response.redirected || response.status === 401) return { status: 'signed_out', entry: saved };
  const body = isJson ? await response.json().catch(() => null) : null;
  if (response.ok && body && body.jti && body.qr_text && body.colour) {
    return { status: 'fresh', entry: await db.saveCode(body, Date.now(), person) };
  }
  return { status: 'error', entry: saved, httpStatus: response.status, error: body };
}
