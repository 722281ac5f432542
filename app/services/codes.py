"""Handing out signed codes: at most one signature per person per day unless the colour changes."""

import secrets
from collections import namedtuple
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from app.domain import codes
from app.domain.masking import mask_name
from app.extensions import db
from app.infra import clock, keys
from app.infra.prepared import fetch_one
from app.models import IssuedCode, User, Verdict
from app.models.code import revoke_codes
from app.services.colours import recolour
from app.services.errors import DomainError
from app.services.relatives import acting_for


class CodeError(DomainError):
    """Why a resident's device gets no code yet."""

    messages = {
        "unauthorized": _l("Please sign in first."),
        "forbidden": _l("You do not have access to this page."),
        "not_theirs": _l("You may only show the codes of the relatives you look after."),
        "profile_required": _l("Please complete your real-name profile first."),
        "no_declaration": _l("You have no health code yet. Please fill in your health declaration first."),
    }
    statuses = {
        "unauthorized": 401,
        "forbidden": 403,
        "not_theirs": 403,
        "profile_required": 409,
        "no_declaration": 404,
    }


def current_self_code(user: User) -> str | None:
    """The jti of today's valid code (re-evaluating first if not yet today); None before any declaration."""
    ensure_evaluated_today(user)
    if user.colour is None:
        return None
    today, now = clock.local_today(), clock.now_utc()
    if user.code_jti and user.code_expires_at > now and user.code_issued_at >= clock.local_midnight_utc(today):
        return user.code_jti
    issued = issue_code(user, "self" if user.phone else "dependant", clock.end_of_next_day_utc(now))
    user.code_jti, user.code_issued_at, user.code_expires_at = issued.jti, issued.issued_at, issued.expires_at
    db.session.commit()
    return issued.jti


def ensure_evaluated_today(user: User) -> None:
    """Re-evaluate the person's colour if that has not happened yet today (time alone can change it)."""
    if user.evaluated_on != clock.local_today():
        recolour([user.id], trigger="daily")
        db.session.commit()
        db.session.refresh(user)


def print_paper_code(person: User) -> IssuedCode | None:
    """A new paper code (longer validity) for someone without a phone; the previous paper code is revoked."""
    ensure_evaluated_today(person)
    if person.colour is None:
        return None
    now = clock.now_utc()
    revoke_codes(db.session, [IssuedCode.user_id == person.id, IssuedCode.kind == "paper"], "reprinted", now)
    issued = issue_code(person, "paper", now + timedelta(days=current_app.config["CODE_PAPER_DAYS"]))
    db.session.commit()
    return issued


def current_paper_code(person: User) -> IssuedCode | None:
    """The person's valid paper code, if one was printed."""
    return db.session.scalar(
        select(IssuedCode)
        .where(
            IssuedCode.user_id == person.id,
            IssuedCode.kind == "paper",
            IssuedCode.revoked_at.is_(None),
            IssuedCode.expires_at > clock.now_utc(),
        )
        .order_by(IssuedCode.issued_at.desc())
        .limit(1)
    )


def issue_code(user: User, kind: str, expires_at: datetime) -> IssuedCode:
    """Sign a new code for the person's current colour and remember whose it is (caller commits)."""
    now = clock.now_utc().replace(microsecond=0)
    key = keys.active_key()
    jti = codes.b64url(secrets.token_bytes(16))
    claims = codes.code_claims(
        iss=current_app.config["CODE_ISSUER"],
        jti=jti,
        colour=user.colour,
        masked_name=mask_name(user.name or ""),
        kind=kind,
        iat=clock.epoch(now),
        exp=clock.epoch(expires_at),
    )
    issued = IssuedCode(
        jti=jti,
        user_id=user.id,
        kind=kind,
        colour=user.colour,
        kid=key.kid,
        token=codes.sign(claims, key),
        issued_at=now,
        expires_at=expires_at,
    )
    db.session.add(issued)
    return issued


