"""Helpers shared by the browser tests: Chromium, the in-process server, signing up, the check-in form, IndexedDB.

How these machines run Chromium: Debian's build at /usr/bin/chromium (ONECODE_CHROMIUM points elsewhere), with the
flags below so it does not reach for hosts the network refuses; offline is `context.set_offline(True)`.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Checkin
from tests.helpers import ID_NUMBERS

ROOT = Path(__file__).resolve().parents[2]


CHROMIUM = os.environ.get("ONECODE_CHROMIUM", "/usr/bin/chromium")


# The device's IndexedDB after an upgrade from any older version: its version and every store (app/static/js/db.js).
DEVICE_DATABASE = {
    "version": 4,
    "stores": [
        "care_outbox",
        "care_rejected",
        "codes",
        "outbox",
        "people",
        "prefs",
        "rejected",
        "scan_outbox",
        "scan_rejected",
        "trust",
    ],
}

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


def pick_place(page, select: str, code: str) -> None:
    """Choose a place anywhere in the country in a place field's picker, by typing its code."""
    field = page.locator(select)
    field.locator("xpath=following::button[contains(@class, 'place-open')][1]").click()
    dialog = page.locator("dialog.place-dialog[open]")
    dialog.locator("input[type=search]").fill(code)
    dialog.locator(f".place-list button[data-code='{code}']").click()
    expect(field).to_have_value(code)


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
