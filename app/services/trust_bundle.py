"""The trust bundle (docs/contracts.md: the trust bundle): everything a scanner needs to judge codes offline."""

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.domain import codes
from app.domain.scanning import TrustedKey, jti_hash
from app.extensions import db
from app.infra import clock, keys
from app.models import CodeRevocation, RiskArea
from app.services.colours import rule_set
from app.services.policies import bundle_policies, bundle_risk_areas

BUNDLE_TYPE = "ymt-bundle+jwt"


def trusted_jwks() -> list[dict]:
    """Our published keys and those of the regions we trust, each JWK with its `iss`."""
    others = [
        {**jwk, "iss": issuer["iss"]} for issuer in current_app.config["TRUSTED_ISSUERS"] for jwk in issuer["keys"]
    ]
    return keys.published_jwks() + others


def trusted_keys() -> dict[str, TrustedKey]:
    """Trusted public keys by kid, for judging codes on the server."""
    return {jwk["kid"]: TrustedKey(jwk["iss"], codes.public_key_from_jwk(jwk)) for jwk in trusted_jwks()}


def revoked_jti_hashes() -> list[str]:
    """Hashes of revoked codes that have not yet expired (expired ones fail on their own)."""
    now = clock.now_utc()
    jtis = db.session.scalars(select(CodeRevocation.jti).where(CodeRevocation.expires_at > now))
    return sorted(jti_hash(jti) for jti in jtis)


def risk_areas_version() -> str:
    """Changes whenever the risk-area list changes."""
    rows = db.session.execute(
        select(RiskArea.id, RiskArea.district, RiskArea.level, RiskArea.start, RiskArea.end).order_by(RiskArea.id)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def signed_bundle() -> str:
    """The bundle as a compact JWS signed with the active key."""
    now = clock.now_utc().replace(microsecond=0)
    valid_until = now + timedelta(hours=current_app.config["TRUST_BUNDLE_HOURS"])
    payload = {
        "iss": current_app.config["CODE_ISSUER"],
        "iat": clock.epoch(now),
        "valid_until": clock.epoch(valid_until),
        "keys": trusted_jwks(),
        "revoked": revoked_jti_hashes(),
        "rules_version": rule_set().version,
        "risk_areas_version": risk_areas_version(),
        # Checkpoint policies (app/domain/policies.py): every scope's version in force and those due before
        # valid_until; the risk areas in force or upcoming, where checking is never switched off.
        "policies": bundle_policies(now, valid_until),
        "risk_areas": bundle_risk_areas(clock.local_today()),
    }
    return codes.sign(payload, keys.active_key(), typ=BUNDLE_TYPE)
