"""Helpers shared by the Flask-client tests: configuration, signing in, profiles, check-in records, staff."""

import re
import uuid
from datetime import UTC, datetime

from flask import g
from flask.testing import FlaskClient

from app.extensions import db
from app.models import SmsMessage

ID_NUMBERS = ["460105199003071239", "460106198511124562", "460108199508082469", "460107197205207898"]


def make_config(tmp_path, database_url=None, **overrides) -> dict:
    """Settings for an app with its keys under tmp_path and its own database (an SQLite file under
    tmp_path unless `database_url` names one)."""
    return {
        "TESTING": True,
        "ENV_NAME": "development",
        "SECRET_KEY": "test-secret",
        "DOC_HASH_KEY": "test-doc-key",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "KEYS_DIR": str(tmp_path / "keys"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **overrides,
    }


def close_checkpoints(app) -> None:
    """End the app's WAL checkpoint thread before its database goes (app/sqlite.py)."""
    checkpointer = app.extensions["sqlite_checkpointer"]
    if checkpointer:
        checkpointer.close()


class RequestScopedClient(FlaskClient):
    """Test client whose requests each start with an empty `g`, as they would in a server.

    The fixtures keep one app context open (so tests can query the database), and Flask reuses it
    for requests; without this, the language and the signed-in user would leak between requests.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


def latest_code(phone: str) -> str:
    """The 6-digit code of the newest SMS to a phone, from the development outbox."""
    message = db.session.scalars(
        db.select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc())
    ).first()
    return re.search(r"\d{6}", message.body).group()


def sign_in(client, phone="13900000001"):
    """Sign in through the SMS code pages."""
    response = client.post("/auth/sign-in", data={"phone": phone})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/auth/verify", data={"phone": phone, "code": latest_code(phone)})
    assert response.status_code == 302
    return response


def fill_profile(client, name="张小明", doc_number=ID_NUMBERS[0], district="460105"):
    response = client.post(
        "/profile",
        data={
            "name": name,
            "doc_kind": "resident_id",
            "doc_number": doc_number,
            "address": "海口市滨海大道1号",
            "district": district,
            "promise": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def checkin_record(**fields):
    """A valid check-in record as the PWA sends it."""
    record = {
        "uuid": str(uuid.uuid4()),
        "checked_at": datetime.now(UTC).isoformat(),
        "district": "460105",
        "temperature": 36.5,
        "symptoms": [],
        "visits": [],
        "contact_with_cases": False,
        "arrival": None,
    }
    record.update(fields)
    return record


# The institution a test clinician or pharmacist joins unless told otherwise (registered by the first one).
TEST_INSTITUTIONS = {
    "clinician": {
        "kind": "fever_clinic",
        "name": "海口市人民医院发热门诊",
        "district": "460106",
        "address": "海口市龙华区人民大道1号",
        "licence_number": "",
    },
    "pharmacist": {
        "kind": "pharmacy",
        "name": "益康大药房",
        "district": "460105",
        "address": "海口市秀英区长滨路8号",
        "licence_number": "琼AA8980001",
    },
}


def staff_client(app, role, phone, scope_district=None, name="王工作", institution=None):
    """A new client signed in as a staff member with `role` (and area, for handlers and supervisors; an
    institution's id or fields for clinicians and pharmacists: by default the role's test institution,
    shared by every test clinician or pharmacist of one app)."""
    from app.models import Institution, User
    from app.services.enrolment import make_staff

    client = app.test_client()
    sign_in(client, phone)
    if role in TEST_INSTITUTIONS and institution is None:
        fields = TEST_INSTITUTIONS[role]
        existing = db.session.scalar(db.select(Institution.id).where(Institution.name == fields["name"]))
        institution = existing or fields
    make_staff(db.session.scalar(db.select(User).where(User.phone == phone)), role, name, scope_district, institution)
    return client
