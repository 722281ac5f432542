"""Control-list uploads in the console: preview with row errors first, then one transaction with progress."""

import io
import json
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, ControlEntry, ControlUpload, IssuedCode, User, Verdict
from tests.helpers import ID_NUMBERS, checkin_record, staff_client


def _upload(admin, text, name="名单.csv", encoding="utf-8"):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(text.encode(encoding)), filename=name)})
    return admin.post("/authority/control-list", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _green_resident(resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    return resident.get("/api/code").get_json()


def test_preview_lists_rejected_rows_and_writes_nothing(app, resident):
    _green_resident(resident)
    admin = staff_client(app, "admin", "13700000001")
    today = clock.local_today()
    text = (
        "doc_number,status,start,end\n"
        f"{ID_NUMBERS[0]},密接,{today},\n"
        "460105199003071238,confirmed,2026-11-01,\n"
        f"{ID_NUMBERS[1]},quarantined,{today},\n"
        f"{ID_NUMBERS[2]},confirmed,{today},{today - timedelta(days=2)}\n"
    )
    response = _upload(admin, text)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "有效行" in page and "证件号码无效" in page and "结束日期早于开始日期" in page
    assert "第 3 行" not in page  # lines are shown in their own column
    upload = db.session.scalar(select(ControlUpload))
    assert (upload.rows, upload.valid_rows, upload.rejected_rows, upload.matched_people) == (4, 1, 3, 1)
    assert [line for line, *_ in upload.rejected] == [3, 4, 5]
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 0
    assert db.session.scalar(select(User.colour).where(User.role == "resident")) == "green"


def test_applying_streams_progress_then_recolours_and_revokes_in_one_go(app, resident):
    code = _green_resident(resident)
    admin = staff_client(app, "admin", "13700000001")
    today = clock.local_today()
    rows = "".join(f"{number},close_contact,{today}\n" for number in ID_NUMBERS)
    _upload(admin, "doc_number,status,start\n" + rows)
    upload = db.session.scalar(select(ControlUpload))
    response = admin.post(f"/authority/control-list/{upload.id}/apply", headers={"Accept": "application/x-ndjson"})
    assert response.mimetype == "application/x-ndjson"
    steps = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [s["stage"] for s in steps][0] == "checking" and steps[-1]["stage"] == "done"
    assert any(s["stage"] == "writing" and s["done"] == 4 for s in steps)
    assert steps[-1]["changed"] == 1 and steps[-1]["worsened"] == 1
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 4
    person = db.session.scalar(select(User).where(User.role == "resident"))
    assert person.colour == "red"
    verdict = db.session.get(Verdict, person.verdict_id)
    assert verdict.trigger == f"control_upload:{upload.id}"
    assert db.session.scalar(select(IssuedCode.revoked_at).where(IssuedCode.jti == code["jti"])) is not None
    page = admin.get(f"/authority/control-list/{upload.id}").get_data(as_text=True)
    assert "已应用" in page
    assert {"control_upload", "control_import"} <= set(db.session.scalars(select(AuditEntry.action)))
    # applying twice is refused and adds nothing
    again = admin.post(f"/authority/control-list/{upload.id}/apply")
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 4


def test_a_failure_half_way_leaves_nothing_behind(app, resident, monkeypatch):
    _green_resident(resident)
    admin = staff_client(app, "admin", "13700000001")
    _upload(admin, "doc_number,status,start\n" + f"{ID_NUMBERS[0]},confirmed,{clock.local_today()}\n")
    upload_id = db.session.scalar(select(ControlUpload.id))
    from app.services import imports

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "recolour", broken)
    response = admin.post(f"/authority/control-list/{upload_id}/apply", headers={"Accept": "application/x-ndjson"})
    last = json.loads(response.get_data(as_text=True).splitlines()[-1])
    assert last["stage"] == "failed" and "没有任何更改" in last["message"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ControlEntry)) == 0
    assert db.session.get(ControlUpload, upload_id).status == "previewed"


def test_without_script_the_form_applies_and_says_what_changed(app, resident):
    _green_resident(resident)
    admin = staff_client(app, "admin", "13700000001")
    _upload(admin, "doc_number,status,start\n" + f"{ID_NUMBERS[0]},次密接,{clock.local_today()}\n")
    upload_id = db.session.scalar(select(ControlUpload.id))
    page = admin.post(f"/authority/control-list/{upload_id}/apply", follow_redirects=True).get_data(as_text=True)
    assert "已应用 1 行" in page and "1 人的健康码颜色发生变化" in page
    assert db.session.scalar(select(User.colour).where(User.role == "resident")) == "yellow"


def test_gbk_files_from_spreadsheets_are_read_and_binary_files_refused(app):
    admin = staff_client(app, "admin", "13700000001")
    response = _upload(admin, f"doc_number,status,start\n{ID_NUMBERS[0]},确诊,{clock.local_today()}\n", encoding="gbk")
    assert response.status_code == 302
    assert db.session.scalar(select(ControlUpload.valid_rows)) == 1
    page = admin.post(
        "/authority/control-list",
        data={"file": (io.BytesIO(b"\x00\xff\xfe\x00"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422 and "UTF-8 或 GBK" in page.get_data(as_text=True)
    missing = admin.post("/authority/control-list", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "请选择" in missing.get_data(as_text=True)


def test_a_file_missing_columns_is_explained(app):
    admin = staff_client(app, "admin", "13700000001")
    location = _upload(admin, "number,state\n1,2\n").headers["Location"]
    assert "缺少列：doc_number, status, start" in admin.get(location).get_data(as_text=True)


def test_discarded_uploads_cannot_be_applied(app):
    admin = staff_client(app, "admin", "13700000001")
    _upload(admin, f"doc_number,status,start\n{ID_NUMBERS[0]},确诊,{clock.local_today()}\n")
    upload_id = db.session.scalar(select(ControlUpload.id))
    admin.post(f"/authority/control-list/{upload_id}/discard")
    assert admin.post(f"/authority/control-list/{upload_id}/apply").status_code == 409


def test_a_100k_row_file_fits_the_upload_limit(app, settings):
    admin = staff_client(app, "admin", "13700000001")
    big = "doc_number,status,start\n" + f"{ID_NUMBERS[0]},confirmed,2026-11-20\n" * 100_000  # ~4 MB
    response = _upload(admin, big)
    assert response.status_code == 302
    assert db.session.scalar(select(ControlUpload.valid_rows)) == 100_000


def test_only_admins_upload(app):
    reviewer = staff_client(app, "reviewer", "13700000002")
    assert reviewer.get("/authority/control-list").status_code == 403
    assert reviewer.post("/authority/control-list/1/apply").status_code == 403
