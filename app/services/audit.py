"""The audit log: every look at a person's data by staff, written in the same transaction as the look."""
from app.extensions import db
from app.models import AuditEntry
from app.services import clock


def record(actor_id: int, action: str, subject_id: int | None, why: str, **details) -> None:
    """Add one entry (the caller commits with the rest of its work)."""
    db.session.add(AuditEntry(at=clock.now_utc(), actor_id=actor_id, action=action, subject_id=subject_id,
                              why=why, details=details))
