"""Identity documents at rest: a keyed hash to match on and a masked form to show."""
import hashlib
import hmac

from flask import current_app


def doc_hash(kind: str, number: str) -> str:
    """Keyed hash of a normalised document number; control lists match people on it."""
    key = current_app.config["DOC_HASH_KEY"].encode()
    return hmac.new(key, f"{kind}:{number.strip().upper()}".encode(), hashlib.sha256).hexdigest()
