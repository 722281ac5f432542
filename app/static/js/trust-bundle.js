// The trust bundle (docs/contracts.md: the trust bundle): what the scanner needs to judge codes with no signal.
// Fetched whenever online, verified with WebCrypto before use, kept in IndexedDB (db.js) only when good,
// verified again every time it is loaded. Its age and the device clock are checked on every screen update.
import { db, site } from './device.js';
import { importEs256Key, parseJws, verifyEs256 } from './jws.js';
import { policiesOf } from './checkpoint-policy.js';

export const BUNDLE_TYPE = 'ymt-bundle+jwt';
export const AGING_AFTER_HOURS = 24; // amber: revocations may be missing
export const STALE_AFTER_HOURS = 72; // red: results are "unverified", check online
export const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

export class BundleRejected extends Error {
  constructor(reason) {
    super(`trust bundle rejected: ${reason}`);
    this.reason = reason;
  }
}

/** Trusted keys by kid. A kid listed twice for different issuers is ambiguous and trusted for neither. */
async function keyMap(jwks) {
  const byKid = new Map();
  const ambiguous = new Set();
  for (const jwk of jwks) {
    if (!jwk || typeof jwk.kid !== 'string' || typeof jwk.iss !== 'string' || !jwk.iss) continue;
    const seen = byKid.get(jwk.kid);
    if (seen && (seen.iss !== jwk.iss || seen.jwk.x !== jwk.x || seen.jwk.y !== jwk.y)) ambiguous.add(jwk.kid);
    else if (!seen) byKid.set(jwk.kid, { iss: jwk.iss, jwk });
  }
  for (const kid of ambiguous) byKid.delete(kid);
  const keys = new Map();
  await Promise.all([...byKid].map(async ([kid, { iss, jwk }]) => {
    try {
      keys.set(kid, Object.freeze({ iss, key: await importEs256Key(jwk) }));
    } catch (error) {
      // Not a usable P-256 key: codes signed with it are "unknown issuer", the rest of the bundle still works.
    }
  }));
  return keys;
}

/**
 * Verify a bundle JWS for this scanner's issuer. Resolves to the trusted view
 * {jws, iss, iat, validUntil, keys: Map(kid -> {iss, key}), revoked: Set, rulesVersion, riskAreasVersion,
 * policies, riskAreas} (checkpoint-policy.js),
 * or rejects with BundleRejected. The signing key must be one of the bundle's own keys, belong to the
 * bundle's issuer, and that issuer must be the one the page was configured with.
 */
export async function verifyBundle(jws, issuer) {
  let parsed;
  try {
    parsed = parseJws(jws, BUNDLE_TYPE);
  } catch (error) {
    throw new BundleRejected('malformed');
  }
  const { header, payload } = parsed;
  if (!issuer || payload.iss !== issuer) throw new BundleRejected('issuer');
  if (!Number.isInteger(payload.iat) || !Number.isInteger(payload.valid_until)
      || !Array.isArray(payload.keys) || !Array.isArray(payload.revoked)) {
    throw new BundleRejected('malformed');
  }
  const keys = await keyMap(payload.keys);
  const signer = keys.get(header.kid);
  if (!signer || signer.iss !== payload.iss) throw new BundleRejected('signer');
  if (!(await verifyEs256(signer.key, parsed))) throw new BundleRejected('signature');
  let listed;
  try {
    listed = policiesOf(payload);
  } catch (error) {
    throw new BundleRejected('malformed');
  }
  return Object.freeze({
    jws,
    iss: payload.iss,
    iat: payload.iat,
    validUntil: payload.valid_until,
    keys,
    revoked: new Set(payload.revoked.filter((hash) => typeof hash === 'string')),
    rulesVersion: payload.rules_version ?? null,
    riskAreasVersion: payload.risk_areas_version ?? null,
    policies: listed.policies,
    riskAreas: listed.riskAreas,
  });
}

/** The saved bundle, verified again (null when there is none or it no longer verifies for `issuer`). */
export async function savedTrust(issuer) {
  const entry = await db.trustBundle();
  if (!entry) return null;
  try {
    return await verifyBundle(entry.jws, issuer);
  } catch (error) {
    return null;
  }
}

/**
 * Ask the server for the current bundle. Resolves to {status, trust?, reason?} where status is
 * "fresh" (verified and saved; trust = the newest good bundle), "offline", "signed_out",
 * "error" (non-OK answer) or "rejected" (the answer did not verify). Only "fresh" touches the device.
 */
export async function refreshTrust(issuer) {
  if (!navigator.onLine) return { status: 'offline' };
  const sentAt = Date.now();
  let response;
  try {
    response = await fetch(site.api.trustBundle, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  } catch (error) {
    return { status: 'offline' };
  }
  const receivedAt = Date.now();
  if (response.redirected || response.status === 401) return { status: 'signed_out' };
  const isJson = (response.headers.get('Content-Type') || '').includes('application/json');
  const body = response.ok && isJson ? await response.json().catch(() => null) : null;
  if (!body || typeof body.bundle !== 'string') return { status: 'error', httpStatus: response.status };
  let trust;
  try {
    trust = await verifyBundle(body.bundle, issuer);
  } catch (error) {
    return { status: 'rejected', reason: error.reason || 'error' };
  }
  const kept = await db.saveTrustBundle({ jws: trust.jws, iss: trust.iss, iat: trust.iat, fetched_at: receivedAt });
  if (Number.isFinite(body.server_time)) {
    // Server time against the middle of the round trip; the answer's whole seconds are precise enough for 5 minutes.
    await db.saveClockOffset(Math.round(body.server_time * 1000 - (sentAt + receivedAt) / 2), receivedAt);
  }
  return { status: 'fresh', trust: kept.jws === trust.jws ? trust : await savedTrust(issuer) };
}

/** How old the bundle is: level "none" | "fresh" (< 24 h) | "aging" (24–72 h) | "stale" (> 72 h or past valid_until). */
export function bundleAge(trust, nowMs = Date.now()) {
  if (!trust) return { level: 'none', hours: null };
  const hours = (nowMs / 1000 - trust.iat) / 3600;
  let level = 'fresh';
  if (hours > STALE_AFTER_HOURS || nowMs / 1000 >= trust.validUntil) level = 'stale';
  else if (hours >= AGING_AFTER_HOURS) level = 'aging';
  return { level, hours: Math.max(0, hours) };
}

/**
 * Reasons not to trust the device clock: "before_bundle" (earlier than the bundle was made),
 * "went_back" (earlier than the last time the server was reached), "offset" (more than 5 minutes off
 * the server's clock at the last refresh; minutes = how far the device is behind (+) or ahead (-)).
 */
export function clockProblems(trust, clock, nowMs = Date.now()) {
  const problems = [];
  if (trust && nowMs < trust.iat * 1000) problems.push({ kind: 'before_bundle' });
  if (clock && nowMs < clock.measured_at - CLOCK_TOLERANCE_MS) problems.push({ kind: 'went_back' });
  if (clock && Math.abs(clock.offset_ms) > CLOCK_TOLERANCE_MS) problems.push({ kind: 'offset', minutes: Math.round(clock.offset_ms / 60000) });
  return problems;
}

export function savedClockOffset() {
  return db.clockOffset();
}
