"""Benchmark: recolouring after a change touching 1 % of 1,000,000 residents, and the full recompute.

Builds OneCode on a temporary SQLite file (WAL), or with --postgresql in a PostgreSQL cluster of its own
(tests/postgres.py; durable commits, POSTGRESQL_SETTINGS), with RESIDENTS residents, generated in SQL
(`INSERT ... SELECT` from a generated sequence, no Python loop over residents): each has a profile, a
document hash, a month of daily check-ins (DAYS; what retention keeps) with temperatures from 36.0 to
36.9 °C, missing one earlier day in ten (scattered, a pattern per person), the latest within the last three days (10 % with a
declared visit), and a stored green verdict; 1 % declared a fever at their latest (yellow) and 0.5 % are
close contacts on the control list (red), their verdicts computed by the engine. Three groups of 1 % each
checked in at a county of their own (万宁市, 文昌市, 琼海市), three more carry real resident ID numbers.
Every resident holds today's self code.

Then, in this process, on fresh connections configured as the app configures them (the full recompute
(b) first, on the generated state; then the changes (a)):
  (a) two changes touching 1 % each: a control-list import of their ID numbers (import_control_list) and
      their county declared a high-risk area (add_risk_area). The change plus `recolour` in a transaction,
      best of ROUNDS rounds rolled back; then the service call for real, committed, once per group (best
      of up to 3 groups), with `recolour` and the session commit timed inside it, and end to end. The app
      checkpoints the WAL in a thread after commits (app/infra/sqlite.py): the bench waits for that to finish
      before each step, and prints how long the checkpoint after each change took;
  (b) the full recompute (recolour_all) on the same day (nothing changed since: it must change nothing)
      and with the clock moved to the next day (the daily run): its SQL prefilter alone, the recompute in
      a transaction (best of ROUNDS, rolled back), and once with its commit;
and as baselines a bare full scan of the users table and the pure engine on 1 % of the residents' facts
(no database). Every run is checked: who was recoloured, the colours stored, the codes revoked.

Run: .venv/bin/python bench/recompute.py [--residents 1000000] [--days 28] [--rounds 3] [--postgresql]
"""

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from _serving import create_bench_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESIDENTS = 1_000_000
DAYS = 28  # check-ins per resident: a month of daily check-ins
GOAL_CHANGE_SECONDS = 1.0
GOAL_FULL_SECONDS = 5.0
NOTES = []  # lines printed under the table
GROUPS = 3  # disjoint groups of 1 % for each kind of change, one per committed run
RISK_COUNTIES = ("469006", "469005", "469002")  # 万宁市, 文昌市, 琼海市: residents with id % 100 == k checked in there
OTHER_COUNTIES = (
    "110101",
    "110102",
    "110105",
    "110106",
    "110108",
    "310101",
    "310104",
    "310115",
    "330102",
    "330105",
    "330106",
    "330108",
    "330203",
    "420102",
    "420106",
    "420111",
    "440103",
    "440104",
    "440106",
    "440304",
    "440305",
    "460105",
    "460106",
    "460107",
    "460108",
    "460202",
    "460203",
    "460204",
    "460205",
)
NAMES = ("张小明", "李华", "王芳", "欧阳娜娜", "陈伟")
# Which residents are what, by id (SQL on the generated sequence `n`); the groups are disjoint.
AT_RISK = tuple(f"n % 100 = {k}" for k in range(GROUPS))  # checked in at RISK_COUNTIES[k]
FEVER = "n % 100 = 7"  # declared a fever: yellow
CONTROLLED = "n % 200 = 13"  # close contacts on the control list: red
LISTED = tuple(f"n % 100 = {50 + k}" for k in range(GROUPS))  # real resident ID numbers, named by the imports
WITH_VISIT = "n % 10 = 3"  # declared a visit with their check-in
# An earlier day (k days ago) without a check-in: one in ten, scattered (a pseudo-random pattern per person:
# of 10,000 residents some 3,000 patterns, 6 % without a miss)
_MIX = "((CAST(c.id AS BIGINT) * 7919 + k * 104729) % 1000003)"
MISSED = f"{_MIX} * {_MIX} % 1000003 % 10 = 0"


