"""The daily full recompute: only people whose facts changed get a new colour; worse colours revoke codes."""

import json
import uuid
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import event, func, select

from app.domain.idcard import check_character
from app.domain.scanning import jti_hash
from app.extensions import db
from app.infra import clock
from app.infra.documents import doc_hash
from app.models import Checkin, ControlEntry, IssuedCode, RiskArea, User, Verdict, Visit
from app.services import colours as colour_service
from app.services.colours import Recoloured, candidates, facts_query, recolour, recolour_all, recolouring, rule_sets
from tests.helpers import fill_profile, sign_in, staff_client


def id_number(serial: int) -> str:
    """A valid resident ID number born 1990-01-01 (the serial makes it unique)."""
    first17 = f"46010519900101{serial:03d}"
    return first17 + check_character(first17)


def person(app, phone: str, serial: int, district: str = "460105"):
    """A signed-in resident with a profile; returns (client, user)."""
    client = app.test_client()
    sign_in(client, phone)
    fill_profile(client, doc_number=id_number(serial), district=district)
    return client, db.session.scalar(select(User).where(User.phone == phone))


def stored_checkin(user: User, day, moment, **fields) -> Checkin:
    """A check-in row as a synced batch stores it, checked and received at `moment`; healthy, at home in
    460105 unless `fields` say otherwise."""
    defaults = {"district": "460105", "temperature": 36.5, "symptoms": [], "contact_with_cases": False}
    return Checkin(
        uuid=str(uuid.uuid4()),
        payload_hash="x",
        user_id=user.id,
        submitted_by_id=user.id,
        day=day,
        checked_at=moment,
        received_at=moment,
        **{**defaults, **fields},
    )


def check_in(user: User, days_ago, district: str = "460105", temperature: float = 36.5, visit=None) -> None:
    """Check-ins stored straight in the database, as if synced earlier (no recolouring here)."""
    today, now = clock.local_today(), clock.now_utc()
    for ago in days_ago:
        day = today - timedelta(days=ago)
        moment = now if ago == 0 else clock.local_midnight_utc(day) + timedelta(hours=12)
        checkin = stored_checkin(user, day, moment, district=district, temperature=temperature)
        if visit:
            checkin.visits = [Visit(user_id=user.id, district=visit[0], day=today - timedelta(days=visit[1]))]
        db.session.add(checkin)
        if user.last_checkin_at is None or moment > user.last_checkin_at:
            user.last_checkin_at = moment
    db.session.commit()


def control(user: User, serial: int, status: str, start_ago: int, end_ago: int | None = None) -> ControlEntry:
    today = clock.local_today()
    entry = ControlEntry(
        doc_kind="resident_id",
        doc_hash=doc_hash("resident_id", id_number(serial)),
        status=status,
        start=today - timedelta(days=start_ago),
        end=None if end_ago is None else today - timedelta(days=end_ago),
        created_at=clock.now_utc(),
        source="test",
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def verdicts_of(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Verdict).where(Verdict.user_id == user.id))


def bundle_revocations(client) -> list[str]:
    """The trust bundle's revoked jti hashes, after checking its signature against the JWKS."""
    bundle = client.get("/api/trust-bundle").get_json()["bundle"]
    header = jwt.get_unverified_header(bundle)
    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    key = jwt.PyJWK.from_dict(next(k for k in jwks if k["kid"] == header["kid"])).key
    return jwt.decode(bundle, key, algorithms=["ES256"])["revoked"]