_users, _codes, _verdicts = User.__table__.c, IssuedCode.__table__.c, Verdict.__table__.c
# Built once from table columns (a Core statement, no ORM entities): the hot path of the morning rush.
_SNAPSHOT = (
    select(
        _users.role,
        _users.promised_at,
        _users.name,
        _users.evaluated_on,
        _users.verdict_id,
        _users.last_checkin_at,
        _users.code_jti,
        _users.code_issued_at,
        _users.code_expires_at,
        _codes.token,
        _codes.colour,
        _codes.kind,
        _verdicts.reasons,
        _verdicts.may_turn_green_on,
        _verdicts.healthy_streak,
        _verdicts.needed_streak,
        _verdicts.rule_set_version,
    )
    .select_from(
        User.__table__.outerjoin(IssuedCode.__table__, _codes.jti == _users.code_jti).outerjoin(
            Verdict.__table__, _verdicts.id == _users.verdict_id
        )
    )
    .where(_users.id == bindparam("user_id"))
)


# One snapshot row; its fields are the statement's columns.
Snapshot = namedtuple("Snapshot", _SNAPSHOT.selected_columns.keys())


def code_snapshot(user_id: int) -> Snapshot | None:
    """Everything the code page shows about a person, in one query (None for an unknown id).

    The hot path of the morning rush, so it carries no machinery it does not use: no ORM session, and
    no SQLAlchemy Connection either (app/infra/prepared.py: compiled once, run on a pooled DBAPI connection,
    values typed by SQLAlchemy's result processors). What it saves is in bench/README.md (speed-ups)."""
    row = fetch_one(db.engine, _SNAPSHOT, {"user_id": user_id})
    return None if row is None else Snapshot._make(row)


def code_for_device(user_id: int, subject_id: int | None) -> Snapshot:
    """The snapshot a resident's device asks for: their own code, or (subject_id) a bound relative's.

    Raises CodeError: 401 the account is gone, 403 not a resident or not their relative, 409 no profile,
    404 no declaration yet (the PWA reads 401 as signed out, as for a device with no sign-in)."""
    row = code_snapshot(user_id)
    if row is None:
        raise CodeError("unauthorized")
    if row.role != "resident":
        raise CodeError("forbidden")
    if row.promised_at is None:
        raise CodeError("profile_required")
    if subject_id not in (None, user_id):  # a relative's code, shown by their guardian
        if not acting_for(user_id, subject_id):
            raise CodeError("not_theirs")
        row = code_snapshot(subject_id)
    else:
        subject_id = user_id
    if not snapshot_is_current(row):
        row = current_snapshot(subject_id)
    if row.code_jti is None:
        raise CodeError("no_declaration")
    return row


def snapshot_is_current(row: Snapshot) -> bool:
    """True when the snapshot's code is today's and valid, so nothing needs evaluating or signing."""
    now = clock.now_utc()
    today = clock.to_local(now).date()
    return (
        row.evaluated_on == today
        and row.code_jti is not None
        and row.code_expires_at > now
        and row.code_issued_at >= clock.local_midnight_utc(today)
    )


def current_snapshot(user_id: int) -> Snapshot:
    """The snapshot after re-evaluating and signing as needed (code_jti None before any declaration)."""
    row = code_snapshot(user_id)
    if not snapshot_is_current(row):
        current_self_code(db.session.get(User, user_id))
        row = code_snapshot(user_id)
    return row


def code_version(row: Snapshot, lang: str) -> str:
    """Changes whenever anything the code page shows changes: the code, the verdict, the last check-in."""
    last = row.last_checkin_at.isoformat() if row.last_checkin_at else ""
    return f"{row.code_jti}.{row.verdict_id}.{last}.{lang}"


def code_view(row: Snapshot, lang: str) -> dict:
    """What the PWA needs to draw and explain the code, in the user's language."""
    return {
        "jti": row.code_jti,
        "version": code_version(row, lang),
        "qr_text": codes.qr_text(row.token),
        "colour": row.colour,
        "masked_name": mask_name(row.name or ""),
        "kind": row.kind,
        "issued_at": clock.epoch(row.code_issued_at),
        "expires_at": clock.epoch(row.code_expires_at),
        "last_checkin_at": clock.epoch(row.last_checkin_at) if row.last_checkin_at else None,
        "reasons": [
            {
                "rule_id": reason["rule_id"],
                "colour": reason["colour"],
                "text": reason["text"].get(lang) or reason["text"]["zh"],
                "guidance": reason["guidance"].get(lang) or reason["guidance"]["zh"],
            }
            for reason in row.reasons or ()
        ],
        "may_turn_green_on": row.may_turn_green_on.isoformat() if row.may_turn_green_on else None,
        "healthy_streak": row.healthy_streak,
        "needed_streak": row.needed_streak,
        "rule_set_version": row.rule_set_version,
    }