class _SQL:
    """The few pieces of the generating SQL that SQLite and PostgreSQL spell differently."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"
        self.false = "0" if self.sqlite else "false"

    def with_series(self, name: str, first: int, last: int) -> str:
        """A WITH clause naming `name(n)`: the integers first..last."""
        if self.sqlite:
            return (
                f"WITH RECURSIVE {name}(n) AS (SELECT {int(first)} UNION ALL SELECT n + 1 FROM {name} "
                f"WHERE n < {int(last)}) "
            )
        return f"WITH {name}(n) AS (SELECT generate_series({int(first)}, {int(last)})) "

    def digits(self, number: str, width: int) -> str:
        """`number` in decimal, zero-padded to `width`."""
        return f"printf('%0{width}d', {number})" if self.sqlite else f"lpad(CAST({number} AS TEXT), {width}, '0')"

    def hex64(self, number: str) -> str:
        return f"printf('%064x', {number})" if self.sqlite else f"lpad(to_hex({number}), 64, '0')"

    def days_after(self, day: str, days: str) -> str:
        """The date `days` days after `day` (an ISO date: a parameter or a literal); negative goes back."""
        return f"date({day}, ({days}) || ' days')" if self.sqlite else f"(CAST({day} AS DATE) + ({days}))"

    def json(self, literal: str, binary: bool = False) -> str:
        """A JSON literal for a JSON column (binary: JSONB on PostgreSQL)."""
        return f"'{literal}'" if self.sqlite else f"CAST('{literal}' AS {'JSONB' if binary else 'JSON'})"

    def value(self, value: date | datetime):
        """A date or timestamp parameter: on SQLite the text SQLAlchemy stores; elsewhere the value itself."""
        if not self.sqlite:
            return value
        return _stamp(value) if isinstance(value, datetime) else value.isoformat()


def _of_users(group: str) -> str:
    """A group's condition on users.id instead of the sequence."""
    return group.replace("n %", "id %")


