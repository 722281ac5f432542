"""Fuzzing every route for every role: malformed JSON, forms, path ids and query strings never get a 5xx, and a
batch stores its good records whatever the bad ones beside them contain.

Routes come from `app.url_map`, so a new route is fuzzed without anyone remembering to add it (or it must be
listed in EXCLUDED with the reason). Examples are derandomized: every run tries the same inputs.
"""

import io
import re
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from app.extensions import db
from app.infra import clock
from app.models import Checkin, Scan
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in, staff_client
from tests.test_scans import make_warden, scan_record

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROLES = ("anonymous", "resident", "warden", "admin", "reviewer", "handler", "supervisor", "clinician", "pharmacist")
# Endpoints not fuzzed, and why (every other route is).
EXCLUDED: dict[str, str] = {}
# Query parameters the views read (besides form fields, which are also tried as query parameters).
QUERY_NAMES = ("for", "page", "area", "lang", "next")

# --- values -----------------------------------------------------------------------------------------------

HUGE_INTS = (2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**12, -(10**12), 10**19, 10**400, -(10**400))
LONG_TEXT = "x" * 140_000
# Values that broke the server before (out-of-range ints, epochs and floats, odd dates, long text), tried often.
NASTY = st.sampled_from(
    [
        *HUGE_INTS,
        float("nan"),
        float("inf"),
        -1e308,
        LONG_TEXT,
        "",
        None,
        True,
        [],
        {},
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "0001-01-01",
        "9999-12-31",
        "1e400",
        "💥",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["9" * 30, "<script>alert(1)</script>", "'; DROP TABLE users; --", "YMT1:a.b.c", "\x00"]),
    st.integers(1_000, 140_000).map(lambda n: "x" * n),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXTS)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _nested(depth: int):
    value: list | dict = []
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


ODD_VALUES = st.one_of(NASTY, NASTY, JSON_VALUES, st.integers(50, 400).map(_nested))


def _leaf_paths(record: dict) -> list[tuple]:
    """Every key of a record, and every key of the objects and lists inside it."""
    paths = [("subject",), ("extra",)]
    for key, value in record.items():
        paths.append((key,))
        if isinstance(value, dict):
            paths.extend((key, inner) for inner in value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            paths.extend((key, 0, inner) for inner in value[0])
    return sorted(set(paths), key=str)


@st.composite
def malformed_records(draw, template):
    """A record as the PWA sends it with a few fields, at any depth, dropped or replaced by odd values."""
    record = template(uuid=str(draw(st.uuids())))
    for path in draw(st.lists(st.sampled_from(_leaf_paths(template())), min_size=1, max_size=3)):
        parent = record
        for step in path[:-1]:  # an earlier change may have replaced the container: then leave it be
            inside = isinstance(parent, dict) and step in parent or isinstance(parent, list) and step < len(parent)
            parent = parent[step] if inside else None
        if not isinstance(parent, dict):
            continue
        if draw(st.integers(0, 4)) == 0:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(ODD_VALUES)
    return record


def _checkin(**fields):
    day = clock.local_today().isoformat()
    return checkin_record(
        arrival={"from_district": "460105", "day": day, "transport": "car"},
        visits=[{"district": "460106", "day": day}],
        **fields,
    )


def _scan(**fields):
    record = scan_record(id_number=ID_NUMBERS[1], offline=("deny", "unknown_person", None), **fields)
    record["offline"]["bundle_iat"] = clock.epoch(clock.now_utc())
    return record


def _fever_visit(**fields):
    from tests.test_clinic import visit_record

    return visit_record("ticket", **fields)


def _observation(**fields):
    from tests.test_clinic import observation_record

    return observation_record("ticket", **fields)


def _drug_sale(**fields):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "drug_sale",
        "ticket": "not-a-ticket",
        "recorded_at": datetime.now(UTC).isoformat(),
        "address": "海口市秀英区滨海大道1号",
        "district": "460105",
        "drugs": [{"name": "止咳糖浆", "quantity": 1}],
        "temperature": 37.5,
        "epidemic_area": False,
        "fever_contact": False,
        "proxy": True,
        "patient_phone": "13912345678",
        "note": "",
        **fields,
    }


