"""SQLite WAL checkpoints run in a thread beside the app, not inside the commit that filled the WAL.

A bulk change (a control list, a risk area) writes thousands of pages; the admin's request should end when
they are durable in the WAL, not after SQLite has also copied them into the database file."""

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.infra import sqlite
from tests.helpers import close_checkpoints, make_config

pytestmark = pytest.mark.sqlite

PAGES = 3000  # rows of about one 4 KB page each: three times SQLite's own checkpoint threshold


@pytest.fixture
def make_app(tmp_path):
    """Apps on a database file of their own; their checkpoint threads are ended afterwards."""
    made = []

    def make(**settings):
        folder = tmp_path / str(len(made))
        folder.mkdir()
        app = create_app(make_config(folder, **settings))
        made.append(app)
        with app.app_context():
            db.create_all()
            db.session.execute(text("CREATE TABLE filler (body TEXT)"))
            db.session.commit()
        return app

    yield make
    for app in made:
        close_checkpoints(app)
        with app.app_context():
            db.engine.dispose()


def database_file(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def bulk_commit(app) -> None:
    with app.app_context():
        db.session.execute(
            text("INSERT INTO filler (body) VALUES (:body)"), [{"body": os.urandom(1900).hex()} for _ in range(PAGES)]
        )
        db.session.commit()


def test_a_big_commit_ends_before_the_wal_is_copied_back_which_the_checkpoint_thread_does_soon_after(make_app):
    app = make_app(SQLITE_CHECKPOINT_SECONDS=0.5)  # checkpoints in the thread, half a second after commits
    checkpointer = app.extensions["sqlite_checkpointer"]
    assert checkpointer.wait_idle(10)
    before = database_file(app).stat().st_size

    bulk_commit(app)
    assert database_file(app).stat().st_size == before  # durable in the WAL; the database file untouched

    assert checkpointer.wait_idle(10)
    assert database_file(app).stat().st_size >= before + PAGES * 3800
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM filler")) == PAGES
        # nothing is left in the WAL to copy
        busy, in_wal, copied = db.session.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one()
        assert busy == 0 and in_wal == copied


def test_with_checkpoints_in_commits_the_commit_itself_copies_the_wal_back(make_app):
    app = make_app(SQLITE_CHECKPOINT_SECONDS=0)  # SQLite's own way
    assert app.extensions["sqlite_checkpointer"] is None
    before = database_file(app).stat().st_size

    bulk_commit(app)
    assert database_file(app).stat().st_size >= before + PAGES * 3800


def test_after_the_thread_ends_for_want_of_commits_the_next_commit_starts_another(make_app, monkeypatch):
    monkeypatch.setattr(sqlite, "IDLE_SECONDS", 0.2)
    app = make_app(SQLITE_CHECKPOINT_SECONDS=0.1)
    checkpointer = app.extensions["sqlite_checkpointer"]
    bulk_commit(app)
    assert checkpointer.wait_idle(10)
    checkpointer._thread.join(5)  # no commit for longer than IDLE_SECONDS: the thread has ended
    before = database_file(app).stat().st_size

    bulk_commit(app)
    assert checkpointer.wait_idle(10)
    assert database_file(app).stat().st_size >= before + PAGES * 3800


def test_without_a_checkpoint_thread_the_backstop_still_bounds_the_wal(make_app, monkeypatch):
    monkeypatch.setattr(sqlite, "BACKSTOP_PAGES", PAGES // 2)
    app = make_app()
    thread = app.extensions["sqlite_checkpointer"]._thread
    close_checkpoints(app)  # as if the thread had died
    assert not thread.is_alive()
    before = database_file(app).stat().st_size

    bulk_commit(app)
    assert database_file(app).stat().st_size >= before + PAGES * 3800
