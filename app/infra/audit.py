"""The audit log: every look at a person's data by staff, written in the same transaction as the look.

The log is append-only inside the app: a session that would change or delete an entry, or an UPDATE or
DELETE statement aimed at `audit_log`, raises AuditLogIsAppendOnly before anything reaches the database.
Nothing in the app deletes entries (retention purges movement data, never the log).
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.infra import clock
from app.models import AuditEntry


class AuditLogIsAppendOnly(RuntimeError):
    """Someone tried to edit or delete an audit entry through the app."""


def record(actor_id: int, action: str, subject_id: int | None, why: str, **details) -> None:
    """Add one entry (the caller commits with the rest of its work)."""
    db.session.add(
        AuditEntry(
            at=clock.now_utc(), actor_id=actor_id, action=action, subject_id=subject_id, why=why, details=details
        )
    )


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session, flush_context, instances) -> None:
    """Entries may be added, never changed or deleted."""
    if any(isinstance(obj, AuditEntry) for obj in session.deleted):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")
    if any(isinstance(obj, AuditEntry) and session.is_modified(obj) for obj in session.dirty):
        raise AuditLogIsAppendOnly("audit entries cannot be edited")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_statements(state) -> None:
    """Bulk UPDATE or DELETE statements on the log are refused too (they bypass the flush)."""
    if (state.is_update or state.is_delete) and getattr(
        state.statement.table, "name", None
    ) == AuditEntry.__tablename__:
        raise AuditLogIsAppendOnly("audit entries cannot be edited or deleted")
