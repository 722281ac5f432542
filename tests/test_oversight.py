"""Oversight: daily colour tallies, the overview charts, the audit-log search and export, append-only audit log."""

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, insert, select, update

from app.extensions import db
from app.infra import audit, clock
from app.infra.audit import AuditLogIsAppendOnly
from app.models import Appeal, AuditEntry, Checkpoint, ColourTally, Report, Scan, User
from app.services.oversight import take_tally
from tests.helpers import sign_in, staff_client

HAIKOU, SANYA = "460100", "460200"


def add_people(*rows):
    """Residents inserted in one Core statement: (phone, name, district, colour) each."""
    now = clock.now_utc()
    db.session.execute(
        insert(User),
        [
            {
                "phone": phone,
                "name": name,
                "district": district,
                "colour": colour,
                "role": "resident",
                "created_at": now,
            }
            for phone, name, district, colour in rows
        ],
    )
    db.session.commit()
    return {row[0]: db.session.scalar(select(User.id).where(User.phone == row[0])) for row in rows}


def user_id(phone):
    return db.session.scalar(select(User.id).where(User.phone == phone))


def add_checkpoint(name, district):
    checkpoint = Checkpoint(
        name=name, kind="community_gate", address="某路1号", district=district, created_at=clock.now_utc()
    )
    db.session.add(checkpoint)
    db.session.commit()
    return checkpoint.id


def add_scan(checkpoint_id, warden_id, ago=timedelta(hours=1), disagreement=False, blocked=False):
    at = clock.now_utc() - ago
    db.session.add(
        Scan(
            uuid=str(uuid.uuid4()),
            payload_hash="x" * 64,
            checkpoint_id=checkpoint_id,
            warden_id=warden_id,
            scanned_at=at,
            received_at=at,
            direction="in",
            kind="code",
            offline_result="pass",
            offline_reason="ok",
            server_result="pass",
            server_reason="ok",
            disagreement=disagreement,
            blocked_at=at if blocked else None,
        )
    )


def entry(actor, action, subject=None, why="spot check", ago=timedelta(0), **details):
    """An audit entry at a chosen time (the app writes `now`; tests need history)."""
    db.session.add(
        AuditEntry(
            at=clock.now_utc() - ago, actor_id=actor, action=action, subject_id=subject, why=why, details=details
        )
    )


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000001", name="管理员")


@pytest.fixture
def supervisor(app):
    return staff_client(app, "supervisor", "13700000002", HAIKOU, name="海口督查")


@pytest.fixture
def haikou_and_sanya(app):
    """Residents, checkpoints, scans and reports in Haikou (4601xx) and Sanya (4602xx)."""
    people = add_people(
        ("13900000011", "张小明", "460105", "green"),
        ("13900000012", "李红", "460105", "red"),
        ("13900000013", "王黄", "460106", "yellow"),
        ("13900000014", "赵三亚", "460202", "yellow"),
        ("13900000015", "钱三亚", "460202", "green"),
        ("13900000016", "孙无码", "460105", None),
    )
    haikou_gate, sanya_gate = add_checkpoint("海口东站卡口", "460105"), add_checkpoint("三亚凤凰卡口", "460202")
    sign_in(app.test_client(), "13600000001")
    sign_in(app.test_client(), "13600000002")
    for phone, gate in (("13600000001", haikou_gate), ("13600000002", sanya_gate)):
        db.session.execute(
            update(User).where(User.phone == phone).values(role="warden", checkpoint_id=gate, name=f"值守{phone[-1]}")
        )
    db.session.commit()
    return people, haikou_gate, sanya_gate


# --- tallies -------------------------------------------------------------------------------------------------


def test_tally_counts_per_district_and_colour_with_one_insert_select(app):
    add_people(
        ("13900000001", "甲", "460105", "green"),
        ("13900000002", "乙", "460105", "green"),
        ("13900000003", "丙", "460105", "red"),
        ("13900000004", "丁", "460202", "yellow"),
        ("13900000005", "戊", "460202", None),
    )
    day = clock.local_today()
    db.session.add(ColourTally(day=day, district="460108", colour="green", people=99))  # stale: replaced
    db.session.commit()
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert take_tally(day) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    writes = [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "BEGIN", "COMMIT"))]
    assert len(writes) == 2 and writes[0].startswith("DELETE") and "INSERT INTO colour_tallies" in writes[1]
    assert "SELECT" in writes[1] and "GROUP BY" in writes[1]
    rows = db.session.execute(
        select(ColourTally.district, ColourTally.colour, ColourTally.people)
        .where(ColourTally.day == day)
        .order_by(ColourTally.district, ColourTally.colour)
    ).all()
    assert [tuple(r) for r in rows] == [("460105", "green", 2), ("460105", "red", 1), ("460202", "yellow", 1)]