def _stamp(moment: datetime) -> str:
    """A naive UTC datetime as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(residents: int, days: int = 1) -> dict:
    """Create the schema and fill it in bulk; returns facts the scenarios need. `days`: days of check-ins per
    resident (the latest as described above, the others healthy ones at the same place on the earlier days
    of the month, one in ten of those days missed)."""
    from sqlalchemy import select, text

    from app.domain.idcard import check_character
    from app.extensions import db
    from app.infra import clock
    from app.infra.documents import doc_hash
    from app.models import Checkin, User
    from app.services.colours import recolour, rule_set

    db.create_all()
    sql = _SQL(db.engine.dialect.name)
    if sql.sqlite:
        db.session.execute(text("PRAGMA cache_size = -500000"))  # 500 MB while generating (this connection only)
    else:  # rows generated consistent: no foreign-key trigger per row while generating (this session only)
        db.session.execute(text("SET session_replication_role = replica"))
    today, now = clock.local_today(), clock.now_utc()
    checked = {
        offset: sql.value(min(now, clock.local_midnight_utc(today - timedelta(days=offset)) + timedelta(hours=8)))
        for offset in range(3)
    }
    params = {
        "now": sql.value(now),
        "today": sql.value(today),
        "version": rule_set().version,
        "c0": checked[0],
        "c1": checked[1],
        "c2": checked[2],
    }
    district = (
        "CASE "
        + " ".join(f"WHEN {group} THEN '{county}'" for group, county in zip(AT_RISK, RISK_COUNTIES))
        + f" ELSE CASE n % {len(OTHER_COUNTIES)} "
        + " ".join(f"WHEN {i} THEN '{code}'" for i, code in enumerate(OTHER_COUNTIES))
        + " END END"
    )
    name = "CASE n % 5 " + " ".join(f"WHEN {i} THEN '{n}'" for i, n in enumerate(NAMES)) + " END"
    checked_at = "CASE n % 3 WHEN 0 THEN :c0 WHEN 1 THEN :c1 ELSE :c2 END"
    seq = sql.with_series("seq", 1, residents)
    inputs = '{"facts": {"checkins": [], "control": [], "overrides": []}, "risk_areas": []}'
    statements = [
        (
            "users",
            f"""INSERT INTO users (id, phone, role, created_at, name, doc_kind, doc_hash, doc_masked,
                   birth_date, address, district, promised_at, colour, verdict_id, evaluated_on, last_checkin_at)
                   {seq}
                   SELECT n, '13' || {sql.digits("n", 9)}, 'resident', :now, {name}, 'resident_id',
                          {sql.hex64("n")}, '4601**********' || {sql.digits("n % 10000", 4)},
                          {sql.days_after("'1950-01-01'", "n % 20000")}, '海口市滨海大道' || (n % 500) || '号',
                          {district}, :now, 'green', n, :today, {checked_at}
                   FROM seq""",
        ),
        (
            "verdicts",
            f"""INSERT INTO verdicts (id, user_id, colour, reasons, may_turn_green_on, healthy_streak,
                      needed_streak, rule_set_version, inputs, trigger, computed_at)
                      {seq}
                      SELECT n, n, 'green', {sql.json("[]")}, NULL, 1, 0, :version,
                             {sql.json(inputs)},
                             'checkin', {checked_at}
                      FROM seq""",
        ),
        (
            "checkins",
            f"""INSERT INTO checkins (id, uuid, payload_hash, user_id, submitted_by_id, day, checked_at,
                      received_at, district, temperature, symptoms, contact_with_cases)
                      {seq}
                      SELECT n, '00000000-0000-4000-8000-' || {sql.digits("n", 12)}, {sql.hex64("n")}, n, n,
                             {sql.days_after(":today", "-(n % 3)")}, {checked_at}, {checked_at}, {district},
                             CASE WHEN {FEVER} THEN 38.2 ELSE round(36.1 + (n % 9) / 10.0, 1) END,
                             CASE WHEN {FEVER} THEN {sql.json('["fever"]', binary=True)}
                                  ELSE {sql.json("[]", binary=True)} END, {sql.false}
                      FROM seq""",
        ),
        (
            "earlier checkins",
            f"""INSERT INTO checkins (uuid, payload_hash, user_id, submitted_by_id, day, checked_at,
                              received_at, district, temperature, symptoms, contact_with_cases)
                              {sql.with_series("earlier", 3, int(days) + 1)}
                              SELECT {sql.digits("k", 8)} || '-0000-4000-8000-' || {sql.digits("c.id", 12)},
                                     {sql.hex64("c.id")}, c.id, c.id, {sql.days_after(":today", "-k")},
                                     c.last_checkin_at, c.last_checkin_at, c.district,
                                     round(36.0 + ((c.id + k) % 10) / 10.0, 1), {sql.json("[]", binary=True)},
                                     {sql.false}
                              FROM (SELECT n AS k FROM earlier) AS ks CROSS JOIN users c
                              WHERE {int(days)} > 1 AND NOT ({MISSED})""",
        ),
        (
            "visits",
            f"""INSERT INTO visits (checkin_id, user_id, district, day)
                    {seq}
                    SELECT n, n, '{OTHER_COUNTIES[0]}', {sql.days_after(":today", "-(n % 3 + 2)")}
                    FROM seq WHERE {WITH_VISIT}""",
        ),
        (
            "control_entries",
            f"""INSERT INTO control_entries (doc_kind, doc_hash, status, start, "end", created_at,
                             source)
                             {seq}
                             SELECT 'resident_id', {sql.hex64("n")}, 'close_contact', {sql.days_after(":today", "-5")},
                                    NULL, :now, 'bench'
                             FROM seq WHERE {CONTROLLED}""",
        ),
    ]
    timings = {}
    for table, statement in statements:
        started = time.perf_counter()
        if table == "earlier checkins" and days > 1:  # many rows: indexes built after them (sorted once)
            for index in Checkin.__table__.indexes:
                index.drop(db.session.connection())
        db.session.execute(text(statement), params)
        if table == "earlier checkins" and days > 1:
            for index in Checkin.__table__.indexes:
                index.create(db.session.connection())
        if table in ("users", "verdicts", "checkins") and not sql.sqlite:  # rows given their ids: the next
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
        db.session.commit()
        timings[table] = time.perf_counter() - started

    # Real resident ID numbers for the LISTED groups (the control-list import validates and hashes them).
    started = time.perf_counter()
    numbers, k = [], 0
    for group in LISTED:
        numbers.append({})
        for user_id in db.session.scalars(text(f"{seq} SELECT n FROM seq WHERE {group}")).all():
            first17 = f"460105{date(1950, 1, 1) + timedelta(days=k % 20000):%Y%m%d}{k // 20000:03d}"
            numbers[-1][user_id] = first17 + check_character(first17)
            k += 1
    db.session.execute(
        text("UPDATE users SET doc_hash = :doc_hash WHERE id = :id"),
        [
            {"id": user_id, "doc_hash": doc_hash("resident_id", number)}
            for group in numbers
            for user_id, number in group.items()
        ],
    )
    admin_id = residents + 1
    db.session.execute(
        text(
            "INSERT INTO users (id, phone, role, created_at, name) VALUES (:id, '13799999999', 'admin', :now, '王主任')"
        ),
        {"id": admin_id, **params},
    )
    db.session.commit()
    timings["id numbers"] = time.perf_counter() - started

    # The people already yellow or red get verdicts from the engine, so the stored state is consistent.
    started = time.perf_counter()
    flagged = db.session.scalars(text(f"{seq} SELECT n FROM seq WHERE {FEVER} OR {CONTROLLED}")).all()
    setup = recolour(flagged, trigger="bench")
    db.session.commit()
    timings["flagged verdicts"] = time.perf_counter() - started
    assert setup.changed == len(flagged), setup
    colours = dict(db.session.execute(select(User.colour, db.func.count()).group_by(User.colour)).all())
    return {"timings": timings, "numbers": numbers, "admin_id": admin_id, "colours": colours, "flagged": len(flagged)}


def issue_codes(residents: int) -> None:
    """Today's self code (row only; the token is not needed here) for every resident."""
    from sqlalchemy import text

    from app.extensions import db
    from app.infra import clock

    now, sql = clock.now_utc(), _SQL(db.engine.dialect.name)
    db.session.execute(
        text(f"""INSERT INTO issued_codes (jti, user_id, kind, colour, kid, token, issued_at, expires_at)
                               {sql.with_series("seq", 1, residents)}
                               SELECT 'bench' || {sql.digits("n", 27)}, n, 'self', 'green', 'bench', 'x', :now,
                                      :expires
                               FROM seq"""),
        {"now": sql.value(now), "expires": sql.value(clock.end_of_next_day_utc(now))},
    )
    db.session.commit()


