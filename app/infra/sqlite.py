"""SQLite, as the app uses it: WAL, foreign keys, and WAL checkpoints beside the app instead of inside commits.

In WAL mode a commit appends the changed pages to the -wal file and syncs it: from then on the change is
durable. Copying those pages back into the database file (a checkpoint) is housekeeping. SQLite does it by
itself inside whichever commit takes the WAL past `wal_autocheckpoint` pages, so after a bulk change (a
control list or a risk area recolouring 10,000 people writes some 20,000 pages, 80 MB) the admin waits
for the copy too, which takes a good part of a second. As SQLite's documentation suggests for such applications, each
process here turns the automatic checkpoints down to a backstop and runs them in a thread of its own: a
commit wakes it, it waits a moment to gather the commits that follow, then runs one PASSIVE checkpoint
(which never waits for readers or writers). Nothing else changes: commits stay fully synced.
"""

import logging
import os
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# If the checkpoint thread falls behind (or fails), SQLite still checkpoints inside the commit that takes
# the WAL past this many pages (1 GiB), so the file cannot grow without bound. Well above what one bulk
# change writes (bench/recompute.py prints the pages a 1 % change writes).
BACKSTOP_PAGES = 262_144
IDLE_SECONDS = 30  # a checkpoint thread with no commit to follow for this long ends; the next commit starts one
_checkpointers = weakref.WeakKeyDictionary()  # engine -> its Checkpointer


def configure(app, engine) -> "Checkpointer | None":
    """Set up the app's SQLite engine (other databases are left alone); returns its checkpointer, if any."""
    if engine.dialect.name != "sqlite":
        return None
    interval = float(app.config["SQLITE_CHECKPOINT_SECONDS"])
    in_background = interval > 0 and engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _settings(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if in_background:
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cursor.close()

    if not in_background:
        return None
    checkpointer = _checkpointers[engine] = Checkpointer(engine, interval)
    return checkpointer


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    """Every commit goes through a session: once it is done, the engine's checkpointer has work."""
    checkpointer = _checkpointers.get(session.get_bind())
    if checkpointer is not None:
        checkpointer.committed()


class Checkpointer:
    """One engine's WAL checkpoints, run in a thread of this process a moment after commits."""

    def __init__(self, engine, interval: float):
        self._engine = weakref.ref(engine)  # the engine holds this (by `_checkpointers`), not the other way
        self.interval = interval
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._idle = threading.Event()  # set while no checkpoint is due or running
        self._idle.set()
        self._closed = threading.Event()

    def committed(self) -> None:
        """A commit has been made: a checkpoint is due soon; start the thread if none runs in this process."""
        with self._lock:
            if self._closed.is_set():
                return
            self._idle.clear()
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=_run, args=(weakref.ref(self), self._wake), name="sqlite-checkpoint", daemon=True
                )
                self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """Run one PASSIVE checkpoint now: (1 if it could not finish, pages in the WAL, pages copied)."""
        engine = self._engine()
        if engine is None:
            return 0, 0, 0
        with engine.connect() as connection:
            busy, in_wal, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return busy, in_wal, copied

    def close(self, timeout: float = 10) -> None:
        """No more checkpoints from the thread (before the engine is disposed): it finishes the one it may
        be running and ends."""
        with self._lock:
            self._closed.set()
            thread, self._thread = self._thread, None
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._idle.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no checkpoint is due or running (for benchmarks and tests); False on timeout."""
        return self._idle.wait(timeout)

    def _work(self) -> None:
        """One round of the thread: wait a moment to gather the commits that follow, then checkpoint."""
        if self._closed.wait(self.interval):
            return
        self._wake.clear()
        try:
            busy, in_wal, copied = self.checkpoint()
            if busy:
                log.info(
                    "WAL checkpoint could not finish (%s of %s pages copied); the next commit brings another",
                    copied,
                    in_wal,
                )
        except Exception:  # the thread goes on; the backstop still bounds the WAL
            log.exception("WAL checkpoint failed")
        with self._lock:
            if not self._wake.is_set():
                self._idle.set()

    def _stop_if_idle(self) -> bool:
        """Nothing woke the thread for a while: it ends, unless a commit has just come."""
        with self._lock:
            if self._wake.is_set():
                return False
            self._thread = None
            return True

    def _after_fork(self) -> None:
        """In a forked worker the thread is gone and its locks may be held: start afresh."""
        self._lock = threading.Lock()
        self._thread = None
        self._wake, self._idle = threading.Event(), threading.Event()
        self._idle.set()


def _run(ref, wake: threading.Event) -> None:
    """The checkpoint thread. It holds its checkpointer only while working: once that is gone (with its
    engine) the thread ends at its next wake-up or idle timeout."""
    while True:
        woken = wake.wait(IDLE_SECONDS)
        checkpointer = ref()
        if checkpointer is None or checkpointer._closed.is_set() or (not woken and checkpointer._stop_if_idle()):
            return
        if woken:
            checkpointer._work()
        del checkpointer


def _reset_after_fork() -> None:
    for checkpointer in list(_checkpointers.values()):
        checkpointer._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
