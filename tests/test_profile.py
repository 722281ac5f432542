"""The real-name profile: document checks in both languages, hashing at rest, the promise."""

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import User
from tests.helpers import ID_NUMBERS, sign_in

VALID = {
    "name": "张小明",
    "doc_kind": "resident_id",
    "doc_number": ID_NUMBERS[0],
    "address": "海口市滨海大道1号",
    "district": "460105",
    "promise": "y",
}


@pytest.fixture
def signed_in(client):
    sign_in(client)
    return client


def test_profile_is_saved_with_the_document_only_hashed_and_masked(signed_in):
    response = signed_in.post("/profile", data=VALID)
    assert response.status_code == 302 and response.headers["Location"] == "/checkin"
    user = db.session.scalar(select(User))
    assert user.name == "张小明" and user.district == "460105" and user.promised_at is not None
    assert user.doc_masked == "460*************39"
    assert user.birth_date.isoformat() == "1990-03-07"
    dump = "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM users")))
    assert ID_NUMBERS[0] not in dump


@pytest.mark.parametrize(
    "number, zh, en",
    [
        ("46010519900307123", "18 位", "18 characters"),
        ("460105199003071238", "校验位", "check digit"),
        ("460105199002301234", "出生日期", "birth date"),
        ("46010519900307123Y", "字符", "characters that are not allowed"),
    ],
)
def test_bad_id_numbers_are_explained_in_both_languages(signed_in, number, zh, en):
    page = signed_in.post("/profile", data={**VALID, "doc_number": number})
    assert page.status_code == 422 and zh in page.get_data(as_text=True)
    page = signed_in.post("/profile?lang=en", data={**VALID, "doc_number": number})
    assert page.status_code == 422 and en in page.get_data(as_text=True)
    assert db.session.scalar(select(User.promised_at)) is None


def test_lowercase_x_check_digit_is_accepted(signed_in):
    response = signed_in.post("/profile", data={**VALID, "doc_number": "11010519491231002x"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.doc_masked)).endswith("2X")


def test_passport_is_accepted_as_other_document(signed_in):
    response = signed_in.post("/profile", data={**VALID, "doc_kind": "passport", "doc_number": "e12345678"})
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.doc_kind == "passport" and user.birth_date is None


def test_promise_is_required(signed_in):
    page = signed_in.post("/profile", data={k: v for k, v in VALID.items() if k != "promise"})
    assert page.status_code == 422 and "承诺" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value",
    [("name", "x"), ("name", "<script>"), ("address", ""), ("district", "999999"), ("doc_kind", "driving_licence")],
)
def test_other_bad_fields_are_refused(signed_in, field, value):
    page = signed_in.post("/profile", data={**VALID, field: value})
    assert page.status_code == 422
    assert db.session.scalar(select(User.promised_at)) is None


def test_one_document_one_account(client):
    sign_in(client, "13900000001")
    assert client.post("/profile", data=VALID).status_code == 302
    client.post("/auth/sign-out")
    sign_in(client, "13900000002")
    page = client.post("/profile", data=VALID)
    assert page.status_code == 422 and "已被其他手机号登记" in page.get_data(as_text=True)


def test_document_cannot_be_changed_once_set(signed_in):
    signed_in.post("/profile", data=VALID)
    signed_in.post("/profile", data={**VALID, "doc_number": ID_NUMBERS[1], "address": "三亚市吉阳区"})
    user = db.session.scalar(select(User))
    assert user.doc_masked == "460*************39" and user.address == "三亚市吉阳区"
