"""`flask seed-demo`, which `make run` uses: the demo accounts the README lists, and they work."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.helpers import sign_in


def test_the_demo_accounts_are_made_once_and_sign_in_with_their_colours(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for line in (
        "13800000001  王小明  green",
        "13800000002  李秀英  yellow",
        "13800000003  张建国  red",
        "13900000000  赵值守  warden",
        "13700000000  陈管理  admin",
        "13700000003  林网格  handler for 460105",
        "13700000004  黄监督  supervisor for 460100",
        "13700000005  陈医生  clinician (/clinic/)",
        "13700000006  何药师  pharmacist (/pharmacy/)",
        "13800000001  also heads 海口椰风食品有限公司",
    ):
        assert line in first.output, first.output
    people = db.session.scalar(select(func.count()).select_from(User))

    again = runner.invoke(args=["seed-demo"])  # `make run` runs it on every start
    assert again.exit_code == 0 and again.output == first.output
    assert db.session.scalar(select(func.count()).select_from(User)) == people

    for phone, colour in (("13800000001", "green"), ("13800000002", "yellow"), ("13800000003", "red")):
        resident = app.test_client()
        sign_in(resident, phone)
        assert resident.get("/api/code").get_json()["colour"] == colour
    warden = app.test_client()
    sign_in(warden, "13900000000")
    assert warden.get("/warden/scan").status_code == 200
    for phone, desk, institution in (
        ("13700000005", "/clinic/", "海口市人民医院发热门诊"),
        ("13700000006", "/pharmacy/", "益康大药房长滨路店"),
    ):
        staff = app.test_client()
        sign_in(staff, phone)
        assert institution in staff.get(desk).get_data(as_text=True)
    head = app.test_client()
    sign_in(head, "13800000001")
    roster = head.get("/enterprise/").get_data(as_text=True)
    assert "海口椰风食品有限公司" in roster and "秀英区小明早餐店" in roster
