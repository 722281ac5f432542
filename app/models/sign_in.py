"""Sign-ins: one row per signed-in device, so signing out ends the session on the server too."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SignIn(db.Model):
    """A device's sign-in. Its random id is in the session cookie and the remember-me cookie (User.get_id);
    a cookie opens the account only while its row is not ended."""

    __tablename__ = "sign_ins"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # secrets.token_urlsafe(32)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
