"""Retention for residents coming home: registrations whose journey lies past the retention period, and the
phone numbers of lists sent (or discarded) before it, are deleted with the other movement data."""

from datetime import date, datetime

from sqlalchemy import delete, or_, select, update

from app.extensions import db
from app.models import ReturnInvitation, ReturnRegistration, ReturnUpload


def purge(cutoff_day: date, cutoff: datetime) -> dict[str, int]:
    """Delete what is older than the cutoffs (the caller commits): registrations planned and arrived before
    `cutoff_day`, and the invitations of lists uploaded before `cutoff` that are no longer being sent (a
    registration made from one keeps its journey, without the invitation)."""
    registrations = db.session.execute(
        delete(ReturnRegistration).where(
            ReturnRegistration.planned_day < cutoff_day,
            or_(ReturnRegistration.arrived_on.is_(None), ReturnRegistration.arrived_on < cutoff_day),
        )
    ).rowcount
    old = (
        select(ReturnInvitation.id)
        .join(ReturnUpload, ReturnUpload.id == ReturnInvitation.upload_id)
        .where(ReturnUpload.uploaded_at < cutoff, ReturnUpload.status.in_(("sent", "discarded")))
    )
    db.session.execute(
        update(ReturnRegistration)
        .where(ReturnRegistration.invitation_id.in_(old))
        .values(invitation_id=None)
        .execution_options(synchronize_session=False)
    )
    invitations = db.session.execute(delete(ReturnInvitation).where(ReturnInvitation.id.in_(old))).rowcount
    return {"return_registrations": registrations, "return_invitations": invitations}
