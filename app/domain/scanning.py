"""Judging a scanned code at a gate: the same rules offline in the browser and again on the server."""

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from app.domain import codes
from app.domain.vocabulary import COLOURS, NOT_GREEN

# What a scanner shows: the first three for a code judged alone; "channel" (send to the fever clinic, the
# green channel…) and "unchecked" (checking switched off) only under a checkpoint policy (policies.py).
RESULTS = ("pass", "deny", "unverified", "channel", "unchecked")
REASONS = (
    "ok",
    *NOT_GREEN,  # denied for their colour
    "invalid",
    "expired",
    "revoked",
    "unknown_issuer",
    "id_only",
    "unknown_person",
    "no_code",
)


@dataclass(frozen=True)
class TrustedKey:
    """A public key and the issuer it belongs to (from the trust bundle)."""

    iss: str
    public_key: ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class ScanVerdict:
    """What the gate should do with a code, and why."""

    result: str  # pass | deny | unverified
    reason: str
    colour: str | None = None
    jti: str | None = None
    masked_name: str | None = None
    expires_at: int | None = None


def jti_hash(jti: str) -> str:
    """How a revoked jti appears in the trust bundle: base64url(SHA-256(jti))."""
    return codes.b64url(hashlib.sha256(jti.encode("ascii")).digest())


def colour_verdict(colour: str | None, **known) -> ScanVerdict:
    """通行 only for green; everyone else is stopped with their colour as the reason."""
    if colour == "green":
        return ScanVerdict("pass", "ok", colour, **known)
    if colour in NOT_GREEN:
        return ScanVerdict("deny", colour, colour, **known)
    return ScanVerdict("deny", "no_code", None, **known)


def judge_issued(payload: dict, revoked: bool, now: int) -> ScanVerdict:
    """Judge a code the issuer recognises byte for byte as one it signed (no signature check needed)."""
    known = {"jti": payload["jti"], "masked_name": payload.get("nm"), "expires_at": payload.get("exp")}
    if now >= payload["exp"]:
        return ScanVerdict("deny", "expired", **known)
    if revoked:
        return ScanVerdict("deny", "revoked", payload["col"], **known)
    return colour_verdict(payload["col"], **known)


def judge(qr_text: str, keys: Mapping[str, TrustedKey], revoked: Collection[str], now: int) -> ScanVerdict:
    """Verify a scanned QR text against trusted keys (looked up by kid) and the revocation list."""
    try:
        token = codes.token_from_qr(qr_text)
        payload = codes.verify(token, {kid: key.public_key for kid, key in keys.items()}, now)
    except codes.CodeInvalid as error:
        reason = {"unknown_key": "unknown_issuer", "expired": "expired"}.get(error.reason, "invalid")
        return ScanVerdict("deny", reason)
    kid = codes.header_of(token)["kid"]
    if payload.get("iss") != keys[kid].iss:
        return ScanVerdict("deny", "unknown_issuer")
    jti = payload.get("jti")
    if not isinstance(jti, str) or payload.get("col") not in COLOURS:
        return ScanVerdict("deny", "invalid")
    known = {"jti": jti, "masked_name": payload.get("nm"), "expires_at": payload.get("exp")}
    if jti_hash(jti) in revoked:
        return ScanVerdict("deny", "revoked", payload["col"], **known)
    return colour_verdict(payload["col"], **known)