RECORDS = st.one_of(
    malformed_records(_checkin),
    malformed_records(_scan),
    malformed_records(_fever_visit),
    malformed_records(_observation),
    malformed_records(_drug_sale),
    ODD_VALUES,
)
JSON_BODIES = st.one_of(
    st.builds(lambda records: {"records": records}, st.lists(RECORDS, max_size=20)),
    st.dictionaries(st.sampled_from(["records", "id_number", "x"]), ODD_VALUES, max_size=2),
    ODD_VALUES,
)


def _form_field_names() -> list[str]:
    """Every field name of every form in the app (forms are found as FlaskForm subclasses)."""
    import app.web  # noqa: F401  (the blueprints import their forms)

    names, classes = set(), [FlaskForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        names.update(name for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField))
    return sorted(names)


FORM_VALUES = st.one_of(TEXTS, st.sampled_from([str(n) for n in HUGE_INTS] + ["0001-01-01", "9999-12-31"]))


def _csv_files():
    long_field = "x" * 140_000
    return st.sampled_from(
        [
            f"doc_number,status,start\n{long_field},confirmed,2026-11-01\n{ID_NUMBERS[0]},确诊,2026-11-01\n",
            f'doc_number,status,start\n"{long_field}\n,confirmed,2026-11-01\n',
            "doc_number,status,start\n" + ID_NUMBERS[0] + ",confirmed,0001-01-01\n",
            "doc_number,status,start,end\n" + ID_NUMBERS[0] + ",confirmed,2026-11-01,9999-12-31\n",
            "\x00\x01,\n",
            "",
        ]
    ) | st.text(max_size=200)


# --- routes -------------------------------------------------------------------------------------------------

ARGUMENT = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")


def _path_value(draw, converter: str, options: str | None) -> str:
    if converter in ("int", "id"):
        value = draw(st.one_of(st.integers(0, 10**25), st.sampled_from(HUGE_INTS[:7]), st.just("9" * 5000)))
        return str(value).lstrip("-")
    if converter == "any":
        return draw(st.sampled_from([option.strip() for option in options.split(",")] + ["other"]))
    return quote(draw(st.text(min_size=1, max_size=40)), safe="")


@st.composite
def requests(draw, rules):
    """(endpoint, method, path, keyword arguments for the test client) for one malformed request."""
    rule = draw(st.sampled_from(rules))
    method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = ARGUMENT.sub(lambda m: _path_value(draw, m.group(1) or "default", m.group(2)), rule.rule)
    names = st.sampled_from(FIELD_NAMES + list(QUERY_NAMES))
    query = draw(st.dictionaries(names, FORM_VALUES, max_size=3))
    request = {"query_string": query}
    if method == "POST" and rule.rule.startswith("/api/"):
        if draw(st.booleans()):
            request["json"] = draw(JSON_BODIES)
        else:
            request.update(data=draw(st.binary(max_size=50)), content_type="application/json")
    elif method == "POST":
        data = draw(st.dictionaries(names, FORM_VALUES, max_size=5))
        if rule.endpoint == "authority.control_list":
            data["file"] = (io.BytesIO(draw(_csv_files()).encode("utf-8", "surrogatepass")), "list.csv")
        request["data"] = data
    return rule.endpoint, method, path, request


FIELD_NAMES = _form_field_names()


def _fuzzed_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXCLUDED]


def test_every_route_is_fuzzed_or_excluded_with_a_reason(app):
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert set(EXCLUDED) <= {rule.endpoint for rule in app.url_map.iter_rules()}, "EXCLUDED names a route no more"
    assert _fuzzed_rules(app), "nothing to fuzz"


@pytest.fixture
def clients(app):
    """A client per role (signed out, a resident with a profile, a warden at a checkpoint, and staff)."""
    resident = app.test_client()
    sign_in(resident, "13500000001")
    fill_profile(resident)
    made = {"anonymous": app.test_client(), "resident": resident, "warden": make_warden(app, "13500000002")}
    for number, (role, area) in enumerate(
        (
            ("admin", None),
            ("reviewer", None),
            ("handler", "460105"),
            ("supervisor", "460100"),
            ("clinician", None),
            ("pharmacist", None),
        ),
        start=3,
    ):
        made[role] = staff_client(app, role, f"1350000000{number}", area)
    return made


