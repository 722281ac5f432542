"""Handing out signed codes: at most one signature per person per day unless the colour changes."""
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.domain import codes
from app.domain.masking import mask_name
from app.extensions import db
from app.models import IssuedCode, User, Verdict
from app.services import clock, keys
from app.services.colours import recolour


def current_self_code(user: User) -> IssuedCode | None:
    """Today's valid code for the person (re-evaluated first if not yet today); None before any declaration."""
    today = clock.local_today()
    if user.evaluated_on != today:
        recolour([user.id], trigger="daily")
        db.session.commit()
        db.session.refresh(user)
    if user.colour is None:
        return None
    now = clock.now_utc()
    issued = db.session.scalars(
        select(IssuedCode).where(IssuedCode.user_id == user.id, IssuedCode.kind == "self",
                                 IssuedCode.revoked_at.is_(None), IssuedCode.colour == user.colour,
                                 IssuedCode.issued_at >= clock.local_midnight_utc(today),
                                 IssuedCode.expires_at > now)
        .order_by(IssuedCode.issued_at.desc()).limit(1)).first()
    if issued is None:
        issued = issue_code(user, "self", clock.end_of_next_day_utc(now))
        db.session.commit()
    return issued


def issue_code(user: User, kind: str, expires_at: datetime) -> IssuedCode:
    """Sign a new code for the person's current colour and remember whose it is (caller commits)."""
    now = clock.now_utc().replace(microsecond=0)
    key = keys.active_key()
    jti = codes.b64url(secrets.token_bytes(16))
    claims = codes.code_claims(iss=current_app.config["CODE_ISSUER"], jti=jti, colour=user.colour,
                               masked_name=mask_name(user.name or ""), kind=kind,
                               iat=clock.epoch(now), exp=clock.epoch(expires_at))
    issued = IssuedCode(jti=jti, user_id=user.id, kind=kind, colour=user.colour, kid=key.kid,
                        token=codes.sign(claims, key), issued_at=now, expires_at=expires_at)
    db.session.add(issued)
    return issued


def code_view(user: User, issued: IssuedCode, lang: str, last_checkin_at: datetime | None) -> dict:
    """What the PWA needs to draw and explain the code, in the user's language."""
    verdict = db.session.get(Verdict, user.verdict_id)
    return {
        "jti": issued.jti,
        "qr_text": codes.qr_text(issued.token),
        "colour": issued.colour,
        "masked_name": mask_name(user.name or ""),
        "kind": issued.kind,
        "issued_at": clock.epoch(issued.issued_at),
        "expires_at": clock.epoch(issued.expires_at),
        "last_checkin_at": clock.epoch(last_checkin_at) if last_checkin_at else None,
        "reasons": [{"rule_id": reason["rule_id"], "colour": reason["colour"],
                     "text": reason["text"].get(lang) or reason["text"]["zh"],
                     "guidance": reason["guidance"].get(lang) or reason["guidance"]["zh"]}
                    for reason in verdict.reasons],
        "may_turn_green_on": verdict.may_turn_green_on.isoformat() if verdict.may_turn_green_on else None,
        "healthy_streak": verdict.healthy_streak,
        "needed_streak": verdict.needed_streak,
        "rule_set_version": verdict.rule_set_version,
    }
