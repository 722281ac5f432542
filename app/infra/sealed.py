"""Values kept readable only by the server: sealed with AES-GCM under DOC_SEAL_KEY (identity documents, which
only authorised clinic and pharmacy staff may see; everyone else works with the keyed hash and masked form)."""

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

_VERSION = "s1"  # a sealed value's prefix: which scheme and key derivation made it


def _cipher() -> AESGCM:
    key = current_app.config["DOC_SEAL_KEY"]
    return AESGCM(hashlib.sha256(f"onecode-seal:{key}".encode()).digest())


def seal(text: str) -> str:
    """The text encrypted and authenticated, as short ASCII (≈ 2 × the text + 40 characters)."""
    nonce = secrets.token_bytes(12)
    sealed = _cipher().encrypt(nonce, text.encode(), _VERSION.encode())
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def unseal(value: str | None) -> str | None:
    """The text a `seal` made, or None when there is none or it was not sealed with this server's key."""
    if not value or not value.startswith(f"{_VERSION}."):
        return None
    body = value.split(".", 1)[1]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return _cipher().decrypt(raw[:12], raw[12:], _VERSION.encode()).decode()
    except (ValueError, InvalidTag):
        return None
