"""Fixtures for the browser tests: the app served in-process on 127.0.0.1 (a fresh origin per test), driven in
Debian's Chromium; the helpers they share live in tests/e2e/browser.py and tests/e2e/scanner.py."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.e2e.browser import CHROMIUM, CHROMIUM_FLAGS, ROOT, LiveServer
from tests.e2e.scanner import Phone
from tests.helpers import close_checkpoints


@pytest.fixture(scope="session", autouse=True)
def built_pwa():
    """The service worker and vendored libraries are built by `npm run build` (the Makefile runs it first)."""
    missing = [
        path
        for path in ("app/static/sw.js", "app/static/vendor/idb.umd.js", "app/static/workbox")
        if not (ROOT / path).exists()
    ]
    if missing:
        pytest.fail(
            f"PWA build missing ({', '.join(missing)}): run `npm run build` (or `make build`) before the browser tests",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (or ONECODE_CHROMIUM) with the flags this network needs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set ONECODE_CHROMIUM", pytrace=False
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone in China: Chinese first, Beijing time, a phone-sized screen."""
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 390, "height": 844},
        "service_workers": "allow",
    }


@pytest.fixture
def live_server(tmp_path):
    """The app on 127.0.0.1:<free port> in a thread, with its own SQLite file and keys; stopped afterwards."""
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "DOC_HASH_KEY": "e2e-doc-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite'}",
            "KEYS_DIR": str(tmp_path / "keys"),
            "ENV_NAME": "development",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        close_checkpoints(app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def no_script_errors(page):
    """Fail a test when a page script throws (an uncaught error is a bug even if the screen looks right)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    assert errors == [], f"uncaught script errors: {errors}"


# --- helpers used by the tests -----------------------------------------------------------------


@pytest.fixture
def phone(browser_type, browser_type_launch_args, browser_context_args, tmp_path):
    context_args = {
        key: value
        for key, value in browser_context_args.items()
        if key in ("locale", "timezone_id", "viewport", "service_workers")
    }
    launch_args = {
        key: value
        for key, value in browser_type_launch_args.items()
        if key in ("executable_path", "args", "headless", "timeout")
    }
    device = Phone(browser_type, launch_args, context_args, tmp_path / "profile")
    yield device
    device.close()
    assert device.errors == [], f"uncaught script errors: {device.errors}"
