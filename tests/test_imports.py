"""CSV imports from the `flask` CLI: rejected rows reported, nothing half-imported, colours recomputed."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.infra import clock
from app.models import ControlEntry, IssuedCode, RiskArea, User
from tests.helpers import ID_NUMBERS, checkin_record


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def green_resident_with_code(client):
    client.post("/api/checkins/batch", json={"records": [checkin_record(district="460105")]})
    return client.get("/api/code").get_json()["jti"]


def test_bad_rows_are_reported_and_nothing_is_written(app, resident, tmp_path):
    today = clock.local_today()
    csv = write(
        tmp_path,
        "areas.csv",
        "district,level,start,end\n"
        f"460105,high,{today},\n"
        "999999,high,2026-01-01,\n"
        f"460106,extreme,{today},\n"
        f"460107,medium,{today},{today - timedelta(days=3)}\n"
        "460108,中,yesterday,\n",
    )
    result = run(app, "import", "risk-areas", csv)
    assert result.exit_code == 1
    for line in ("line 3", "line 4", "line 5", "line 6"):
        assert f"rejected {line}" in result.output
    assert "nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(RiskArea)) == 0


def test_a_new_risk_area_turns_people_who_were_there_yellow_and_revokes_their_codes(app, resident, tmp_path):
    jti = green_resident_with_code(resident)
    csv = write(tmp_path, "areas.csv", f"district,level,start\n460105,高,{clock.local_today()}\n")
    result = run(app, "import", "risk-areas", csv)
    assert result.exit_code == 0, result.output
    assert "1 people re-evaluated" in result.output
    user = db.session.scalar(select(User))
    db.session.refresh(user)
    assert user.colour == "yellow"
    assert db.session.get(IssuedCode, jti).revoked_at is not None
    view = resident.get("/api/code").get_json()
    assert view["colour"] == "yellow" and view["reasons"][0]["rule_id"] == "area.current"


def test_people_elsewhere_are_not_touched(app, resident, tmp_path):
    green_resident_with_code(resident)
    csv = write(tmp_path, "areas.csv", f"district,level,start\n110105,high,{clock.local_today()}\n")
    result = run(app, "import", "risk-areas", csv)
    assert "0 people re-evaluated" in result.output
    assert db.session.scalar(select(User.colour)) == "green"


def test_control_list_turns_a_close_contact_red(app, resident, tmp_path):
    jti = green_resident_with_code(resident)
    csv = write(
        tmp_path,
        "control.csv",
        "doc_number,status,start\n"
        f"{ID_NUMBERS[0]},密接,{clock.local_today() - timedelta(days=1)}\n"
        f"{ID_NUMBERS[1]},confirmed,{clock.local_today()}\n",
    )
    result = run(app, "import", "control-list", csv)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 2
    assert db.session.scalar(select(User.colour)) == "red"
    assert db.session.get(IssuedCode, jti).revoked_reason == "colour_changed"
    view = resident.get("/api/code").get_json()
    assert view["colour"] == "red" and view["reasons"][0]["rule_id"] == "control.close_contact"


def test_control_list_with_a_bad_id_is_refused_whole_unless_told_to_skip(app, resident, tmp_path):
    csv = write(
        tmp_path,
        "control.csv",
        "doc_number,status,start\n"
        f"{ID_NUMBERS[0]},confirmed,{clock.local_today()}\n"
        "460105199003071238,confirmed,2026-11-01\n",
    )
    assert run(app, "import", "control-list", csv).exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 0
    result = run(app, "import", "control-list", "--skip-invalid", csv)
    assert result.exit_code == 0 and "applied" in result.output
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 1


def test_missing_columns_are_reported(app, tmp_path):
    csv = write(tmp_path, "control.csv", "number,state\n1,2\n")
    result = run(app, "import", "control-list", csv)
    assert result.exit_code == 1 and "missing columns: doc_number, status, start" in result.output
