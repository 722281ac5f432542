"""Helpers shared by the browser tests of clinic and pharmacy desks: a resident with a code, staff at an
institution, signing staff in, identifying a person on the desk page."""

import uuid

from playwright.sync_api import expect

from app.domain import codes
from app.extensions import db
from app.infra import clock, keys
from app.models import User
from app.services.checkins import store_checkins
from app.services.codes import code_snapshot, current_self_code
from app.services.enrolment import make_staff
from app.services.profiles import save_profile
from tests.e2e.browser import sms_code
from tests.helpers import TEST_INSTITUTIONS

RESIDENT = {"phone": "13800000021", "name": "王小明", "id_number": "460105199003071239"}
DESK_HOME = {"clinician": "/clinic/", "pharmacist": "/pharmacy/"}


def make_resident(app, phone=RESIDENT["phone"], name=RESIDENT["name"], id_number=RESIDENT["id_number"], **answers):
    """A resident with a profile and today's check-in (green unless `answers` say otherwise); their QR text."""
    with app.app_context():
        keys.ensure_key()
        now = clock.now_utc()
        user = User(phone=phone, role="resident", created_at=now)
        db.session.add(user)
        db.session.flush()
        save_profile(
            user,
            name=name,
            address="海南省海口市滨海大道 1 号",
            district="460105",
            doc_kind="resident_id",
            doc_number=id_number,
        )
        record = {"uuid": str(uuid.uuid4()), "checked_at": now.isoformat() + "Z", "district": "460105", "symptoms": []}
        store_checkins(
            user, user, [{"visits": [], "contact_with_cases": False, "temperature": 36.5, **record, **answers}]
        )
        current_self_code(db.session.get(User, user.id))
        return user.id, codes.qr_text(code_snapshot(user.id).token)


def make_care_staff(app, role, phone, name="陈医生"):
    """A clinician or pharmacist at the role's test institution (tests/helpers.py TEST_INSTITUTIONS)."""
    with app.app_context():
        user = User(phone=phone, role="resident", created_at=clock.now_utc())
        db.session.add(user)
        db.session.commit()
        make_staff(user, role, name, institution=dict(TEST_INSTITUTIONS[role]))
        return user.id


def sign_in_staff(page, server, phone, role):
    """Sign in by SMS code; clinic and pharmacy staff start on their desk, ready to identify someone."""
    page.goto(f"{server.url}/auth/sign-in")
    page.fill("input[name=phone]", phone)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{DESK_HOME[role]}")
    expect(page.locator("[data-care-desk]")).to_have_attribute("data-ready", "true")


def identify_by_id_number(page, id_number):
    """Type the ID number as a card reader does (the digits, then Enter) and wait for the person's card."""
    page.locator("#desk-id-number").press_sequentially(id_number)
    page.locator("#desk-id-number").press("Enter")
    return person_card(page)


def person_card(page):
    card = page.locator("[data-person]")
    expect(card).to_be_visible(timeout=15_000)
    return card
