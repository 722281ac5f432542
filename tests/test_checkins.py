"""Queued check-ins: per-record answers, stored once, validation in both languages, recolouring."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Checkin, IssuedCode, User, Verdict, Visit
from tests.helpers import checkin_record


def batch(client, *records, lang=None):
    headers = {"Accept-Language": lang} if lang else {}
    return client.post("/api/checkins/batch", json={"records": list(records)}, headers=headers)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_same_uuid_twice_is_stored_once_and_answered_duplicate(resident):
    record = checkin_record()
    assert batch(resident, record).get_json()["results"] == [{"uuid": record["uuid"], "status": "stored"}]
    assert batch(resident, record).get_json()["results"] == [{"uuid": record["uuid"], "status": "duplicate"}]
    assert count(Checkin) == 1


def test_same_uuid_with_different_answers_is_a_conflict(resident):
    record = checkin_record()
    batch(resident, record)
    answer = batch(resident, {**record, "temperature": 38.5}).get_json()["results"][0]
    assert answer["status"] == "conflict"
    assert db.session.scalar(select(Checkin.temperature)) == 36.5


def test_a_bad_record_does_not_block_the_good_ones(resident):
    good1, good2 = checkin_record(), checkin_record()
    bad = checkin_record(temperature=52, district="000000")
    results = batch(resident, good1, bad, good2, "garbage").get_json()["results"]
    assert [r["status"] for r in results] == ["stored", "invalid", "stored", "invalid"]
    assert set(results[1]["errors"]) == {"temperature", "district"}
    assert count(Checkin) == 2


def test_validation_messages_follow_the_language(resident):
    bad = checkin_record(temperature="hot")
    zh = batch(resident, bad).get_json()["results"][0]["errors"]["temperature"]
    en = batch(resident, bad, lang="en").get_json()["results"][0]["errors"]["temperature"]
    assert "体温" in zh and "temperature" in en


@pytest.mark.parametrize(
    "field, value",
    [
        ("checked_at", "yesterday"),
        ("checked_at", (datetime.now(UTC) + timedelta(hours=2)).isoformat()),
        ("checked_at", (datetime.now(UTC) - timedelta(days=8)).isoformat()),
        ("checked_at", "2026-11-22T08:00:00"),  # no time zone
        ("uuid", "not-a-uuid"),
        ("symptoms", ["sneezing_loudly"]),
        ("symptoms", "dry_cough"),
        ("visits", [{"district": "110105", "day": "1999-01-01"}]),
        ("visits", [{"district": "nowhere", "day": datetime.now().date().isoformat()}]),
        ("visits", [{}] * 31),
        ("arrival", {"from_district": "110105", "day": datetime.now().date().isoformat(), "transport": "rocket"}),
        ("arrival", "Beijing"),
        ("contact_with_cases", "no"),
        ("temperature", True),
        ("temperature", 33.9),
    ],
)
def test_each_kind_of_bad_field_is_invalid_and_nothing_is_written(resident, field, value):
    answer = batch(resident, checkin_record(**{field: value})).get_json()["results"][0]
    assert answer["status"] == "invalid" and field in answer["errors"]
    assert count(Checkin) == 0 and count(Visit) == 0


@pytest.mark.parametrize("body", ["not json", "[]", '{"records": "x"}', '{"recs": []}', "null"])
def test_garbage_json_is_a_400_with_a_message(resident, body):
    response = resident.post("/api/checkins/batch", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "批" in response.get_json()["message"]


def test_oversized_batches_are_refused(resident, app):
    app.config["BATCH_MAX_RECORDS"] = 3
    response = batch(resident, *[checkin_record() for _ in range(4)])
    assert response.status_code == 413 and count(Checkin) == 0
    big = resident.post("/api/checkins/batch", data="x" * (1100 * 1024), content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"]


def test_visits_and_return_registration_are_stored(resident):
    today = datetime.now().date()
    record = checkin_record(
        visits=[{"district": "110105", "day": (today - timedelta(days=3)).isoformat()}],
        arrival={"from_district": "110105", "day": (today - timedelta(days=1)).isoformat(), "transport": "plane"},
    )
    batch(resident, record)
    checkin = db.session.scalar(select(Checkin))
    assert [(v.district, v.day) for v in checkin.visits] == [("110105", today - timedelta(days=3))]
    assert (checkin.arrival_from, checkin.arrival_transport) == ("110105", "plane")
    user = db.session.scalar(select(User))
    assert user.colour == "yellow"  # arrived from another province (Hainan rule, on by default)


def test_every_colour_change_is_stored_with_version_reasons_and_inputs(resident):
    batch(resident, checkin_record())
    batch(resident, checkin_record(temperature=38.2))
    verdicts = db.session.scalars(select(Verdict).order_by(Verdict.id)).all()
    assert [v.colour for v in verdicts] == [None, "green", "yellow"]
    latest = verdicts[-1]
    assert latest.rule_set_version and latest.trigger == "checkin"
    assert [r["rule_id"] for r in latest.reasons] == ["health.fever"]
    assert any(c["temperature"] == 38.2 for c in latest.inputs["facts"]["checkins"])


def test_a_code_whose_holder_changed_colour_is_revoked(resident):
    batch(resident, checkin_record())
    green = resident.get("/api/code").get_json()
    batch(resident, checkin_record(symptoms=["dry_cough"]))
    revoked = db.session.get(IssuedCode, green["jti"])
    assert revoked.revoked_at is not None and revoked.revoked_reason == "colour_changed"
    yellow = resident.get("/api/code").get_json()
    assert yellow["colour"] == "yellow" and yellow["jti"] != green["jti"]


def test_a_repeat_healthy_checkin_keeps_the_same_code(resident):
    batch(resident, checkin_record())
    first = resident.get("/api/code").get_json()["jti"]
    batch(resident, checkin_record())
    assert resident.get("/api/code").get_json()["jti"] == first
    assert count(IssuedCode) == 1


def test_profile_comes_before_checkins(client):
    from tests.helpers import sign_in

    sign_in(client)
    response = batch(client, checkin_record())
    assert response.status_code == 409 and response.get_json()["error"] == "profile_required"