def test_flask_tally_command_stores_today(app):
    add_people(("13900000001", "甲", "460105", "green"))
    result = app.test_cli_runner().invoke(args=["tally"])
    assert result.exit_code == 0 and "1 district and colour counts stored" in result.output
    assert db.session.scalar(select(ColourTally.people).where(ColourTally.day == clock.local_today())) == 1


# --- overview ------------------------------------------------------------------------------------------------


def test_overview_draws_both_charts_with_words_numbers_and_tables(app, admin, haikou_and_sanya):
    earlier = clock.local_today() - timedelta(days=3)
    db.session.add_all(
        [
            ColourTally(day=earlier, district="460105", colour="green", people=40),
            ColourTally(day=earlier, district="460105", colour="red", people=7),
        ]
    )
    db.session.commit()
    page = admin.get("/oversight/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        db.session.scalar(select(func.count()).select_from(ColourTally).where(ColourTally.day == clock.local_today()))
        == 5
    )  # taken on the first visit
    for word in ("绿码", "黄码", "红码"):
        assert word in html
    # the two colour charts and the fever-drug registrations per day (tests/test_pharmacy.py)
    assert html.count("<svg viewBox") == 3 and "url(#oc-yellow)" in html and 'role="img"' in html
    assert "<details" in html and "显示数字" in html
    assert ">47<" in html  # the earlier day's total above its bar
    assert "海南省海口市秀英区" in html and "海南省三亚市吉阳区" in html
    assert "未统计" in html  # days without a stored tally say so
    assert "/static/css/oversight.css" in html and "cdn" not in html.lower()


def number_rows(html):
    """The charts' number tables: row heading -> green, yellow, red, total (days without a tally left out)."""
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', html
    )
    return {row[0]: list(row[1:]) for row in rows}


def test_supervisor_sees_only_their_area(app, supervisor, haikou_and_sanya):
    now = clock.now_utc()
    reporter = user_id("13900000011")
    for district in ("460105", "460202"):
        db.session.add(
            Report(
                kind="clue",
                reporter_id=reporter,
                district=district,
                place="某小区",
                submitted_at=now,
                due_at=now + timedelta(hours=2),
            )
        )
    db.session.commit()
    html = supervisor.get("/oversight/").get_data(as_text=True)
    assert "海南省海口市秀英区" in html and "海南省海口市龙华区" in html
    assert "三亚" not in html.split("<main")[1].split("</select>")[1]  # neither a district nor a checkpoint of Sanya
    assert "海口东站卡口" in html and "三亚凤凰卡口" not in html
    assert number_rows(html) == {
        "海南省海口市秀英区": ["1", "0", "1", "2"],
        "海南省海口市龙华区": ["0", "1", "0", "1"],
        clock.local_today().isoformat(): ["1", "1", "1", "3"],
    }  # Sanya's two not counted
    assert re.search(r'tile-number">1<', html)  # one open report in Haikou, not two
    assert 'href="/reports/inbox"' in html and "/authority/appeals" not in html.split("<main")[1]
    assert supervisor.get("/oversight/?area=460200").status_code == 403
    narrowed = supervisor.get("/oversight/?area=460106").get_data(as_text=True)
    assert "海南省海口市龙华区" in narrowed.split("</select>")[1] and "海南省海口市秀英区</text>" not in narrowed


def test_admin_can_pick_any_area_and_bad_areas_are_refused(app, admin, haikou_and_sanya):
    html = admin.get(f"/oversight/?area={SANYA}").get_data(as_text=True)
    assert "三亚凤凰卡口" in html and "海口东站卡口" not in html
    assert 'href="/authority/appeals"' in html
    everywhere = admin.get("/oversight/").get_data(as_text=True)
    assert "三亚凤凰卡口" in everywhere and "海口东站卡口" in everywhere
    bad = admin.get("/oversight/?area=999999")
    assert bad.status_code == 400 and "请从列表中选择地区" in bad.get_data(as_text=True)


def test_scans_per_checkpoint_count_disagreements_and_blocked_passes_of_the_last_week(app, admin, haikou_and_sanya):
    _people, haikou_gate, _sanya_gate = haikou_and_sanya
    warden = user_id("13600000001")
    add_scan(haikou_gate, warden)
    add_scan(haikou_gate, warden, disagreement=True)
    add_scan(haikou_gate, warden, blocked=True)
    add_scan(haikou_gate, warden, ago=timedelta(days=9), blocked=True)  # too old
    db.session.commit()
    html = admin.get("/oversight/").get_data(as_text=True)
    row = re.search(r'<tr class="flagged">\s*<th scope="row">海口东站卡口.*?</tr>', html, re.DOTALL).group()
    assert re.findall(r"<td>(?:<strong>)?(\d+)", row) == ["3", "1", "1"]
    assert re.search(r'<th scope="row">三亚凤凰卡口.*?<td>0</td>', html, re.DOTALL)