def generate(residents: int, days: int = 1) -> dict:
    """The database for a run: `build`, then today's codes, then the WAL copied back and emptied; later
    statements run on fresh connections, configured as the app configures them. Returns what `build` does."""
    from sqlalchemy import text

    from app.extensions import db

    built = build(residents, days)
    started = time.perf_counter()
    issue_codes(residents)
    built["timings"]["codes"] = time.perf_counter() - started
    _settle()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    else:  # statistics for the planner and the visibility map, as autovacuum would leave them in a while
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))
        built["timings"]["vacuum analyze"] = time.perf_counter() - started
    db.session.remove()
    db.engine.dispose()
    return built


# --------------------------------------------------------------------------- measuring


def _clocks() -> tuple[float, float]:
    """(wall, CPU) seconds now; CPU time counts this process only (SQLite runs in it), so it is steadier
    than wall time on a busy machine, but leaves out waiting for the disk (fsync at commit)."""
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - started[0], cpu - started[1]


class Stopwatch:
    """Adds up the wall and CPU time of the app's `recolour` calls and session commits (wrappers), and
    notes each WAL checkpoint the app runs in its checkpoint thread."""

    def __init__(self):
        from flask import current_app

        from app.extensions import db
        from app.services import imports, risk_areas

        self.reset()
        self.checkpoints = []  # (wall, CPU) of each WAL checkpoint the app's checkpoint thread ran
        self.pages = []  # pages each of them copied
        for module in (imports, risk_areas):
            module.recolour = self._timed(module.recolour)
        db.session.commit = self._timed(db.session.commit, committing=True)
        checkpointer = current_app.extensions["sqlite_checkpointer"]
        if checkpointer:
            checkpointer.checkpoint = self._checkpoint_timed(checkpointer.checkpoint)

    def _checkpoint_timed(self, function):
        def timed():
            started = _clocks()
            busy, in_wal, copied = function()
            self.checkpoints.append(_since(started))  # CPU: the whole process's, during the checkpoint
            self.pages.append(copied)
            return busy, in_wal, copied

        return timed

    def _timed(self, function, committing=False):
        def timed(*args, **kwargs):
            started = _clocks()
            try:
                return function(*args, **kwargs)
            finally:
                wall, cpu = _since(started)
                self.wall, self.cpu = self.wall + wall, self.cpu + cpu
                if committing:
                    self.commit_wall += wall

        return timed

    def reset(self) -> None:
        self.wall = self.cpu = self.commit_wall = 0.0


