"""The health code contract (docs/contracts.md: the health code): compact ES256 JWS behind the `YMT1:` prefix."""

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

QR_PREFIX = "YMT1:"
TOKEN_TYPE = "ymt+jwt"
CODE_KINDS = ("self", "dependant", "paper")
CLAIMS = ("iss", "jti", "col", "nm", "knd", "iat", "exp")
_ES256 = ec.ECDSA(hashes.SHA256())


class CodeInvalid(Exception):
    """A code failed verification; `reason` says why in one word."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SigningKey:
    """A P-256 private key with its RFC 7638 thumbprint."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE wants."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of b64url; raises ValueError on garbage."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict:
    """The public key as a JWK with its kid."""
    numbers = public_key.public_numbers()
    jwk = {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }
    return {**jwk, "kid": thumbprint(jwk), "alg": "ES256", "use": "sig"}


def thumbprint(jwk: Mapping) -> str:
    """RFC 7638 thumbprint of an EC JWK (required members in lexical order, no spaces)."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_key_from_jwk(jwk: Mapping) -> ec.EllipticCurvePublicKey:
    """Rebuild a P-256 public key from its JWK."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not a P-256 key")
    x = int.from_bytes(b64url_decode(jwk["x"]), "big")
    y = int.from_bytes(b64url_decode(jwk["y"]), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def signing_key(private_key: ec.EllipticCurvePrivateKey) -> SigningKey:
    """Wrap a private key with its kid."""
    return SigningKey(kid=public_jwk(private_key.public_key())["kid"], private_key=private_key)


def sign(payload: Mapping, key: SigningKey, typ: str = TOKEN_TYPE) -> str:
    """Compact JWS over `payload`, ES256, raw r||s signature."""
    header = {"alg": "ES256", "kid": key.kid, "typ": typ}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    r, s = decode_dss_signature(key.private_key.sign(signing_input.encode("ascii"), _ES256))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def header_of(token: str) -> dict:
    """The protected header of a compact JWS (unverified; for looking up the key)."""
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, UnicodeDecodeError):
        raise CodeInvalid("malformed") from None
    if not isinstance(header, dict):
        raise CodeInvalid("malformed")
    return header


def unverified_payload(token: str) -> dict | None:
    """The claims of a compact JWS without checking anything (to look the code up); None for garbage."""
    try:
        payload = json.loads(b64url_decode(token.split(".")[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def verify(token: str, keys: Mapping[str, ec.EllipticCurvePublicKey], now: int, typ: str = TOKEN_TYPE) -> dict:
    """Check a compact JWS against keys looked up by kid; returns the payload or raises CodeInvalid."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, UnicodeDecodeError):
        raise CodeInvalid("malformed") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise CodeInvalid("malformed")
    if header.get("alg") != "ES256" or header.get("typ") != typ or len(signature) != 64:
        raise CodeInvalid("malformed")
    public_key = keys.get(header.get("kid"))
    if public_key is None:
        raise CodeInvalid("unknown_key")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{header_b64}.{payload_b64}".encode("ascii"), _ES256)
    except InvalidSignature:
        raise CodeInvalid("bad_signature") from None
    exp = payload.get("exp")
    if not isinstance(exp, int) or now >= exp:
        raise CodeInvalid("expired")
    return payload


def code_claims(*, iss: str, jti: str, colour: str, masked_name: str, kind: str, iat: int, exp: int) -> dict:
    """The claims of a health code, and nothing else that identifies the person."""
    if kind not in CODE_KINDS:
        raise ValueError(f"unknown code kind {kind!r}")
    return {"iss": iss, "jti": jti, "col": colour, "nm": masked_name, "knd": kind, "iat": iat, "exp": exp}


def qr_text(token: str) -> str:
    """The text a QR carries."""
    return QR_PREFIX + token


def token_from_qr(text: str) -> str:
    """The JWS inside a QR text; raises CodeInvalid for anything else."""
    text = text.strip()
    if not text.startswith(QR_PREFIX):
        raise CodeInvalid("malformed")
    return text[len(QR_PREFIX) :]
