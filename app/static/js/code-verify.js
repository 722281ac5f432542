// Judging a scanned health code on the device, with no network (docs/contracts.md: the health code and the trust bundle).
// The same checks in the same order as the server (app/domain/scanning.py), so that a synced scan is
// flagged only when something really changed (e.g. a revocation the device had not yet heard of).
import { parseJws, sha256Base64url, verifyEs256 } from './jws.js';
import { bundleAge } from './trust-bundle.js';

export const QR_PREFIX = 'YMT1:';
const CODE_TYPE = 'ymt+jwt';
const COLOURS = ['green', 'yellow', 'red'];

/**
 * The verdict shape every scan gets (and the record stores in `offline`):
 *   result: "pass" | "deny" | "unverified"
 *   reason: "ok" | "yellow" | "red" | "invalid" | "expired" | "revoked" | "unknown_issuer" | "id_only" | ...
 *   colour: "green" | "yellow" | "red" | null (only from a verified signature)
 *   masked_name, exp, kind, jti: from the verified claims, else null
 *   bundle_iat: the trust bundle's iat (null without one); stale: the bundle was older than 72 h
 */
function verdict(result, reason, trust, known = {}) {
  return {
    result, reason, colour: null, masked_name: null, exp: null, kind: null, jti: null,
    bundle_iat: trust ? trust.iat : null, stale: false, ...known,
  };
}

/**
 * A stale bundle cannot vouch for a pass (the code may have been revoked since) nor rule out a key
 * published after it (a new key looks "unknown"): those become "unverified". A bad signature, an
 * expired code or a yellow/red colour stays "deny" however old the bundle is.
 */
function withBundleAge(found, trust, nowSeconds) {
  if (!trust || bundleAge(trust, nowSeconds * 1000).level !== 'stale') return found;
  const doubtful = found.result === 'pass' || found.reason === 'unknown_issuer';
  return { ...found, stale: true, result: doubtful ? 'unverified' : found.result };
}

/** Judge the text of a scanned QR against the trusted bundle (or null) at `nowSeconds` (epoch seconds). */
export async function verifyCode(qrText, trust, nowSeconds = Date.now() / 1000) {
  const text = typeof qrText === 'string' ? qrText.trim() : '';
  if (!text.startsWith(QR_PREFIX)) return verdict('deny', 'invalid', trust);
  let parsed;
  try {
    parsed = parseJws(text.slice(QR_PREFIX.length), CODE_TYPE);
  } catch (error) {
    return verdict('deny', 'invalid', trust);
  }
  if (!trust) return verdict('unverified', 'unknown_issuer', trust); // no bundle yet: nothing to check against
  const signer = trust.keys.get(parsed.header.kid); // by kid, never one key after another
  if (!signer) return withBundleAge(verdict('deny', 'unknown_issuer', trust), trust, nowSeconds);
  if (!(await verifyEs256(signer.key, parsed))) return verdict('deny', 'invalid', trust);
  const claims = parsed.payload;
  const shown = {
    masked_name: typeof claims.nm === 'string' ? claims.nm : null,
    exp: Number.isInteger(claims.exp) ? claims.exp : null,
    kind: typeof claims.knd === 'string' ? claims.knd : null,
  };
  if (!Number.isInteger(claims.exp) || nowSeconds >= claims.exp) return verdict('deny', 'expired', trust, shown);
  if (claims.iss !== signer.iss) return withBundleAge(verdict('deny', 'unknown_issuer', trust), trust, nowSeconds);
  if (typeof claims.jti !== 'string' || !COLOURS.includes(claims.col)) return verdict('deny', 'invalid', trust);
  const known = { ...shown, jti: claims.jti, colour: claims.col };
  if (trust.revoked.has(await sha256Base64url(claims.jti))) return verdict('deny', 'revoked', trust, known);
  const found = claims.col === 'green'
    ? verdict('pass', 'ok', trust, known)
    : verdict('deny', claims.col, trust, known);
  return withBundleAge(found, trust, nowSeconds);
}

/** A person without a phone, typed in by ID number while offline: the server checks on sync. */
export function idOnlyVerdict(trust) {
  return verdict('unverified', 'id_only', trust);
}