def best_of(rounds: int, run, prepare=None) -> tuple[tuple[float, float], object]:
    """Best (wall, CPU) seconds of `run()` (after an untimed `prepare()`) over `rounds` rounds, each rolled
    back; with the result of the best round."""
    from app.extensions import db

    best = None
    for _ in range(rounds):
        if prepare:
            prepare()
        started = _clocks()
        result = run()
        seconds = _since(started)
        db.session.rollback()
        if best is None or seconds[0] < best[0][0]:
            best = (seconds, result)
    return best


def _settle() -> None:
    """Wait for the app's checkpoint thread to finish with earlier commits, so no step pays for another's."""
    from flask import current_app

    checkpointer = current_app.extensions["sqlite_checkpointer"]
    if checkpointer:
        checkpointer.wait_idle()


def revoked(group: str) -> int:
    """How many of a group's codes are revoked."""
    return count(
        "SELECT count(*) FROM issued_codes JOIN code_revocations USING (jti) WHERE "
        + _of_users(group).replace("id", "user_id")
    )


def count(sql: str) -> int:
    from sqlalchemy import text

    from app.extensions import db

    return db.session.execute(text(sql)).scalar()


def committed(what: str, whole: str, run, group: int, rounds: int, stopwatch: "Stopwatch") -> list[tuple]:
    """The change for real, committed, once per group (up to `rounds`): rows for the best run's recolour +
    commit, the best end to end, and the slowest WAL checkpoint that followed (in the app's checkpoint
    thread, waited for here before the next step; inside the commit when checkpoints run there)."""
    from flask import current_app

    checkpointer = current_app.extensions["sqlite_checkpointer"]
    runs = []
    for k in range(min(rounds, GROUPS)):
        _settle()
        stopwatch.reset()
        stopwatch.checkpoints.clear()
        stopwatch.pages.clear()
        started = _clocks()
        run(k)
        end_to_end = _since(started)
        inside, commit = (stopwatch.wall, stopwatch.cpu), stopwatch.commit_wall
        _settle()
        runs.append((inside, end_to_end, max(stopwatch.checkpoints, default=(0.0, 0.0)), commit, sum(stopwatch.pages)))
    NOTES.append(
        f"(a) {what}, each committed run, recolour + commit (of which commit), seconds: "
        + ", ".join(f"{inside[0]:.2f} ({commit:.2f})" for inside, _, _, commit, _ in runs)
        + (
            "; pages written (copied back by the checkpoint thread): " + ", ".join(f"{pages:,}" for *_, pages in runs)
            if checkpointer
            else ""
        )
    )
    label = f"best of {len(runs)} committed"
    rows = [
        (f"(a) {what}: recolour + commit ({label})", group, group, group, min(r[0] for r in runs), GOAL_CHANGE_SECONDS),
        (f"(a) {what}: {whole}", group, group, group, min(r[1] for r in runs), None),
    ]
    if checkpointer:
        rows.append(
            (
                f"(a) {what}: WAL checkpoint after it (background thread, slowest)",
                group,
                None,
                None,
                max(r[2] for r in runs),
                None,
            )
        )
    return rows