def _send(client, method, path, request):
    """Send one request and keep the client's session as it was (signing out or in must not change its role)."""
    saved = {name: client.get_cookie(name) for name in ("session", "remember_token")}
    try:
        response = client.open(path, method=method, **request)
        response.get_data()  # read, then close: a file sent from disk stays open until its answer is closed
        response.close()
        return response
    finally:
        for name, cookie in saved.items():
            if cookie is None:
                client.delete_cookie(name)
            else:
                client.set_cookie(name, cookie.value)


def _plain_path(rule, value="1") -> str:
    """The rule's path with `value` for ids and the first option or a word for other arguments."""
    return ARGUMENT.sub(
        lambda m: value if m.group(1) in ("int", "id") else (m.group(2) or "x").split(",")[0].strip(), rule.rule
    )


def _reachable(client, rules) -> list:
    """The rules whose view this client gets past the role check of (the others answer before reading input)."""
    found = []
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = _send(client, method, _plain_path(rule), {})
            location = response.headers.get("Location", "")
            if response.status_code not in (401, 403) and not location.startswith("/auth/sign-in"):
                found.append(rule)
                break
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_malformed_request_gets_a_5xx(app, clients, role):
    client = clients[role]
    rules = _reachable(client, _fuzzed_rules(app))

    @FUZZ
    @given(requests(rules))
    def check(request):
        endpoint, method, path, kwargs = request
        response = _send(client, method, path, kwargs)
        assert response.status_code < 500, (role, endpoint, method, path, response.get_data(as_text=True)[:300])
        db.session.rollback()  # what a request left in the test's session is not the next one's business

    check()


def test_every_route_answers_out_of_range_ids_with_a_4xx(app, clients):
    """Each route once per role with ids past what a database id holds in its path and query (no example may skip it)."""
    problems = []
    for rule in _fuzzed_rules(app):
        for value in ("2147483648", "9223372036854775808", "1" + "0" * 400):
            path = _plain_path(rule, value)
            for role, client in clients.items():
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    data = {"subject": value} if method == "POST" else None
                    response = _send(
                        client, method, path, {"query_string": {"for": value, "page": value}, "data": data}
                    )
                    if response.status_code >= 500:
                        problems.append((role, method, path, response.status_code))
    assert not problems, "\n".join(map(str, problems))


# --- batches: the good records are stored whatever the bad ones contain ---------------------------------


@FUZZ
@given(bad=st.lists(malformed_records(_checkin) | ODD_VALUES, min_size=10, max_size=25), at=st.integers(0, 25))
def test_a_checkin_batch_stores_its_good_records_beside_any_bad_one(resident, bad, at):
    good = [checkin_record(), checkin_record()]
    records = bad[:at] + good + bad[at:]
    response = resident.post("/api/checkins/batch", json={"records": records})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert len(results) == len(records)
    assert {r["status"] for r in results} <= {"stored", "invalid", "duplicate", "conflict"}
    stored = set(db.session.scalars(select(Checkin.uuid).where(Checkin.uuid.in_([r["uuid"] for r in good]))))
    assert stored == {r["uuid"] for r in good}
    assert [results[records.index(r)]["status"] for r in good] == ["stored", "stored"]


@pytest.fixture
def warden(app):
    return make_warden(app)


@FUZZ
@given(bad=st.lists(malformed_records(_scan) | ODD_VALUES, min_size=10, max_size=25), at=st.integers(0, 25))
def test_a_scan_batch_stores_its_good_records_beside_any_bad_one(warden, bad, at):
    good = [_scan(uuid=str(uuid.uuid4())), _scan(uuid=str(uuid.uuid4()), scanned_at=datetime.now(UTC).isoformat())]
    records = bad[:at] + good + bad[at:]
    response = warden.post("/api/scans/batch", json={"records": records})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert len(results) == len(records)
    stored = set(db.session.scalars(select(Scan.uuid).where(Scan.uuid.in_([r["uuid"] for r in good]))))
    assert stored == {r["uuid"] for r in good}
    assert [results[records.index(r)]["status"] for r in good] == ["stored", "stored"]
