"""Texting a list's invitations in the background, in batches, never twice.

A run holds the list (`runner`) and shows it is alive (`heartbeat_at`) at every batch. Each batch is one
transaction that begins by renewing that hold, so two runs never take the same invitations. With the
development outbox a batch writes its messages and marks its invitations sent in that one transaction: a run
that dies leaves each batch either wholly sent or not at all. An outside gateway cannot be rolled back, so
there the batch is first marked "sending" (committed), then handed over, then recorded; invitations a dead
run left "sending" become "unsure" and are not texted again. A list whose run went silent for
RETURN_SEND_STALE_SECONDS may be resumed (from the console or `flask returning send`): it goes on with the
invitations still waiting."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.extensions import db
from app.infra import audit, background, clock, links, sms
from app.models import ReturnInvitation, ReturnUpload
from app.services.returning import ReturnError
from app.services.returning.uploads import get_upload

INVITE_SALT = "return-invite"
PURPOSE = "return_invite"


@dataclass(frozen=True)
class Progress:
    """How far a list's sending got (what the console's progress bar shows)."""

    status: str
    total: int
    sent: int
    failed: int
    unsure: int
    stalled: bool

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unsure

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "sent": self.sent,
            "failed": self.failed,
            "unsure": self.unsure,
            "stalled": self.stalled,
        }


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=current_app.config["RETURN_SEND_STALE_SECONDS"])


def is_stalled(upload: ReturnUpload, now: datetime | None = None) -> bool:
    """A list being sent whose run has gone silent (its process ended): it may be resumed."""
    now = now or clock.now_utc()
    return upload.status == "sending" and (upload.heartbeat_at is None or upload.heartbeat_at < _stale_before(now))


def progress(upload_id: int) -> Progress:
    """The list's counts as they are now (ReturnError "upload_not_found")."""
    upload = get_upload(upload_id)
    db.session.refresh(upload)  # another run writes the counts
    return Progress(upload.status, upload.valid_rows, upload.sent, upload.failed, upload.unsure, is_stalled(upload))