def scenarios(residents: int, numbers: dict, admin_id: int, rounds: int) -> list[tuple]:
    """Run and check every measurement; rows of (step, residents, evaluated, changed, (wall, CPU), goal)."""
    from sqlalchemy import insert

    from app.domain import colours
    from app.extensions import db
    from app.infra import clock
    from app.infra.documents import doc_hash
    from app.models import ControlEntry, RiskArea
    from app.services.colours import candidates, recolour, recolour_all, rule_set
    from app.services.imports import import_control_list
    from app.services.risk_areas import add_risk_area, people_who_were_in

    rows = []
    today = clock.local_today()
    group = residents // 100
    stopwatch = Stopwatch()

    # Baselines: a bare full scan of the users table, and the pure engine on 1 % of the people (no database).
    seconds, _ = best_of(rounds, lambda: count("SELECT count(*) FROM users WHERE colour != 'green'"))
    rows.append(("bare: one full scan of users (count non-green)", residents, None, None, seconds, None))
    area = [colours.RiskAreaFact(RISK_COUNTIES[0], "high", today)]
    people = [
        colours.Facts(
            (colours.CheckinFact(day=today - timedelta(days=i % 3), district=RISK_COUNTIES[0], temperature=36.5),)
        )
        for i in range(group)
    ]
    rules = rule_set()
    seconds, _ = best_of(rounds, lambda: [colours.evaluate(facts, rules, area, today) for facts in people])
    rows.append(("engine only: evaluate one by one, 1 % (no database)", group, group, None, seconds, None))

    # (b) The daily full recompute: today (nothing changed since) and tomorrow (the clock moved on); first,
    # so that it runs on the generated state (the changes below recolour 6 % more people).
    for label, shift in (("same day", 0), ("next day", 1)):
        moment = clock.now_utc() + timedelta(days=shift)
        real_now, clock.now_utc = clock.now_utc, lambda moment=moment: moment
        try:
            _settle()
            seconds, found = best_of(rounds, candidates)
            rows.append((f"(b) full recompute, {label}: prefilter (SQL)", residents, len(found), None, seconds, None))
            seconds, result = best_of(rounds, recolour_all)
            rows.append(
                (
                    f"(b) full recompute, {label} (in transaction)",
                    residents,
                    result.evaluated,
                    result.changed,
                    seconds,
                    GOAL_FULL_SECONDS,
                )
            )
            _settle()
            started = _clocks()
            result = recolour_all()
            db.session.commit()
            rows.append(
                (
                    f"(b) full recompute, {label}: + commit",
                    residents,
                    result.evaluated,
                    result.changed,
                    _since(started),
                    GOAL_FULL_SECONDS,
                )
            )
            if shift == 0:
                assert result.changed == 0, result  # the stored colours already matched the facts
        finally:
            clock.now_utc = real_now

    # (a1) A control-list import naming 1 % of the residents (real ID numbers, validated and hashed).
    start = today - timedelta(days=1)
    entries = [
        {
            "doc_kind": "resident_id",
            "doc_hash": doc_hash("resident_id", n),
            "status": "close_contact",
            "start": start,
            "end": None,
            "created_at": clock.now_utc(),
            "source": "bench",
        }
        for n in numbers[0].values()
    ]
    listed = list(numbers[0])
    seconds, result = best_of(
        rounds,
        lambda: recolour(listed, trigger="import:control"),
        prepare=lambda: db.session.execute(insert(ControlEntry), entries),
    )
    assert (result.evaluated, result.changed, result.worsened) == (group, group, group), result
    rows.append(
        (
            "(a) control list, 1 %: recolour (in transaction)",
            group,
            result.evaluated,
            result.changed,
            seconds,
            GOAL_CHANGE_SECONDS,
        )
    )

    def import_list(k: int) -> None:
        csv = "doc_number,status,start\n" + "".join(f"{n},close_contact,{start}\n" for n in numbers[k].values())
        report = import_control_list(csv, "bench")
        assert report.applied and report.recoloured == group, (report.applied, report.rejected[:3])
        assert count(f"SELECT count(*) FROM users WHERE colour = 'red' AND {_of_users(LISTED[k])}") == group
        assert revoked(LISTED[k]) == group

    rows += committed("control list", "import end to end (CSV checks too)", import_list, group, rounds, stopwatch)

    # (a2) A county declared a high-risk area: 1 % of the residents checked in there.
    def declare_area():
        db.session.add(
            RiskArea(district=RISK_COUNTIES[0], level="high", start=today, created_at=clock.now_utc(), source="bench")
        )
        db.session.flush()

    seconds, result = best_of(
        rounds, lambda: recolour(people_who_were_in({RISK_COUNTIES[0]}), trigger="risk_area"), prepare=declare_area
    )
    assert (result.evaluated, result.changed, result.worsened) == (group, group, group), result
    rows.append(
        (
            "(a) risk area, 1 %: find + recolour (in transaction)",
            group,
            result.evaluated,
            result.changed,
            seconds,
            GOAL_CHANGE_SECONDS,
        )
    )

    def declare(k: int) -> None:
        change = add_risk_area(RISK_COUNTIES[k], "high", today, None, admin_id)
        assert change.recoloured.worsened == group, change.recoloured
        assert count(f"SELECT count(*) FROM users WHERE colour = 'yellow' AND {_of_users(AT_RISK[k])}") == group
        assert revoked(AT_RISK[k]) == group

    rows += committed("risk area", "add_risk_area end to end", declare, group, rounds, stopwatch)
    return rows