@pytest.fixture
def town(app, monkeypatch):
    """Seven residents with stored verdicts that match their facts, then facts changed behind their backs."""
    people = {}
    people["alice"] = person(app, "13900000001", 1)  # green in Haikou; Haikou becomes a risk area
    people["bob"] = person(app, "13900000002", 2, "110101")  # green in Beijing; nothing changes
    people["carol"] = person(app, "13900000003", 3, "310101")  # red close contact; the entry's end passes
    people["dave"] = person(app, "13900000004", 4, "310101")  # yellow after a fever; 7th healthy check-in
    people["erin"] = person(app, "13900000005", 5, "110101")  # red, confirmed case; nothing changes
    people["frank"] = person(app, "13900000006", 6)  # green, stopped checking in a month ago
    people["gina"] = person(app, "13900000007", 7, "110101")  # green in Beijing, visited Haikou 3 days ago
    users = {name: user for name, (_, user) in people.items()}
    check_in(users["alice"], range(0, 3))
    check_in(users["bob"], range(0, 3), district="110101")
    carol_entry = control(users["carol"], 3, "close_contact", start_ago=20)
    check_in(users["carol"], range(1, 15), district="310101")
    check_in(users["dave"], [8], district="310101", temperature=38.4)
    check_in(users["dave"], range(2, 8), district="310101")
    control(users["erin"], 5, "confirmed", start_ago=3)
    check_in(users["erin"], range(0, 3), district="110101")
    check_in(users["gina"], [0], district="110101", visit=("460106", 3))
    check_in(users["gina"], [1, 2], district="110101")

    check_in(users["frank"], [30])  # a month ago frank was green; his verdict is from then
    month_ago = clock.now_utc() - timedelta(days=26)
    with monkeypatch.context() as m:
        m.setattr(clock, "now_utc", lambda: month_ago)
        recolour([users["frank"].id], trigger="checkin")
    recolour([u.id for n, u in users.items() if n != "frank"], trigger="checkin")
    db.session.commit()
    assert {n: u.colour for n, u in users.items()} == {
        "alice": "green",
        "bob": "green",
        "carol": "red",
        "dave": "yellow",
        "erin": "red",
        "frank": "green",
        "gina": "green",
    }
    codes_before = {
        name: client.get("/api/code").get_json()["jti"]
        for name, (client, _) in people.items()
        if name in ("alice", "bob", "gina")
    }
    for name in ("bob", "erin"):
        users[name].evaluated_on = clock.local_today() - timedelta(days=1)

    # The facts change without anyone being recoloured:
    db.session.add(
        RiskArea(
            district="460100",
            level="high",
            start=clock.local_today() - timedelta(days=5),
            created_at=clock.now_utc(),
            source="test",
        )
    )  # all of Haikou (a city code)
    carol_entry.end = clock.local_today() - timedelta(days=15)
    db.session.commit()
    check_in(users["dave"], [1], district="310101")  # seven healthy check-ins since the fever
    return people, users, codes_before


def test_recolour_all_recolours_exactly_the_people_whose_facts_changed(app, town):
    people, users, _ = town
    before = {name: (user.verdict_id, verdicts_of(user)) for name, user in users.items()}
    assert set(candidates()) == {users[n].id for n in ("alice", "carol", "dave", "erin", "frank", "gina")}

    result = recolour_all()
    db.session.commit()

    assert result == Recoloured(changed=5, worsened=2, improved=2, evaluated=6)
    assert {n: u.colour for n, u in users.items()} == {
        "alice": "yellow",
        "bob": "green",
        "carol": "green",
        "dave": "green",
        "erin": "red",
        "frank": None,
        "gina": "yellow",
    }
    for name in ("alice", "carol", "dave", "frank", "gina"):
        assert verdicts_of(users[name]) == before[name][1] + 1
        verdict = db.session.get(Verdict, users[name].verdict_id)
        assert verdict.trigger == "daily" and verdict.colour == users[name].colour
    for name in ("bob", "erin"):  # untouched: no new verdict
        assert (users[name].verdict_id, verdicts_of(users[name])) == before[name]
    # Neither row was rewritten (erin was evaluated, bob not even that); each is re-evaluated alone on
    # their first code request today, which changes nothing either.
    yesterday = clock.local_today() - timedelta(days=1)
    assert users["erin"].evaluated_on == yesterday and users["bob"].evaluated_on == yesterday
    for name in ("bob", "erin"):
        assert people[name][0].get("/api/code").status_code == 200
        assert users[name].evaluated_on == clock.local_today()
        assert (users[name].verdict_id, verdicts_of(users[name])) == before[name]
    # The inputs snapshot names the risk area and the facts that led to the colour.
    inputs = db.session.get(Verdict, users["alice"].verdict_id).inputs
    assert inputs["risk_areas"] == ["460100:high"] and len(inputs["facts"]["checkins"]) == 3

    again = recolour_all()
    assert (again.changed, again.worsened, again.improved) == (0, 0, 0)