def clue(reporter_id, place, now, due_at, **fields):
    """A clue filed `now` in 460105, due at `due_at`."""
    return Report(
        kind="clue",
        reporter_id=reporter_id,
        district="460105",
        place=place,
        submitted_at=now,
        due_at=due_at,
        **fields,
    )


def overdue_appeal(person_id, now, **fields):
    """A red colour's appeal filed `now` and due a day ago."""
    return Appeal(
        user_id=person_id,
        filed_by_id=person_id,
        colour="red",
        ground="other",
        reason="误判",
        filed_at=now,
        due_at=now - timedelta(days=1),
        **fields,
    )


def test_open_reports_and_appeals_with_overdue_counts(app, admin, haikou_and_sanya):
    now = clock.now_utc()
    person = user_id("13900000012")
    db.session.add_all(
        [
            clue(person, "甲", now, due_at=now - timedelta(hours=1)),
            clue(person, "乙", now, due_at=now + timedelta(hours=1)),
            clue(person, "丙", now, due_at=now, closed_at=now, state="resolved"),
            overdue_appeal(person, now),
            overdue_appeal(person, now, state="rejected"),
        ]
    )
    db.session.commit()
    html = admin.get("/oversight/").get_data(as_text=True)
    numbers = re.findall(r'tile-number">(\d+)<', html)
    assert numbers == ["2", "1"]
    assert "其中 1 件已逾期" in html


# --- audit log -----------------------------------------------------------------------------------------------


@pytest.fixture
def history(app, haikou_and_sanya):
    """Entries by Haikou's and Sanya's wardens about residents of both cities, and one by an admin."""
    haikou_warden, sanya_warden = user_id("13600000001"), user_id("13600000002")
    haikou_resident, sanya_resident = user_id("13900000011"), user_id("13900000014")
    admin_id = (
        db.session.scalar(select(User.id).where(User.role == "admin"))
        or add_people(("13700000009", "卫健委", None, None))["13700000009"]
    )
    db.session.execute(update(User).where(User.id == admin_id).values(role="admin"))
    entry(haikou_warden, "trail", haikou_resident, why="黄码复查", ago=timedelta(days=3), checkpoint_id=1)
    entry(haikou_warden, "id_lookup", sanya_resident, why="无手机入场", ago=timedelta(days=1))
    entry(sanya_warden, "trail", haikou_resident, why="=HYPERLINK(1)", ago=timedelta(hours=5))
    entry(sanya_warden, "block", sanya_resident, why="红码拦截", ago=timedelta(hours=1))
    entry(admin_id, "enrol_link", None, why="warden", ago=timedelta(minutes=5), invite_id=7)
    db.session.commit()


def _actions(html):
    return re.findall(r"<strong>([^<]+)</strong></p>", html)


def test_audit_search_lists_newest_first_with_masked_subjects_and_words(app, admin, history):
    page = admin.get("/oversight/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _actions(html) == [
        "签发了入职链接",
        "拦截并上报了通行",
        "查看了14天行程",
        "按身份证号核验了人员",
        "查看了14天行程",
    ]
    assert "张*明" in html and "张小明" not in html and "值守1 (关口值守人员)" in html
    assert "黄码复查" in html and "checkpoint_id: 1" in html


def test_audit_search_filters_by_action_actor_subject_and_local_dates(app, admin, history):
    assert _actions(admin.get("/oversight/audit?action=trail").get_data(as_text=True)) == ["查看了14天行程"] * 2
    by_actor = admin.get("/oversight/audit?actor=值守2").get_data(as_text=True)
    assert _actions(by_actor) == ["拦截并上报了通行", "查看了14天行程"]
    assert _actions(admin.get("/oversight/audit?actor=13600000001").get_data(as_text=True)) == [
        "按身份证号核验了人员",
        "查看了14天行程",
    ]
    assert _actions(admin.get("/oversight/audit?subject=赵三亚").get_data(as_text=True)) == [
        "拦截并上报了通行",
        "按身份证号核验了人员",
    ]
    three_days_ago = (clock.local_today() - timedelta(days=3)).isoformat()
    only_then = admin.get(f"/oversight/audit?date_from={three_days_ago}&date_to={three_days_ago}")
    assert _actions(only_then.get_data(as_text=True)) == ["查看了14天行程"]
    today = clock.local_today().isoformat()
    assert len(_actions(admin.get(f"/oversight/audit?date_from={today}").get_data(as_text=True))) >= 1


