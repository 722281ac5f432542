"""Retention: personal movement data is deleted once it is older than the retention period."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.extensions import db
from app.infra import clock
from app.models import Checkin, Scan, SignIn, SmsCode, Visit
from app.services.returning import retention as returning_retention


def purge(days: int | None = None) -> dict[str, int]:
    """Delete check-ins (with their visits), scans, used-up SMS codes and return registrations older than
    `days`, the phone numbers of invitation lists sent before then, and every ended sign-in (a signed-out
    device); one transaction."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    now = clock.now_utc()
    cutoff_day = clock.local_today() - timedelta(days=days)
    cutoff = now - timedelta(days=days)
    old_checkins = select(Checkin.id).where(Checkin.day < cutoff_day)
    counts = {
        "visits": db.session.execute(delete(Visit).where(Visit.checkin_id.in_(old_checkins))).rowcount,
        "checkins": db.session.execute(delete(Checkin).where(Checkin.day < cutoff_day)).rowcount,
        "scans": db.session.execute(delete(Scan).where(Scan.scanned_at < cutoff)).rowcount,
        "sms_codes": db.session.execute(delete(SmsCode).where(SmsCode.expires_at < cutoff)).rowcount,
        "sign_ins": db.session.execute(delete(SignIn).where(SignIn.ended_at.is_not(None))).rowcount,
        **returning_retention.purge(cutoff_day, cutoff),
    }
    db.session.commit()
    return counts