def print_table(rows, rounds: int, in_process: bool) -> None:
    header = ("step", "residents", "evaluated", "changed", "seconds", "CPU s", "goal", "result")
    cells = [
        [
            what,
            f"{people:,}",
            "" if evaluated is None else f"{evaluated:,}",
            "" if changed is None else f"{changed:,}",
            f"{wall:.2f}",
            f"{cpu:.2f}",
            "" if goal is None else f"≤ {goal:g} s",
            "" if goal is None else ("PASS" if wall <= goal else "FAIL"),
        ]
        for what, people, evaluated, changed, (wall, cpu), goal in rows
    ]
    widths = [max(len(header[i]), *(len(row[i]) for row in cells)) for i in range(len(header))]
    print(" | ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print(
        f"In transaction: best of {rounds} rounds, rolled back. (a) committed: best over disjoint groups of 1 %; "
        "(b) '+ commit': one run. Pass/fail on wall seconds; CPU s is this process's CPU time "
        + ("(SQLite runs in it; no disk waits)." if in_process else "(not the database server's).")
    )


# PostgreSQL for --postgresql: durable commits as in production (fsync, synchronous_commit and full-page
# writes at their defaults), with memory for a million residents' month of check-ins.
POSTGRESQL_SETTINGS = (
    "-c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=64MB "
    "-c maintenance_work_mem=1GB -c max_wal_size=16GB -c checkpoint_timeout=30min"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=RESIDENTS, help="how many residents (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each in-transaction measurement")
    parser.add_argument(
        "--days", type=int, default=DAYS, help="days of check-ins per resident (default 28, a month; 1 for a quick run)"
    )
    parser.add_argument(
        "--checkpoint-in-commit",
        action="store_true",
        help="let SQLite checkpoint the WAL inside commits (SQLITE_CHECKPOINT_SECONDS = 0) instead "
        "of in the app's checkpoint thread",
    )
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="run on PostgreSQL (a cluster of its own on 127.0.0.1, started and removed here) instead of SQLite",
    )
    args = parser.parse_args()
    if args.residents < 1000:
        parser.error("--residents must be at least 1000")
    workdir = tempfile.mkdtemp(prefix="onecode-recompute-")
    cluster = None
    try:
        settings = {"SQLITE_CHECKPOINT_SECONDS": 0 if args.checkpoint_in_commit else 1.0}
        if args.postgresql:
            from tests.postgres import Cluster

            cluster = Cluster(POSTGRESQL_SETTINGS)
            settings["SQLALCHEMY_DATABASE_URI"] = cluster.url(cluster.create_database())
        app = create_bench_app(workdir, **settings)
        with app.app_context():
            from sqlalchemy import text

            from app.extensions import db

            started = time.perf_counter()
            built = generate(args.residents, args.days)
            generation = time.perf_counter() - started
            if args.postgresql:
                version = db.session.execute(text("SHOW server_version")).scalar()
                size = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar() / 1e6
                database = f"PostgreSQL {version.split()[0]}"
                where = f"{size:,.0f} MB, {POSTGRESQL_SETTINGS.replace('-c ', '')}"
            else:
                journal = db.session.execute(text("PRAGMA journal_mode")).scalar()
                size = Path(workdir, "bench.sqlite").stat().st_size / 1e6
                database = "SQLite"
                where = f"journal_mode={journal}, {size:,.0f} MB, WAL checkpoints " + (
                    "inside commits" if args.checkpoint_in_commit else "in the app's checkpoint thread"
                )
            print(
                f"Generated {args.residents:,} residents in {generation:.1f} s ({database}, {where}): "
                + ", ".join(f"{k} {v:.1f} s" for k, v in built["timings"].items())
            )
            print("colours: " + ", ".join(f"{k} {v:,}" for k, v in sorted(built["colours"].items(), key=str)))
            print()
            rows = scenarios(args.residents, built["numbers"], built["admin_id"], args.rounds)
            print(f"Colour recomputation on {database}, {args.residents:,} residents, {args.days} check-in(s) each")
            print_table(rows, args.rounds, in_process=not args.postgresql)
            print("\n".join(NOTES))
            db.session.remove()
            db.engine.dispose()
        return 0
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
