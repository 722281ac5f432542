"""Role checks on every resident route: anonymous callers sign in, other roles are refused."""

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import User
from tests.helpers import checkin_record, sign_in

RESIDENT_PAGES = ["/profile", "/checkin", "/code"]
RESIDENT_API = [("GET", "/api/code"), ("POST", "/api/checkins/batch")]
PUBLIC = ["/auth/sign-in", "/.well-known/jwks.json", "/manifest.webmanifest", "/offline", "/api/csrf"]


@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")


@pytest.mark.parametrize("method, path", RESIDENT_API)
def test_anonymous_api_calls_get_401_json(client, method, path):
    response = client.open(path, method=method, json={"records": [checkin_record()]})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", ["warden", "handler", "admin"])
@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_staff_roles_cannot_open_resident_pages(client, role, path):
    sign_in(client)
    db.session.execute(update(User).values(role=role))
    db.session.commit()
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["warden", "handler", "admin"])
@pytest.mark.parametrize("method, path", RESIDENT_API)
def test_staff_roles_cannot_use_the_resident_api(client, role, method, path):
    sign_in(client)
    db.session.execute(update(User).values(role=role))
    db.session.commit()
    response = client.open(path, method=method, json={"records": [checkin_record()]})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200


def test_resident_pages_open_for_residents(resident):
    for path in RESIDENT_PAGES:
        assert resident.get(path).status_code == 200, path


GUARDIAN_PAGES = ["/relatives/", "/relatives/new", "/relatives/1/consent", "/relatives/people/1/paper"]
GUARDIAN_POSTS = ["/relatives/1/end", "/relatives/1/resend", "/relatives/people/1/paper"]
WARDEN_PAGES = ["/warden/scan", "/warden/records", "/warden/trail/00000000-0000-0000-0000-000000000000"]


@pytest.mark.parametrize("path", GUARDIAN_PAGES + WARDEN_PAGES)
def test_anonymous_visitors_of_staff_and_guardian_pages_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")


@pytest.mark.parametrize("path", GUARDIAN_PAGES)
def test_wardens_cannot_open_guardian_pages(client, path):
    sign_in(client)
    db.session.execute(update(User).values(role="warden"))
    db.session.commit()
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", GUARDIAN_POSTS)
def test_wardens_cannot_act_as_guardians(client, path):
    sign_in(client)
    db.session.execute(update(User).values(role="warden"))
    db.session.commit()
    assert client.post(path).status_code == 403


@pytest.mark.parametrize("path", WARDEN_PAGES)
def test_residents_cannot_open_warden_pages(resident, path):
    assert resident.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/relatives/1/consent", "/relatives/people/1/paper"])
def test_residents_cannot_reach_bindings_that_are_not_theirs(resident, path):
    assert resident.get(path).status_code == 404
