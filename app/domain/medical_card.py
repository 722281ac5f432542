"""The 就医码 (the code as the medical card): what its QR holds.

Nothing that identifies a person: `YMTM1:` and a random 256-bit token. The server keeps only the token's SHA-256,
so neither the QR nor the database row alone says whose card it is to anyone but the server, and only enrolled
clinic and pharmacy staff may ask the server (app.services.identity, authorised terminals only)."""

import base64
import hashlib
import re
import secrets

QR_PREFIX = "YMTM1:"
TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url without padding
# Departments a visit by the medical card is registered at (the clinic's short list).
DEPARTMENTS = (
    "internal_medicine",
    "surgery",
    "paediatrics",
    "obstetrics_gynaecology",
    "ent",
    "ophthalmology",
    "stomatology",
    "dermatology",
    "emergency",
    "fever_clinic",
    "tcm",
    "other",
)


def new_token() -> str:
    """A fresh random token (base64url, 43 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")


def qr_text(token: str) -> str:
    """The text the QR code carries."""
    return QR_PREFIX + token


def token_from_qr(text: str) -> str | None:
    """The token in a scanned text, or None when the text is not a medical-card code."""
    if not isinstance(text, str) or not text.startswith(QR_PREFIX):
        return None
    token = text[len(QR_PREFIX) :].strip()
    return token if _TOKEN.match(token) else None


def token_hash(token: str) -> str:
    """What the server stores of a token (hex SHA-256): the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()
