"""The SMS outbox: in development, text messages are not sent but shown here."""

from flask import render_template
from sqlalchemy import select

from app.dev import bp
from app.extensions import db
from app.models import SmsMessage


@bp.get("/outbox")
def outbox():
    """The latest messages the development SMS backend received."""
    messages = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc()).limit(50)).all()
    return render_template("dev/outbox.html", messages=messages)
