"""Manual colours under four eyes: one reviewer asks, a different one approves, only then it counts."""

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain.vocabulary import COLOURS
from app.extensions import db
from app.infra import audit, clock
from app.infra.documents import doc_hash
from app.models import Override, User
from app.models.override import OVERRIDE_CATEGORIES
from app.services.colours import Recoloured, recolour
from app.services.errors import DomainError


class OverrideError(DomainError):
    """A request or decision the rules do not allow; `code` says which rule."""

    messages = {
        "unknown_person": _l("Nobody with this document is registered."),
        "period": _l("The period must end on or after its start and last at most %(days)s days."),
        "reason": _l("Please give the reason."),
        "invalid": _l("Please check the colour and the category."),
        "own": _l("You asked for this override; a second reviewer must decide it."),
        "decided": _l("This override has already been decided."),
        "missing": _l("This override does not exist."),
    }
    statuses = {"own": 409, "decided": 409, "missing": 404}


def find_person(doc_kind: str, doc_number: str, actor_id: int, why: str) -> User | None:
    """The registered person holding a document; every lookup is written to the audit log."""
    person = db.session.scalar(
        select(User).where(User.doc_kind == doc_kind, User.doc_hash == doc_hash(doc_kind, doc_number))
    )
    audit.record(actor_id, "person_lookup", person.id if person else None, why, found=person is not None)
    db.session.commit()
    return person


def request_for_document(
    doc_kind: str, doc_number: str, colour: str, category: str, reason: str, start: date, end: date, actor_id: int
) -> User:
    """A reviewer asks for a manual colour for the holder of a document; returns that person. The lookup
    is audited even when it finds nobody."""
    person = find_person(doc_kind, doc_number, actor_id, "override_request")
    if person is None:
        raise OverrideError("unknown_person", "doc_number")
    request_override(person.id, colour, category, reason, start, end, actor_id)
    db.session.commit()
    return person


def request_override(
    user_id: int,
    colour: str,
    category: str,
    reason: str,
    start: date,
    end: date,
    actor_id: int,
    appeal_id: int | None = None,
) -> Override:
    """Ask for a manual colour; nothing changes until a second reviewer approves (the caller commits)."""
    if colour not in COLOURS or category not in OVERRIDE_CATEGORIES:
        raise OverrideError("invalid", "colour")
    if end < start or (end - start).days >= current_app.config["OVERRIDE_MAX_DAYS"]:
        raise OverrideError("period", "end", days=current_app.config["OVERRIDE_MAX_DAYS"])
    if len(reason.strip()) < 5:
        raise OverrideError("reason", "reason")
    override = Override(
        user_id=user_id,
        colour=colour,
        reason_category=category,
        reason=reason.strip(),
        start=start,
        end=end,
        requested_by_id=actor_id,
        requested_at=clock.now_utc(),
        state="pending",
        appeal_id=appeal_id,
    )
    db.session.add(override)
    db.session.flush()
    audit.record(actor_id, "override_requested", user_id, category, override_id=override.id, colour=colour)
    return override


def decide_override(override_id: int, actor_id: int, approve: bool, note: str = "") -> Recoloured:
    """The second reviewer's decision; approval recolours the person at once and revokes a changed code."""
    override = db.session.get(Override, override_id)
    if override is None:
        raise OverrideError("missing")
    if override.state != "pending":
        raise OverrideError("decided")
    if override.requested_by_id == actor_id:
        raise OverrideError("own")
    override.state = "approved" if approve else "rejected"
    override.decided_by_id, override.decided_at, override.decision_note = actor_id, clock.now_utc(), note.strip()[:500]
    audit.record(
        actor_id,
        f"override_{override.state}",
        override.user_id,
        override.reason_category,
        override_id=override.id,
        colour=override.colour,
    )
    result = (
        recolour([override.user_id], trigger=f"override:{override.id}", actor_id=actor_id)
        if approve
        else (Recoloured())
    )
    db.session.commit()
    return result


def override_lists() -> tuple[list[Override], list[Override]]:
    """(waiting for a second reviewer, decided in the last 30 days), oldest waiting first."""
    pending = db.session.scalars(
        select(Override).where(Override.state == "pending").order_by(Override.requested_at)
    ).all()
    since = clock.now_utc() - timedelta(days=30)
    decided = db.session.scalars(
        select(Override)
        .where(Override.state != "pending", Override.decided_at >= since)
        .order_by(Override.decided_at.desc())
        .limit(50)
    ).all()
    return pending, decided


def active_override(user_id: int, today: date) -> Override | None:
    """The approved override in force for a person today, if any."""
    return db.session.scalar(
        select(Override)
        .where(
            Override.user_id == user_id, Override.state == "approved", Override.start <= today, Override.end >= today
        )
        .order_by(Override.start.desc())
    )
