"""Text messages sent through the SMS backend, and the one-time codes they carry."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SmsMessage(db.Model):
    """One message handed to the SMS backend; in development this table is the outbox."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # sent | failed
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)


class SmsCode(db.Model):
    """A 6-digit code sent by SMS (to sign in, or to consent to a binding), stored only as a keyed hash."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # sign_in | consent:<binding id>
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    consumed_at: Mapped[datetime | None]
