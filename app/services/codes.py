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


def current_self_code(user: User) -> str | None:
    """The jti of today's valid code (re-evaluating first if not yet today); None before any declaration."""
    today = clock.local_today()
    if user.evaluated_on != today:
        recolour([user.id], trigger="daily")
        db.session.commit()
        db.session.refresh(user)
    if user.colour is None:
        return None
    now = clock.now_utc()
    if user.code_jti and user.code_expires_at > now and user.code_issued_at >= clock.local_midnight_utc(today):
        return user.code_jti
    issued = issue_code(user, "self", clock.end_of_next_day_utc(now))
    user.code_jti, user.code_issued_at, user.code_expires_at = issued.jti, issued.issued_at, issued.expires_at
    db.session.commit()
    return issued.jti


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


def code_view(user: User, jti: str, lang: str) -> dict:
    """What the PWA needs to draw and explain the code, in the user's language (one query)."""
    row = db.session.execute(
        select(IssuedCode.token, IssuedCode.colour, IssuedCode.kind, IssuedCode.issued_at, IssuedCode.expires_at,
               Verdict.reasons, Verdict.may_turn_green_on, Verdict.healthy_streak, Verdict.needed_streak,
               Verdict.rule_set_version)
        .join(Verdict, Verdict.user_id == IssuedCode.user_id)
        .where(IssuedCode.jti == jti, Verdict.id == user.verdict_id)).one()
    return {
        "jti": jti,
        "qr_text": codes.qr_text(row.token),
        "colour": row.colour,
        "masked_name": mask_name(user.name or ""),
        "kind": row.kind,
        "issued_at": clock.epoch(row.issued_at),
        "expires_at": clock.epoch(row.expires_at),
        "last_checkin_at": clock.epoch(user.last_checkin_at) if user.last_checkin_at else None,
        "reasons": [{"rule_id": reason["rule_id"], "colour": reason["colour"],
                     "text": reason["text"].get(lang) or reason["text"]["zh"],
                     "guidance": reason["guidance"].get(lang) or reason["guidance"]["zh"]}
                    for reason in row.reasons],
        "may_turn_green_on": row.may_turn_green_on.isoformat() if row.may_turn_green_on else None,
        "healthy_streak": row.healthy_streak,
        "needed_streak": row.needed_streak,
        "rule_set_version": row.rule_set_version,
    }
