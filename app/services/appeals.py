"""Appeals (误伤申诉): a resident disputes a colour; a reviewer decides before the due time."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain.vocabulary import NOT_GREEN
from app.extensions import db
from app.infra import audit, clock
from app.models import Appeal, Override, User, Verdict
from app.models.appeal import APPEAL_GROUNDS
from app.services.errors import DomainError
from app.services.overrides import request_override


class AppealError(DomainError):
    """An appeal, or a decision on one, that the rules do not allow."""

    messages = {
        "not_disputable": _l("Only a yellow or red code can be appealed."),
        "already_open": _l("You already have an appeal waiting for a decision."),
        "invalid": _l("Please check what you entered."),
        "decided": _l("This appeal has already been decided."),
        "outcome": _l("Please write the message."),
        "override_needs_upheld": _l("A manual colour can only follow an upheld appeal."),
    }
    statuses = {"decided": 409}


def file_appeal(person: User, ground: str, reason: str) -> Appeal:
    """Dispute the person's current yellow or red colour (one open appeal at a time)."""
    if person.colour not in NOT_GREEN:
        raise AppealError("not_disputable", "reason")
    if ground not in APPEAL_GROUNDS or not 10 <= len(reason.strip()) <= 1000:
        raise AppealError("invalid", "reason")
    if db.session.scalar(select(Appeal.id).where(Appeal.user_id == person.id, Appeal.state == "open")):
        raise AppealError("already_open", "reason")
    now = clock.now_utc()
    appeal = Appeal(
        user_id=person.id,
        filed_by_id=person.id,
        verdict_id=person.verdict_id,
        colour=person.colour,
        ground=ground,
        reason=reason.strip(),
        filed_at=now,
        due_at=now + timedelta(hours=current_app.config["APPEAL_DUE_HOURS"]),
        state="open",
    )
    db.session.add(appeal)
    db.session.commit()
    return appeal


def appeals_of(user_id: int) -> list[tuple[Appeal, Override | None]]:
    """A resident's appeals, newest first, each with the override it led to (if any)."""
    appeals = db.session.scalars(select(Appeal).where(Appeal.user_id == user_id).order_by(Appeal.id.desc())).all()
    overrides = {
        o.appeal_id: o
        for o in db.session.scalars(select(Override).where(Override.appeal_id.in_([a.id for a in appeals])))
    }
    return [(appeal, overrides.get(appeal.id)) for appeal in appeals]


def queue() -> tuple[list[Appeal], list[Appeal]]:
    """(open appeals, soonest due first — overdue ones lead; decided in the last 30 days)."""
    open_ = db.session.scalars(select(Appeal).where(Appeal.state == "open").order_by(Appeal.due_at)).all()
    since = clock.now_utc() - timedelta(days=30)
    decided = db.session.scalars(
        select(Appeal)
        .where(Appeal.state != "open", Appeal.decided_at >= since)
        .order_by(Appeal.decided_at.desc())
        .limit(50)
    ).all()
    return open_, decided


@dataclass(frozen=True)
class Review:
    """What a reviewer sees of an appeal: the person's recent verdicts and the staff who triggered them."""

    appeal: Appeal
    verdicts: list[Verdict]
    staff_names: dict[int, str]


def review(appeal_id: int, actor_id: int) -> Review | None:
    """An appeal with the person's recent verdicts (rules, inputs, triggers); the look is audited."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        return None
    verdicts = db.session.scalars(
        select(Verdict).where(Verdict.user_id == appeal.user_id).order_by(Verdict.id.desc()).limit(10)
    ).all()
    staff_ids = {verdict.triggered_by_id for verdict in verdicts if verdict.triggered_by_id}
    staff_names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(staff_ids))).all())
    audit.record(actor_id, "appeal_review", appeal.user_id, "appeal", appeal_id=appeal.id)
    db.session.commit()
    return Review(appeal, verdicts, staff_names)


def decide(appeal_id: int, actor_id: int, upheld: bool, outcome: str, override: dict | None = None) -> Appeal:
    """Record the outcome shown to the resident; an upheld appeal may ask for a manual colour (four eyes)."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.state != "open":
        raise AppealError("decided")
    if len(outcome.strip()) < 5:
        raise AppealError("outcome", "message")
    if override is not None:
        if not upheld:
            raise AppealError("override_needs_upheld", "override_colour")
        today = clock.local_today()
        request_override(
            appeal.user_id,
            override["colour"],
            "appeal_upheld",
            outcome,
            today,
            today + timedelta(days=override["days"] - 1),
            actor_id,
            appeal_id=appeal.id,
        )
    appeal.state = "upheld" if upheld else "rejected"
    appeal.reviewer_id, appeal.decided_at, appeal.outcome = actor_id, clock.now_utc(), outcome.strip()
    audit.record(
        actor_id, "appeal_decided", appeal.user_id, appeal.state, appeal_id=appeal.id, override=override is not None
    )
    db.session.commit()
    return appeal
