"""The code snapshot runs its Core statement on a raw pooled connection: the same values as through Core."""

from datetime import date, datetime

from app.extensions import db
from app.services import codes
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in


def through_core(user_id):
    with db.engine.connect() as connection:
        return connection.execute(codes._SNAPSHOT, {"user_id": user_id}).first()


def test_the_snapshot_holds_what_a_core_execution_returns(app, resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=37.3)]})
    assert resident.get("/api/code").get_json()["colour"] == "yellow"
    newcomer = app.test_client()
    sign_in(newcomer, "13900000002")
    fill_profile(newcomer, doc_number=ID_NUMBERS[1])  # a profile, no declaration yet: many empty columns
    for user_id in (1, 2, 999):
        expected, snapshot = through_core(user_id), codes.code_snapshot(user_id)
        assert (snapshot is None) == (expected is None)
        if expected is not None:
            assert snapshot._fields == expected._fields and tuple(snapshot) == tuple(expected)
    yellow = codes.code_snapshot(1)
    assert isinstance(yellow.code_issued_at, datetime) and isinstance(yellow.may_turn_green_on, date)
    assert yellow.reasons[0]["rule_id"] == "health.fever"
    assert codes.code_snapshot(2).code_jti is None and codes.code_snapshot(999) is None


def test_the_snapshot_returns_its_connection_to_the_pool(app, resident):
    checked_out = db.engine.pool.checkedout()
    for _ in range(20):
        codes.code_snapshot(1)
    assert db.engine.pool.checkedout() == checked_out