def test_audit_search_rejects_bad_filters_with_a_message(app, admin):
    bad_date = admin.get("/oversight/audit?date_from=2022-13-45")
    assert bad_date.status_code == 422 and "请输入日期" in bad_date.get_data(as_text=True)
    backwards = admin.get("/oversight/audit?date_from=2022-03-05&date_to=2022-03-01")
    assert backwards.status_code == 422 and "结束日期早于开始日期" in backwards.get_data(as_text=True)
    unknown = admin.get("/oversight/audit?action=drop_table")
    assert unknown.status_code == 422 and "请从列表中选择操作" in unknown.get_data(as_text=True)
    assert admin.get("/oversight/audit?page=abc").status_code == 200
    assert admin.get("/oversight/audit.csv?date_to=nope").status_code == 422


def test_audit_search_pages_fifty_at_a_time(app, admin, history):
    actor = user_id("13600000001")
    for n in range(60):
        entry(actor, "trail", None, why=f"第{n}次", ago=timedelta(days=10, minutes=n))
    db.session.commit()
    first = admin.get("/oversight/audit?action=trail").get_data(as_text=True)
    assert len(_actions(first)) == 50 and "page=2" in first and "action=trail" in first
    second = admin.get("/oversight/audit?action=trail&page=2").get_data(as_text=True)
    assert len(_actions(second)) == 12 and "第59次" in second and "page=1" in second


def test_supervisors_see_entries_about_their_residents_or_by_their_staff(app, supervisor, history):
    html = supervisor.get("/oversight/audit").get_data(as_text=True)
    # Haikou warden's looks (any subject) and Sanya warden's look at a Haikou resident; not Sanya about Sanya,
    # not the admin's enrolment link.
    assert _actions(html) == ["查看了14天行程", "按身份证号核验了人员", "查看了14天行程"]
    assert "红码拦截" not in html and "签发了入职链接" not in html.split("</form>")[-1]


def _csv_rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_has_the_filtered_entries_and_is_itself_audited(app, admin, history):
    response = admin.get("/oversight/audit.csv?action=trail")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["时间", "工作人员", "角色", "操作", "人员", "原因", "详情"]
    assert [row[3] for row in rows[1:]] == ["查看了14天行程"] * 2
    assert {row[4] for row in rows[1:]} == {"张*明"} and "张小明" not in response.get_data(as_text=True)
    assert "'=HYPERLINK(1)" in [row[5] for row in rows[1:]]  # never run as a spreadsheet formula
    export = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert export.actor_id == user_id("13700000001") and export.details["filters"] == {"action": "trail"}
    listed = admin.get("/oversight/audit?action=export").get_data(as_text=True)
    assert "导出了审计日志" in listed and "action=trail" in listed


def test_supervisor_csv_export_is_scoped(app, supervisor, history):
    rows = _csv_rows(supervisor.get("/oversight/audit.csv"))
    # the header, the export itself (by a Haikou supervisor), then the three Haikou entries
    assert [row[3] for row in rows[1:]] == [
        "导出了审计日志",
        "查看了14天行程",
        "按身份证号核验了人员",
        "查看了14天行程",
    ]
    assert "红码拦截" not in {row[5] for row in rows}
    export = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert export.details["area"] == HAIKOU


# --- append-only ---------------------------------------------------------------------------------------------


def test_audit_entries_cannot_be_edited_or_deleted_through_the_session(app, history):
    first = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    first.why = "改写"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, first.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEntry).values(why="改写"))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEntry.__table__))
    db.session.rollback()
    assert db.session.get(AuditEntry, first.id).why == "黄码复查"
    audit.record(first.actor_id, "trail", None, "still appendable")
    db.session.commit()  # adding stays possible, and loading entries without changes flushes fine


def test_retention_purge_keeps_the_audit_log(app, history):
    from app.services.retention import purge

    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entry(user_id("13600000001"), "trail", None, ago=timedelta(days=400))
    db.session.commit()
    purge(28)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before + 1


# --- who may open what ---------------------------------------------------------------------------------------

ENDPOINTS = ["/oversight/", "/oversight/audit", "/oversight/audit.csv"]
ROLES = {"resident": None, "warden": None, "handler": "460105", "supervisor": HAIKOU, "reviewer": None, "admin": None}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("path", ENDPOINTS)
def test_only_admins_and_supervisors_get_in(app, role, path):
    if role == "resident":
        client = app.test_client()
        sign_in(client, "13800000001")
    else:
        client = staff_client(app, role, "13800000001", ROLES[role])
    expected = 200 if role in ("admin", "supervisor") else 403
    assert client.get(path).status_code == expected


def test_there_is_no_way_to_change_entries_over_http(app, admin, history):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert admin.open("/oversight/audit", method=method).status_code == 405
    assert admin.post("/oversight/audit/1/delete").status_code == 404
