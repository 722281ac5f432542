"""Work that goes on after the request that started it: a daemon thread with its own app context (its own
database session), or, with BACKGROUND_JOBS = "inline", at once inside the request (a single-process
setting for tests and scripts). The work must be safe to start again: a thread dies with its process."""

import logging
import threading
from collections.abc import Callable

from flask import current_app

log = logging.getLogger(__name__)
_running: list[threading.Thread] = []


def start(name: str, work: Callable, *args) -> None:
    """Run `work(*args)` in the background (see the module's docstring); errors are logged, never raised."""
    app = current_app._get_current_object()
    if app.config["BACKGROUND_JOBS"] == "inline":
        _run(app, name, work, args)
        return
    thread = threading.Thread(target=_run, args=(app, name, work, args), name=name, daemon=True)
    _running[:] = [t for t in _running if t.is_alive()] + [thread]
    thread.start()


def wait(timeout: float = 30.0) -> None:
    """Wait for the work started in this process to end (tests and command-line runs)."""
    for thread in list(_running):
        thread.join(timeout)


def _run(app, name: str, work: Callable, args) -> None:
    from app.extensions import db

    with app.app_context():
        try:
            work(*args)
        except Exception:
            db.session.rollback()
            log.exception("background work %s failed", name)
        finally:
            db.session.remove()