def test_worse_colours_revoke_codes_and_the_trust_bundle_lists_them(app, town):
    people, users, codes_before = town
    recolour_all()
    db.session.commit()

    for name in ("alice", "gina"):
        code = db.session.get(IssuedCode, codes_before[name])
        assert code.revoked_at is not None and code.revoked_reason == "colour_changed"
    assert db.session.get(IssuedCode, codes_before["bob"]).revoked_at is None
    warden = staff_client(app, "warden", "13700000001")
    revoked = bundle_revocations(warden)
    assert {jti_hash(codes_before["alice"]), jti_hash(codes_before["gina"])} <= set(revoked)
    assert jti_hash(codes_before["bob"]) not in revoked


@pytest.mark.sqlite
def test_revoking_codes_and_listing_revocations_go_through_indexes_not_every_valid_code(app, town):
    """Every resident holds a code a day: revoking a few people's, or listing the revoked ones for the trust
    bundle, must not walk all of them (SQLite's plan for each statement the app sends about revocations)."""
    people, users, codes_before = town
    sent = []

    def note(connection, cursor, statement, parameters, context, executemany):
        if "code_revocations" in statement and not executemany:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        recolour_all()
        db.session.commit()
        bundle_revocations(staff_client(app, "warden", "13700000001"))
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    revoking = [(sql, params) for sql, params in sent if sql.lstrip().startswith("INSERT INTO code_revocations")]
    listing = [(sql, params) for sql, params in sent if sql.lstrip().startswith("SELECT code_revocations.jti")]
    assert revoking and listing
    for (sql, params), index in [
        *((statement, "ix_codes_user_expires") for statement in revoking),
        *((statement, "ix_code_revocations_expires_at") for statement in listing),
    ]:
        plan = " / ".join(
            row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        )
        assert "SCAN issued_codes" not in plan and "SCAN code_revocations" not in plan, plan
        assert index in plan, plan


def test_residents_see_the_new_colour_and_reason_when_next_online(app, town):
    people, users, codes_before = town
    recolour_all()
    db.session.commit()

    alice = people["alice"][0]
    view = alice.get("/api/code").get_json()
    assert view["colour"] == "yellow" and view["jti"] != codes_before["alice"]
    reasons = {reason["rule_id"]: reason["text"] for reason in view["reasons"]}
    assert reasons["area.current"] == "最近打卡所在地区为中高风险地区"
    carol = people["carol"][0].get("/api/code").get_json()
    assert carol["colour"] == "green" and carol["reasons"] == []


def test_recolour_in_small_chunks_gives_the_same_result(app, town, monkeypatch):
    people, users, _ = town
    monkeypatch.setattr(recolouring, "CHUNK", 2)
    assert recolour_all() == Recoloured(changed=5, worsened=2, improved=2, evaluated=6)


def test_nothing_to_do_when_nothing_changed(app):
    client, user = person(app, "13900000001", 1)
    check_in(user, range(0, 3))
    recolour([user.id], trigger="checkin")
    db.session.commit()
    assert candidates() == []
    assert recolour_all() == Recoloured()


