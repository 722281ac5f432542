"""Demo data: a resident for each colour, made through the same services real users go through."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.infra import clock, keys
from app.models import User
from app.services.checkins import store_checkins
from app.services.enrolment import enrol_warden, make_staff
from app.services.imports import import_control_list
from app.services.profiles import save_profile

DEMO_WARDEN_PHONE = "13900000000"
DEMO_STAFF = [
    # phone, name, role, area, where they start
    ("13700000000", "陈管理", "admin", None, "/authority/"),
    ("13700000001", "周审核", "reviewer", None, "/authority/appeals"),
    ("13700000002", "吴审核", "reviewer", None, "/authority/overrides (the second pair of eyes)"),
    ("13700000003", "林网格", "handler", "460105", "/reports/inbox"),
    ("13700000004", "黄监督", "supervisor", "460100", "/reports/inbox, /oversight/"),
    ("13700000005", "陈医生", "clinician", None, "/clinic/"),
    ("13700000006", "何药师", "pharmacist", None, "/pharmacy/"),
]
DEMO_INSTITUTIONS = {  # the institution each demo clinician or pharmacist works at
    "clinician": {
        "kind": "fever_clinic",
        "name": "海口市人民医院发热门诊",
        "district": "460106",
        "address": "海南省海口市龙华区人民大道 43 号",
        "licence_number": "",
    },
    "pharmacist": {
        "kind": "pharmacy",
        "name": "益康大药房长滨路店",
        "district": "460105",
        "address": "海南省海口市秀英区长滨路 12 号",
        "licence_number": "琼AA8980001",
    },
}

DEMO_RESIDENTS = [
    # phone, name, ID number, what they declare, colour expected
    ("13800000001", "王小明", "460105199003071239", {"temperature": 36.5}, "green"),
    ("13800000002", "李秀英", "460106198511124562", {"temperature": 37.8, "symptoms": ["dry_cough"]}, "yellow"),
    ("13800000003", "张建国", "460107197205207898", {"temperature": 36.6}, "red"),
]


def seed() -> list[str]:
    """Create the demo residents if missing; returns lines to print."""
    keys.ensure_key()
    now = clock.now_utc()
    lines = []
    for phone, name, id_number, answers, expected in DEMO_RESIDENTS:
        user, new = _account(phone, now)
        if new:
            declare(user, name, id_number, answers, now, close_contact=expected == "red", source="demo")
            db.session.refresh(user)
        lines.append(f"{phone}  {name}  {user.colour}")
    warden, new = _account(DEMO_WARDEN_PHONE, now)
    if new:
        enrol_warden(
            warden,
            "赵值守",
            checkpoint={
                "name": "长滨路社区卡口",
                "kind": "community_gate",
                "address": "海南省海口市秀英区长滨路 8 号",
                "district": "460105",
            },
        )
    lines.append(f"{DEMO_WARDEN_PHONE}  {warden.name}  warden at {warden.checkpoint.name} (scanner: /warden/scan)")
    for phone, name, role, area, start in DEMO_STAFF:
        member, new = _account(phone, now)
        if new:
            make_staff(member, role, name, area, DEMO_INSTITUTIONS.get(role))
        lines.append(f"{phone}  {name}  {role}{' for ' + area if area else ''} ({start})")
    lines.extend(_demo_enterprise())
    return ["Demo accounts (sign in with the phone number; the SMS code appears at /dev/outbox):", *lines]


def declare(user: User, name: str, id_number: str, answers: dict, now, close_contact: bool, source: str) -> None:
    """A new account's real-name profile and today's check-in with `answers` (a close contact on the control
    list as of two days ago first, if `close_contact`), through the same services as a real resident's."""
    save_profile(
        user,
        name=name,
        address="海南省海口市滨海大道 1 号",
        district="460105",
        doc_kind="resident_id",
        doc_number=id_number,
    )
    if close_contact:
        import_control_list(
            f"doc_number,status,start\n{id_number},close_contact,{clock.local_today() - timedelta(days=2)}\n",
            source=source,
        )
    store_checkins(
        user,
        user,
        [
            {
                "uuid": str(uuid.uuid4()),
                "checked_at": now.isoformat() + "Z",
                "district": "460105",
                "symptoms": [],
                "visits": [],
                "contact_with_cases": False,
                **answers,
            }
        ],
    )


def _account(phone: str, now) -> tuple[User, bool]:
    """The account with this phone number, made as a resident's if missing; and whether it is new."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is not None:
        return user, False
    user = User(phone=phone, role="resident", created_at=now)
    db.session.add(user)
    db.session.flush()
    return user, True


def _demo_enterprise() -> list[str]:
    """王小明 heads an approved enterprise with two employees (one 黄码, who may not work today) and a second
    enterprise waiting for review, through the same services as real heads and reviewers."""
    from app.services.enterprises import declarations, employees

    head = db.session.scalar(select(User).where(User.phone == DEMO_RESIDENTS[0][0]))
    admin = db.session.scalar(select(User).where(User.phone == DEMO_STAFF[0][0]))
    if not declarations.enterprises_of(head.id):
        firm = declarations.register(
            head,
            declarations.Declaration(
                name="海口椰风食品有限公司",
                credit_code="91460100MA5T2A3BXF",
                district="460105",
                address="海南省海口市秀英区长滨路 8 号",
                industry="C",
                scale="small",
                employees=25,
                contact_name="王小明",
                contact_phone=DEMO_RESIDENTS[0][0],
                measures="入口测温、佩戴口罩、每日通风消毒、错峰就餐，专人负责防控",
            ),
        )
        declarations.decide(admin, firm, "approved", "")
        for phone, *_ in DEMO_RESIDENTS[:2]:
            person = db.session.scalar(select(User).where(User.phone == phone))
            employees.register(
                person, firm, returned_from="460106", returned_on=clock.local_today(), department="生产车间"
            )
        declarations.register(
            head,
            declarations.Declaration(
                name="秀英区小明早餐店",
                credit_code="92460100MA5T2A3BXC",
                district="460105",
                address="海南省海口市秀英区长滨路 10 号",
                industry="H",
                scale="individual",
                employees=3,
                contact_name="王小明",
                contact_phone=DEMO_RESIDENTS[0][0],
                measures="顾客扫码测温，店员每日健康打卡，餐具消毒",
            ),
        )
    return [
        f"{DEMO_RESIDENTS[0][0]}  also heads 海口椰风食品有限公司 (/enterprise/: approved, 李秀英 黄码 on its roster may"
        " not work today); 秀英区小明早餐店 waits for review (/enterprise/review/)"
    ]
