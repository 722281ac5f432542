// Compact JWS (RFC 7515) with ES256, checked in the browser with WebCrypto: parse, import P-256 keys, verify.
// Shared by the trust bundle (trust-bundle.js) and the scanned health codes (code-verify.js).

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextEncoder();

export class MalformedJws extends Error {}

/** Base64url without padding -> bytes; MalformedJws on anything else. */
export function base64urlToBytes(text) {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) throw new MalformedJws('base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function bytesToBase64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function jsonObject(part) {
  let value;
  try {
    value = JSON.parse(utf8.decode(base64urlToBytes(part)));
  } catch (error) {
    throw new MalformedJws('json');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new MalformedJws('json');
  return value;
}

/**
 * Split and decode a compact ES256 JWS of the given `typ` (nothing is trusted yet).
 * Returns {header, payload, signature (64 bytes), signingInput (bytes)}; MalformedJws otherwise.
 */
export function parseJws(token, typ) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw new MalformedJws('parts');
  const header = jsonObject(parts[0]);
  const payload = jsonObject(parts[1]);
  const signature = base64urlToBytes(parts[2]);
  if (header.alg !== 'ES256' || header.typ !== typ || typeof header.kid !== 'string' || signature.length !== 64) {
    throw new MalformedJws('header');
  }
  return { header, payload, signature, signingInput: ascii.encode(`${parts[0]}.${parts[1]}`) };
}

/** A P-256 public JWK as a WebCrypto verification key (only the key material is imported). */
export function importEs256Key(jwk) {
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    return Promise.reject(new MalformedJws('jwk'));
  }
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
    { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}

/** True when the JWS signature (raw r||s, as JWS encodes it) is valid for `key`. */
export function verifyEs256(key, parsed) {
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, parsed.signature, parsed.signingInput);
}

/** base64url(SHA-256(text as ASCII/UTF-8)) without padding: how the trust bundle lists revoked jtis. */
export async function sha256Base64url(text) {
  return bytesToBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', ascii.encode(text))));
}