def test_the_cli_command_runs_the_full_recompute(app):
    client, user = person(app, "13900000001", 1)
    check_in(user, range(0, 3))
    recolour([user.id], trigger="checkin")
    db.session.add(
        RiskArea(
            district="460105", level="medium", start=clock.local_today(), created_at=clock.now_utc(), source="test"
        )
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["recompute"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("evaluated 1, changed 1, worsened 1, improved 0 in ")
    db.session.expire_all()
    person_now = db.session.get(User, user.id)
    assert person_now.colour == "yellow"
    assert db.session.get(Verdict, person_now.verdict_id).reasons[0]["rule_id"] == "area.current"


def test_a_verdicts_inputs_are_stored_exactly_as_the_facts_it_was_computed_from():
    """The inputs text is put together from pieces worked out once per distinct check-in; it must say exactly
    what the facts say, for every kind of fact."""
    from datetime import date, timedelta

    from app.domain import colours as engine

    day = date(2026, 11, 20)
    facts = [
        engine.Facts(()),
        engine.Facts(
            (
                engine.CheckinFact(day=day, district="460105", temperature=36.5),
                engine.CheckinFact(day=day, district="460105", temperature=36.5),
            )
        ),  # the same twice
        engine.Facts(
            (
                engine.CheckinFact(
                    day=day,
                    district="110101",
                    temperature=None,
                    symptoms=("fever", "cough"),
                    visits=(engine.VisitFact("460106", day), engine.VisitFact("469006", day)),
                    contact_with_cases=True,
                    arrival=engine.Arrival("420102", day, "火车 G1234"),
                ),
            ),
            control=(engine.ControlFact("close_contact", day), engine.ControlFact("confirmed", day, day)),
            overrides=(engine.OverrideFact("green", "data_correction", day, day),),
        ),
        engine.Facts(
            (engine.CheckinFact(day=day, district="460105", temperature=36.5),),
            checkin_days=(day - timedelta(days=2), day - timedelta(days=1), day),
        ),
    ]
    # Check-in days as read from the database: ISO dates in any order, a day possibly twice.
    read = facts_query._Days()
    days = read("2026-11-20,2026-11-18,2026-11-19,2026-11-20")
    assert days == (day - timedelta(days=2), day - timedelta(days=1), day)
    assert read("2026-11-18") == (day - timedelta(days=2),)
    facts += [
        engine.Facts(facts[-1].checkins, checkin_days=days),
        engine.Facts(facts[-1].checkins, checkin_days=read("2026-11-18")),
    ]
    for labels in ([], ["460100:high", "469006:medium"]):
        text = recolouring._InputsJSON(labels)
        for person in facts * 2:  # the second time from what was worked out the first
            expected = {"facts": engine.facts_to_dict(person), "risk_areas": labels}
            assert text(person) == engine.to_json(expected)
            assert json.loads(text(person)) == expected


def test_recolouring_reads_just_enough_of_each_check_in_to_give_the_engines_verdict(app):
    """Recolouring reads in full only the check-ins a rule may read more than the day of (and the days of
    the rest): for a random town with a month of check-ins, every stored verdict is the one the engine
    gives on all of each person's facts."""
    import random

    from app.domain import colours as engine

    rng = random.Random(20261122)
    today, now = clock.local_today(), clock.now_utc()
    window_start = colour_service.facts_window_start(today)
    counties = ("460105", "460106", "110101", "420102")
    for district, level, start, end in (
        ("460105", "high", 3, None),
        ("460106", "medium", 20, 12),
        ("420100", "high", 40, 2),
    ):
        db.session.add(
            RiskArea(
                district=district,
                level=level,
                start=today - timedelta(days=start),
                end=None if end is None else today - timedelta(days=end),
                created_at=now,
                source="test",
            )
        )
    people = []
    for serial in range(60):
        user = User(
            phone=f"139100{serial:05d}",
            role="resident",
            created_at=now,
            doc_kind="resident_id",
            doc_hash=doc_hash("resident_id", id_number(serial)),
        )
        db.session.add(user)
        db.session.flush()
        people.append(user)
        home = rng.choice(counties)
        for ago in sorted(rng.sample(range(32), rng.randint(0, 28)), reverse=True):
            day = today - timedelta(days=ago)
            checkin = Checkin(
                uuid=str(uuid.uuid4()),
                payload_hash="x",
                user_id=user.id,
                submitted_by_id=user.id,
                day=day,
                checked_at=clock.local_midnight_utc(day) + timedelta(hours=8),
                received_at=now,
                district=home if rng.random() < 0.9 else rng.choice(counties),
                temperature=rng.choice([36.2, 36.6, 37.0, 37.3, 38.1]) if rng.random() < 0.3 else 36.5,
                symptoms=rng.choice([["dry_cough"], ["headache"]]) if rng.random() < 0.05 else [],
                contact_with_cases=rng.random() < 0.02,
                arrival_from=rng.choice(["420102", "460202"]) if rng.random() < 0.03 else None,
            )
            if checkin.arrival_from:
                checkin.arrival_day, checkin.arrival_transport = day, "火车"
            if rng.random() < 0.08:
                checkin.visits = [
                    Visit(
                        user_id=user.id,
                        district=rng.choice(("460105", "460106")),
                        day=day - timedelta(days=rng.randint(0, 5)),
                    )
                ]
            db.session.add(checkin)
        if rng.random() < 0.1:
            db.session.add(
                ControlEntry(
                    doc_kind="resident_id",
                    doc_hash=user.doc_hash,
                    status="close_contact",
                    start=today - timedelta(days=rng.randint(5, 25)),
                    end=today - timedelta(days=rng.randint(0, 4)),
                    created_at=now,
                    source="test",
                )
            )
    db.session.commit()

    recolour([p.id for p in people], trigger="checkin")
    db.session.commit()

    areas = colour_service.active_risk_areas(today, window_start)
    evaluated = read_in_part = 0
    for user in people:
        checkins = db.session.scalars(
            select(Checkin).where(Checkin.user_id == user.id, Checkin.day.between(window_start, today))
        ).all()
        entries = db.session.scalars(select(ControlEntry).where(ControlEntry.doc_hash == user.doc_hash)).all()
        facts = engine.Facts(
            checkins=tuple(
                engine.CheckinFact(
                    day=c.day,
                    district=c.district,
                    temperature=c.temperature,
                    symptoms=tuple(c.symptoms),
                    visits=tuple(engine.VisitFact(v.district, v.day) for v in c.visits if v.day >= window_start),
                    contact_with_cases=c.contact_with_cases,
                    arrival=engine.Arrival(c.arrival_from, c.arrival_day, c.arrival_transport)
                    if c.arrival_from
                    else None,
                )
                for c in checkins
            ),
            control=tuple(engine.ControlFact(e.status, e.start, e.end) for e in entries),
        )
        expected = engine.evaluate(facts, colour_service.rule_set(), areas, today)
        if expected.colour is None:  # nothing in the window: no colour
            assert user.colour is None
            continue
        stored = db.session.get(Verdict, user.verdict_id)
        assert (user.colour, stored.reasons, stored.may_turn_green_on, stored.healthy_streak) == (
            expected.colour,
            [r.to_dict() for r in expected.reasons],
            expected.may_turn_green_on,
            expected.healthy_streak,
        ), user.id
        snapshot = stored.inputs["facts"]
        assert snapshot["checkin_days"] == sorted({c.day.isoformat() for c in checkins})
        evaluated += 1
        read_in_part += len(snapshot["checkins"]) < len(checkins)
    assert {p.colour for p in people} == {"green", "yellow", "red", None}
    assert evaluated > 40 and read_in_part > 30


def test_the_prefilter_finds_check_ins_that_may_trigger_a_rule_through_their_own_index(app, town, monkeypatch):
    """With a month of daily check-ins the window holds 28 for each resident; the prefilter must not read
    them all to find the few with a fever, symptom, contact or arrival. A rule set whose fever threshold
    is below the index's still finds its fevers (by reading the window)."""
    people, users, _ = town
    sent = []

    def note(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT checkins.user_id") and "temperature" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        found = candidates()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert users["dave"].id in found  # his fever 8 days ago
    [(sql, params)] = sent
    if db.engine.dialect.name == "sqlite":  # PostgreSQL plans by statistics: a small town is read whole
        plan = " / ".join(
            row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        )
        assert "ix_checkins_may_trigger" in plan and "SCAN checkins" not in plan, plan

    # 36.9 °C is no fever under the shipped rules, and not in the index; a rule set that calls it one finds it.
    from app.domain import colours as engine

    bob = users["bob"]
    check_in(bob, [0], district="110101", temperature=36.9)
    assert bob.id not in candidates()
    shipped = json.loads(engine.DEFAULT_RULES.read_text(encoding="utf-8"))
    strict = engine.parse_rule_set({**shipped, "fever_threshold_c": 36.8})
    monkeypatch.setattr(rule_sets, "rule_set", lambda: strict)
    assert bob.id in candidates()


def test_with_more_risk_areas_than_one_query_can_name_every_check_in_is_read_in_full(app, town, monkeypatch):
    """Past AREAS_PER_QUERY risk areas recolouring reads every check-in in full: the same verdicts."""
    people, users, _ = town
    db.session.add(
        RiskArea(
            district="650102",
            level="medium",
            start=clock.local_today() - timedelta(days=2),
            created_at=clock.now_utc(),
            source="test",
        )
    )  # one more, where nobody was
    db.session.commit()

    def recoloured():
        recolour_all()
        verdicts = {name: db.session.get(Verdict, user.verdict_id) for name, user in users.items()}
        found = {
            name: (user.colour, verdicts[name].reasons, len(verdicts[name].inputs["facts"]["checkins"]))
            for name, user in users.items()
        }
        db.session.rollback()
        return found

    usual = recoloured()
    monkeypatch.setattr(facts_query, "AREAS_PER_QUERY", 1)
    in_full = recoloured()
    assert {name: found[:2] for name, found in in_full.items()} == {name: found[:2] for name, found in usual.items()}
    assert (usual["carol"][2], in_full["carol"][2]) == (1, 14)  # her latest alone, or all 14 of her check-ins


def test_the_trigger_predicate_is_one_in_python_sql_and_the_index(app):
    """The engine's check, the prefilter's SQL and the partial index say the same: for check-ins with every
    combination of what may trigger a rule, SQL finds exactly those the Python check finds, and the model's
    index predicate is the text the migration built the index with (SQLite uses it only if they match)."""
    import importlib.util
    from pathlib import Path

    from app.domain import colours as engine
    from app.models.checkin import FEVER_FLOOR_C, MAY_TRIGGER, may_trigger

    migration = Path(__file__).resolve().parents[1] / "migrations/versions/b5d2e8f1c3a7_checkins_that_may_trigger.py"
    spec = importlib.util.spec_from_file_location("may_trigger_migration", migration)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.MAY_TRIGGER.text == MAY_TRIGGER.text == may_trigger(FEVER_FLOOR_C).text

    _, user = person(app, "13900000001", 1)
    today, now = clock.local_today(), clock.now_utc()
    cases = {}
    for temperature in (None, 36.5, 37.0, 37.3, 38.0):
        for symptoms in ([], ["headache"]):
            for contact in (False, True):
                for arrival in (None, "420102"):
                    checkin = stored_checkin(
                        user,
                        today,
                        now,
                        temperature=temperature,
                        symptoms=symptoms,
                        contact_with_cases=contact,
                        arrival_from=arrival,
                        arrival_day=today if arrival else None,
                        arrival_transport="火车" if arrival else None,
                    )
                    db.session.add(checkin)
                    db.session.flush()
                    cases[checkin.id] = engine.CheckinFact(
                        day=today,
                        district="460105",
                        temperature=temperature,
                        symptoms=tuple(symptoms),
                        contact_with_cases=contact,
                        arrival=engine.Arrival(arrival, today, "火车") if arrival else None,
                    )
    for threshold in (FEVER_FLOOR_C, 37.3, 36.8):
        found = set(db.session.scalars(select(Checkin.id).where(may_trigger(threshold))))
        expected = {key for key, fact in cases.items() if engine.may_trigger(fact, threshold)}
        assert found == expected and 0 < len(found) < len(cases), threshold


def test_pausing_the_cycle_collector_changes_no_verdict(app, town, monkeypatch):
    """Recolouring pauses Python's cycle collector (and restores it); without the pause the stored verdicts
    are the same."""
    import contextlib
    import gc

    people, users, _ = town

    def recoloured():
        result = recolour_all()
        assert gc.isenabled()
        found = {
            name: (user.colour, db.session.get(Verdict, user.verdict_id).reasons, user.evaluated_on)
            for name, user in users.items()
        }
        db.session.rollback()
        return result, found

    paused = recoloured()
    monkeypatch.setattr(recolouring, "_cycle_collector_paused", contextlib.nullcontext)
    assert recoloured() == paused


def test_a_verdicts_reasons_are_stored_exactly_as_the_canonical_encoder_writes_them():
    """Each reason's JSON is worked out once per recolouring and the lists put together from them: the text
    must be the one the canonical encoder gives for the whole list, whatever the reasons."""
    from datetime import date

    from app.domain import colours as engine

    day = date(2026, 11, 20)
    facts = engine.Facts(
        (engine.CheckinFact(day, "460105", 38.5, ("dry_cough",), contact_with_cases=True),),
        control=(engine.ControlFact("close_contact", day),),
    )
    areas = [engine.RiskAreaFact("460100", "high", day)]
    verdict = engine.evaluate(facts, engine.default_rule_set(), areas, day)
    assert len(verdict.reasons) >= 4
    text = recolouring._ReasonsJSON()
    for reasons in ((), verdict.reasons, verdict.reasons[:1], verdict.reasons):
        assert text.of(reasons) == engine.to_json([r.to_dict() for r in reasons])
