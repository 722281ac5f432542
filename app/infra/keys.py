"""Signing keys in instance/keys: one active P-256 key, retired public keys kept until their codes expire."""

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from app.domain.codes import SigningKey, public_jwk, signing_key
from app.infra import clock

_cache: dict = {}


def _dir() -> Path:
    return Path(current_app.config["KEYS_DIR"])


def _ring_path() -> Path:
    return _dir() / "keyring.json"


def _read_ring() -> dict:
    path = _ring_path()
    if not path.exists():
        return {"active": None, "keys": {}}
    return json.loads(path.read_text())


def _write_ring(ring: dict) -> None:
    tmp = _ring_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(ring, indent=2))
    os.replace(tmp, _ring_path())


def _new_key(now: datetime) -> str:
    """Generate a key, store its PEM (owner-only) and return its kid."""
    _dir().mkdir(parents=True, exist_ok=True)
    private_key = ec.generate_private_key(ec.SECP256R1())
    kid = signing_key(private_key).kid
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(_dir() / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return kid


def ensure_key() -> str:
    """Create the first key if there is none; returns the active kid."""
    ring = _read_ring()
    if ring["active"] is None:
        now = clock.now_utc()
        kid = _new_key(now)
        ring = {"active": kid, "keys": {kid: {"created_at": now.isoformat(), "retired_at": None}}}
        _write_ring(ring)
    return ring["active"]


def rotate() -> tuple[str, str | None]:
    """Make a new active key and retire the old one; returns (new kid, retired kid)."""
    ring = _read_ring()
    now = clock.now_utc()
    old = ring["active"]
    kid = _new_key(now)
    if old:
        ring["keys"][old]["retired_at"] = now.isoformat()
    ring["keys"][kid] = {"created_at": now.isoformat(), "retired_at": None}
    ring["active"] = kid
    _write_ring(ring)
    return kid, old


def _load() -> dict:
    """Keyring with loaded keys; the PEM files are parsed again only when keyring.json changes."""
    ensure_key()
    stamp = (str(_ring_path()), _ring_path().read_bytes())
    if _cache.get("stamp") != stamp:
        ring = json.loads(stamp[1])
        private = {}
        for kid in ring["keys"]:
            pem = (_dir() / f"{kid}.pem").read_bytes()
            private[kid] = serialization.load_pem_private_key(pem, password=None)
        _cache.update(stamp=stamp, ring=ring, private=private)
    return _cache


def active_key() -> SigningKey:
    """The key new codes are signed with."""
    loaded = _load()
    kid = loaded["ring"]["active"]
    return SigningKey(kid=kid, private_key=loaded["private"][kid])


def longest_code_life() -> timedelta:
    """How long any code may stay valid (paper codes last longest)."""
    return timedelta(days=current_app.config["CODE_PAPER_DAYS"] + 2)


def published_jwks() -> list[dict]:
    """Public keys of the active key and of retired keys whose codes may still be valid."""
    loaded = _load()
    now = clock.now_utc()
    keys = []
    for kid, meta in loaded["ring"]["keys"].items():
        retired = meta["retired_at"]
        if retired is None or datetime.fromisoformat(retired) + longest_code_life() > now:
            keys.append({**public_jwk(loaded["private"][kid].public_key()), "iss": current_app.config["CODE_ISSUER"]})
    return keys


def verification_keys() -> dict:
    """Published public keys by kid, for checking codes on the server."""
    loaded = _load()
    published = {jwk["kid"] for jwk in published_jwks()}
    return {kid: key.public_key() for kid, key in loaded["private"].items() if kid in published}
