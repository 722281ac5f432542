"""Browser tests: the app served in-process on 127.0.0.1 (a fresh origin per test), driven in Debian's Chromium.

Recipe and the facts behind it: /work/shared/TESTING.md (executable path, flags, offline, Background Sync).
"""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import Checkin
from tests.conftest import close_checkpoints

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ONECODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ID_NUMBERS = ["460105199003071239", "460106198511124562", "460108199508082469"]


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


@dataclass
class LiveServer:
    app: Flask
    url: str

    def checkins_with_uuid(self, uuid: str) -> int:
        """How many check-ins the server holds with this UUID."""
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.uuid == uuid))

    def checkin_count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Checkin))


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


def sms_code(page, server: LiveServer, phone: str) -> str:
    """The 6-digit code of the newest text to `phone`, read from the development outbox page."""
    html = page.request.get(f"{server.url}/dev/outbox").text()
    body = re.search(rf"<td>{phone}</td>\s*<td class=\"sms-body\">([^<]*)</td>", html)
    assert body, f"no SMS to {phone} in the outbox"
    return re.search(r"\d{6}", body.group(1)).group()


def sign_up(
    page,
    server: LiveServer,
    phone: str,
    name: str = "张小明",
    id_number: str = ID_NUMBERS[0],
    district: str = "460105",
    lang: str | None = None,
) -> None:
    """Sign up through the pages: phone, code from the outbox, real-name profile; ends on the check-in form."""
    page.goto(f"{server.url}/auth/sign-in" + (f"?lang={lang}" if lang else ""))
    page.fill("input[name=phone]", phone)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/profile")
    page.fill("input[name=name]", name)
    page.select_option("select[name=doc_kind]", "resident_id")
    page.fill("input[name=doc_number]", id_number)
    page.fill("input[name=address]", "海口市秀英区滨海大道1号")
    page.select_option("select[name=district]", district)
    page.check("input[name=promise]")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/checkin")


def fill_checkin(page, temperature: str = "36.5", district: str = "460105", symptoms=()) -> None:
    """Fill the check-in form as a resident would and submit it."""
    page.select_option("select[name=district]", district)
    page.fill("input[name=temperature]", temperature)
    for symptom in symptoms:
        page.check(f"input[name=symptoms][value={symptom}]")
    page.check("input[name=contact_with_cases][value=no]")
    page.locator("form[data-checkin-form] button[type=submit]").click()


def declare(page, **answers) -> None:
    """Submit a check-in online and wait for the code page it leads to."""
    fill_checkin(page, **answers)
    page.wait_for_url("**/code")
    page.locator("[data-health-code][data-state=code]").wait_for()


def wait_for_offline_ready(page) -> None:
    """The service worker controls the page and holds the app shell (what a user gets after one online visit)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("""async () => {
        const cache = await caches.open('onecode-pages');
        return Boolean(await cache.match('/code')) && Boolean(await cache.match('/checkin'));
    }""")


READ_STORE = """async (store) => {
    const names = (await indexedDB.databases()).map((info) => info.name);
    if (!names.includes('onecode')) return [];
    const database = await new Promise((resolve, reject) => {
        const request = indexedDB.open('onecode');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    try {
        if (!database.objectStoreNames.contains(store)) return [];
        return await new Promise((resolve, reject) => {
            const request = database.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
    } finally {
        database.close();
    }
}"""


def stored(page, store: str) -> list:
    """Everything in one IndexedDB object store of the app's database, read in the page."""
    return page.evaluate(READ_STORE, store)
