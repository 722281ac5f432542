"""`flask purge` deletes movement data past the retention period and nothing newer."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.infra import clock
from app.models import Checkin, Scan, Visit
from tests.helpers import checkin_record
from tests.test_scans import make_resident, make_warden, post_scans, scan_record


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_purge_deletes_only_what_is_older_than_the_retention_period(app, monkeypatch):
    resident, code = make_resident(app, "13900000001", "460105199003071239")
    today = datetime.now(UTC)
    resident.post(
        "/api/checkins/batch",
        json={
            "records": [
                checkin_record(visits=[{"district": "110105", "day": (today - timedelta(days=2)).date().isoformat()}])
            ]
        },
    )
    warden = make_warden(app)
    post_scans(warden, scan_record(code["qr_text"]))
    assert (count(Checkin), count(Visit), count(Scan)) == (2, 1, 1)

    # 27 days later everything is still inside the 28-day retention period
    later = clock.now_utc() + timedelta(days=27)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "0 checkins" in result.output and (count(Checkin), count(Visit), count(Scan)) == (2, 1, 1)

    # a fresh check-in and scan made on day 27 must survive the purge on day 29
    resident.post(
        "/api/checkins/batch", json={"records": [checkin_record(checked_at=(later.replace(tzinfo=UTC)).isoformat())]}
    )
    post_scans(
        warden,
        scan_record(
            code["qr_text"],
            uuid=str(uuid.uuid4()),
            scanned_at=later.replace(tzinfo=UTC).isoformat(),
            offline=("deny", "expired", "green"),
        ),
    )
    much_later = clock.now_utc() + timedelta(days=2, hours=1)
    monkeypatch.setattr(clock, "now_utc", lambda: much_later)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 visits, 2 checkins, 1 scans" in result.output
    assert (count(Checkin), count(Visit), count(Scan)) == (1, 0, 1)
    assert db.session.scalar(select(Checkin.checked_at)) >= later - timedelta(seconds=1)


def test_purge_period_can_be_set(app):
    resident, _ = make_resident(app, "13900000001", "460105199003071239")
    result = app.test_cli_runner().invoke(args=["purge", "--days", "0"])
    assert result.exit_code != 0  # at least one day
    result = app.test_cli_runner().invoke(args=["purge", "--days", "1"])
    assert "0 checkins" in result.output and count(Checkin) == 1
