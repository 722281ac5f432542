"""Fixtures for Flask-client tests: a fresh app on a database of its own per test, SQLite by default
(`pytest --postgresql`: a throwaway PostgreSQL cluster, tests/postgres.py)."""

import re
import uuid
from datetime import UTC, datetime

import pytest
from flask import g
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import SmsMessage
from tests.postgres import Cluster

ID_NUMBERS = ["460105199003071239", "460106198511124562", "460108199508082469", "460107197205207898"]


def pytest_addoption(parser):
    parser.addoption(
        "--postgresql",
        action="store_true",
        help="run the tests on a throwaway PostgreSQL cluster instead of SQLite files",
    )


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's own behaviour (marked `sqlite`) do not apply on PostgreSQL."""
    if config.getoption("--postgresql"):
        skip = pytest.mark.skip(reason="about SQLite itself")
        for item in items:
            if "sqlite" in item.keywords:
                item.add_marker(skip)


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


@pytest.fixture(scope="session")
def postgres(request, tmp_path_factory):
    """With --postgresql, the run's cluster, with `database` holding the models' schema; None on SQLite."""
    if not request.config.getoption("--postgresql"):
        yield None
        return
    cluster = Cluster()
    try:
        cluster.database = cluster.create_database()
        app = create_app(make_config(tmp_path_factory.mktemp("schema"), cluster.url(cluster.database)))
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(postgres):
    """The database a test's app uses: on PostgreSQL the run's, emptied afterwards; on SQLite None
    (make_config's file under the test's tmp_path, which the app fixture fills with create_all)."""
    if postgres is None:
        yield None
        return
    yield postgres.url(postgres.database)
    postgres.empty(postgres.database)


@pytest.fixture
def empty_database_url(postgres):
    """A database without tables, for the migrations (None on SQLite: make_config's new file)."""
    if postgres is None:
        yield None
        return
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture
def settings():
    """Per-test config overrides; set keys before the `app` fixture is first used."""
    return {}


class RequestScopedClient(FlaskClient):
    """Test client whose requests each start with an empty `g`, as they would in a server.

    The fixtures keep one app context open (so tests can query the database), and Flask reuses it
    for requests; without this, the language and the signed-in user would leak between requests.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path, settings, database_url):
    """An app in testing mode with its own database and keys, inside an app context."""
    app = create_app(make_config(tmp_path, database_url, **settings))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        close_checkpoints(app)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


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


@pytest.fixture
def resident(client):
    """A signed-in resident with a profile (no check-in yet)."""
    sign_in(client)
    fill_profile(client)
    return client


def staff_client(app, role, phone, scope_district=None, name="王工作"):
    """A new client signed in as a staff member with `role` (and area, for handlers and supervisors)."""
    from app.models import User
    from app.services.enrolment import make_staff

    client = app.test_client()
    sign_in(client, phone)
    make_staff(db.session.scalar(db.select(User).where(User.phone == phone)), role, name, scope_district)
    return client