def start_sending(upload_id: int, actor_id: int, link_base: str) -> None:
    """Take hold of a previewed list (or of one whose run stopped) and text its invitations in the background.

    ReturnError: "nothing_to_send" (no valid row), "already_sending" (a live run has it), "not_sendable"
    (sent or discarded). `link_base` is the address the links in the texts start with."""
    upload = get_upload(upload_id)
    if upload.status == "previewed" and not upload.valid_rows:
        raise ReturnError("nothing_to_send")
    if upload.status not in ("previewed", "sending"):
        raise ReturnError("not_sendable")
    now, runner, resumed = clock.now_utc(), secrets.token_hex(16), upload.status == "sending"
    taken = db.session.execute(
        update(ReturnUpload)
        .where(
            ReturnUpload.id == upload.id,
            or_(
                ReturnUpload.status == "previewed",
                (ReturnUpload.status == "sending")
                & (ReturnUpload.heartbeat_at.is_(None) | (ReturnUpload.heartbeat_at < _stale_before(now))),
            ),
        )
        .values(status="sending", runner=runner, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise ReturnError("already_sending")
    if not resumed:
        upload.started_by_id, upload.started_at, upload.link_base = actor_id, now, link_base[:200]
    audit.record(
        actor_id, "return_send_resumed" if resumed else "return_send", None, upload.filename, upload_id=upload.id
    )
    db.session.commit()
    background.start(f"return-invitations-{upload.id}", send_all, upload.id, runner)


def resume_stalled(upload_id: int, actor_id: int) -> None:
    """The command line's resume of a list whose run stopped: like start_sending, with the links' address the
    list was started with (ReturnError "not_started" for a list nobody sent yet)."""
    upload = get_upload(upload_id)
    if upload.status != "sending":
        raise ReturnError("not_started" if upload.status == "previewed" else "not_sendable")
    start_sending(upload_id, actor_id, upload.link_base or "http://localhost/")


def send_all(upload_id: int, runner: str) -> None:
    """The run: batch after batch until no invitation waits, or another run holds the list."""
    _give_up_on_handed_over(upload_id, runner)
    builder = _link_builder(db.session.get(ReturnUpload, upload_id).link_base or "http://localhost/")
    while True:
        more = _send_batch(upload_id, runner, builder)
        if more is None:
            return
        if not more:
            break
    db.session.execute(
        update(ReturnUpload)
        .where(ReturnUpload.id == upload_id, ReturnUpload.runner == runner)
        .values(status="sent", runner=None, finished_at=clock.now_utc(), heartbeat_at=clock.now_utc())
    )
    upload = db.session.get(ReturnUpload, upload_id, populate_existing=True)
    if upload.status == "sent" and upload.started_by_id is not None:
        audit.record(
            upload.started_by_id,
            "return_sent",
            None,
            upload.filename,
            upload_id=upload.id,
            sent=upload.sent,
            failed=upload.failed,
            unsure=upload.unsure,
        )
    db.session.commit()


def _hold(upload_id: int, runner: str, **counts) -> bool:
    """Renew this run's hold on the list (and add to its counts); False when another run holds it."""
    values = {"heartbeat_at": clock.now_utc()}
    for name, n in counts.items():
        if n:
            values[name] = getattr(ReturnUpload, name) + n
    return bool(
        db.session.execute(
            update(ReturnUpload)
            .where(ReturnUpload.id == upload_id, ReturnUpload.runner == runner, ReturnUpload.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _give_up_on_handed_over(upload_id: int, runner: str) -> None:
    """Invitations an earlier run handed to the gateway without recording the answer: "unsure", never resent."""
    if not _hold(upload_id, runner):
        db.session.rollback()
        return
    unsure = db.session.execute(
        update(ReturnInvitation)
        .where(ReturnInvitation.upload_id == upload_id, ReturnInvitation.status == "sending")
        .values(status="unsure")
        .execution_options(synchronize_session=False)
    ).rowcount
    _hold(upload_id, runner, unsure=unsure)
    db.session.commit()


def _send_batch(upload_id: int, runner: str, builder) -> bool | None:
    """Text the next batch: True if one went out, False when none was waiting, None when the hold was lost."""
    if not _hold(upload_id, runner):
        db.session.rollback()
        return None
    batch = db.session.execute(
        select(ReturnInvitation.id, ReturnInvitation.phone, ReturnInvitation.name)
        .where(ReturnInvitation.upload_id == upload_id, ReturnInvitation.status == "waiting")
        .order_by(ReturnInvitation.id)
        .limit(current_app.config["RETURN_SEND_BATCH"])
    ).all()
    if not batch:
        db.session.commit()
        return False
    ids = [row.id for row in batch]
    was = "waiting"
    if sms.delivers_outside():
        _mark(ids, "waiting", "sending")
        db.session.commit()  # from here on a crash leaves these "sending": never texted again
        was = "sending"
    accepted = sms.send_many([(row.phone, invitation_text(row.name, builder(row.id))) for row in batch], PURPOSE)
    sent = _mark([i for i, ok in zip(ids, accepted) if ok], was, "sent")
    failed = _mark([i for i, ok in zip(ids, accepted) if not ok], was, "failed")
    _hold(upload_id, runner, sent=sent, failed=failed)  # counted even if another run took over meanwhile
    db.session.commit()
    return True


def _mark(ids: list[int], was: str, status: str) -> int:
    if not ids:
        return 0
    values = {"status": status, **({"sent_at": clock.now_utc()} if status == "sent" else {})}
    return db.session.execute(
        update(ReturnInvitation)
        .where(ReturnInvitation.id.in_(ids), ReturnInvitation.status == was)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount


def _link_builder(link_base: str):
    """invitation id -> the signed link, under the address the console was opened at (a run has no request)."""
    parts = urlsplit(link_base)
    adapter = current_app.url_map.bind(
        parts.netloc or "localhost", script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return lambda invitation_id: adapter.build(
        "returning.invited", {"token": links.sign(INVITE_SALT, {"i": invitation_id})}, force_external=True
    )


def invitation_text(name: str | None, link: str) -> str:
    """The invitation, in the region's language."""
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    days = current_app.config["RETURN_LINK_HOURS"] // 24
    with force_locale(language):
        if name:
            return _(
                "[OneCode] %(name)s, welcome home. Before you travel, please fill in the return health "
                "registration (valid %(days)s days): %(link)s",
                name=name,
                days=days,
                link=link,
            )
        return _(
            "[OneCode] Welcome home. Before you travel, please fill in the return health registration "
            "(valid %(days)s days): %(link)s",
            days=days,
            link=link,
        )
