"""Benchmark: a gate's queue of 10,000 offline scans synced to POST /api/scans/batch over real HTTP.

A server process builds OneCode on a temporary SQLite file (WAL) with one warden (signed in through
the SMS pages, enrolled at a checkpoint) and SCANS residents, each with one DISTINCT valid self code
as a real gate sees them: users and issued codes are inserted in bulk, the tokens signed with the
app's active key (app.infra.keys.active_key); colours 85 % green, 10 % yellow, 5 % red, and 1 % of
the codes revoked. It serves the app with a threaded Werkzeug server on 127.0.0.1 (port 0, request
logging off). This process is only the client: one connection per batch (the development server closes each), the warden's session
cookie, the queue sent one batch after another as the PWA's outbox does (outbox-sync.js), with
BATCH_SIZES records per POST (500: what the PWA sends, the server's maximum BATCH_MAX_RECORDS; 100: for
comparison, showing the per-request cost).

Each (batch size) run starts from an empty scans table and sends the whole queue (fresh UUIDs);
ROUNDS interleaved rounds, the best counts. After every run the script checks that every record
answered "stored" with the server verdict expected for its code, and that exactly SCANS scans are in
the database; at the end it re-sends one batch and checks that every record answers "duplicate".

A second table breaks the server's own work down: store_scans run in-process (no HTTP) on the same
queue in batches of 500, once plainly (absolute time) and once under cProfile (shares of the time).

Run: .venv/bin/python bench/scan_sync.py
"""

import argparse
import cProfile
import http.client
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _codes import populate_codes
from _serving import (
    USER_AGENT,
    cookie_header,
    create_bench_app,
    receive_from_server,
    sign_in_by_sms,
    start_http_servers,
    start_server_process,
    stop_http_servers,
    stop_server_process,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCANS = 10_000
BATCH_SIZES = (100, 500)
ROUNDS = 3
GOAL_SECONDS = 1.5
SERVER_TIMEOUT = 300  # seconds: setup, or one command of the server process
WARDEN_PHONE = "13700000001"


# --------------------------------------------------------------------------- server process


def _sign_in_warden(app) -> str:
    """Sign the warden in through the real SMS pages, enrol at a checkpoint; returns the Cookie header."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services.enrolment import enrol_warden

    # The app's test_client_class is RequestScopedClient (tests/conftest.py): it needs an app context, and
    # gives each request an empty `g`, as a server would.
    with app.app_context():
        client = sign_in_by_sms(app, WARDEN_PHONE)
        user = db.session.scalar(select(User).where(User.phone == WARDEN_PHONE))
        enrol_warden(
            user,
            "赵值守",
            checkpoint={
                "name": "长滨路社区卡口",
                "kind": "community_gate",
                "address": "海口市秀英区长滨路8号",
                "district": "460105",
            },
        )
        db.session.remove()
    return cookie_header(client)


def _scan_count(app) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Scan

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Scan))


def _reset_scans(app) -> None:
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import Scan

    with app.app_context():
        db.session.execute(delete(Scan))
        db.session.commit()


def _breakdown(app, records: list[dict], batch: int) -> dict:
    """store_scans in-process on `records` (batches of `batch`): plain wall time, then shares under cProfile."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services import scans

    def run_all() -> tuple[float, float]:
        with app.app_context():
            warden = db.session.scalar(select(User).where(User.phone == WARDEN_PHONE))
            started, cpu = time.perf_counter(), time.process_time()
            for start in range(0, len(records), batch):
                answers = scans.store_scans(warden, records[start : start + batch])
                assert all(answer.status == "stored" for answer in answers)
            return time.perf_counter() - started, time.process_time() - cpu

    _reset_scans(app)
    plain = run_all()
    _reset_scans(app)
    with app.app_context():  # judge() alone on the same codes: the re-verification without anything around it
        keys, revoked = scans.trusted_keys(), set()
        moment = int(time.time())
        cpu = time.process_time()
        for record in records:
            scans.judge(record["qr_text"], keys, revoked, moment)
        judge_cpu = time.process_time() - cpu
    profiler = cProfile.Profile()
    profiler.enable()
    profiled, _ = run_all()
    profiler.disable()
    _reset_scans(app)

    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}

    def cumulative(name: str, caller: str | None = None, file_part: str = "/app/") -> float | None:
        """Cumulative seconds of the app function `name` (only the calls made by `caller`, if given);
        None when no such function ran (the code was refactored: the row is shown as "—")."""
        found, total = False, 0.0
        for (file, _, function), (_, _, _, cum, callers) in stats.items():
            if function != name or file_part not in file.replace("\\", "/"):
                continue
            found = True
            total += cum if caller is None else sum(c[3] for (_, _, cn), c in callers.items() if cn == caller)
        return total if found else None

    ecdsa = [
        cum
        for (file, _, function), (_, _, _, cum, _) in stats.items()
        if file == "~" and "method 'verify' of" in function and "ECPublicKey" in function
    ]
    parts = {
        "store_scans (total)": cumulative("store_scans"),
        "triage (validation, fingerprint, duplicate check)": cumulative("triage"),
        "  parse_scan (validation)": cumulative("parse_scan"),
        "  fingerprint": cumulative("fingerprint"),
        "_server_verdicts (re-judging)": cumulative("_server_verdicts"),
        "  judge() (full verification: codes not recognised as ours)": cumulative("judge"),
        "  judge_issued() (our own stored tokens)": cumulative("judge_issued"),
        "    ECDSA verify (OpenSSL)": sum(ecdsa) if ecdsa else None,
        "  trusted_keys": cumulative("trusted_keys"),
        "  _issued_codes (jti → stored token, owner, revocation)": cumulative("_issued_codes"),
        "session.execute called by store_scans (INSERT)": cumulative("execute", "store_scans", "sqlalchemy/orm/"),
        "session.commit called by store_scans": cumulative("commit", "store_scans", "sqlalchemy/orm/"),
    }
    return {"plain": plain[0], "plain_cpu": plain[1], "profiled": profiled, "judge_cpu": judge_cpu, "parts": parts}


def _add(*values: float | None) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _serve(conn, workdir: str, count: int) -> None:
    """Server process: build the app and data, serve over HTTP, answer the client's commands until "stop"."""
    from app.extensions import db
    from tests.conftest import RequestScopedClient

    app = create_bench_app(workdir)
    app.test_client_class = RequestScopedClient
    with app.app_context():
        db.create_all()
        journal = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
    started = time.perf_counter()
    cookie = _sign_in_warden(app)
    gate = populate_codes(app, count)
    setup_seconds = time.perf_counter() - started

    [server] = start_http_servers(app)
    conn.send(
        {
            "port": server.server_port,
            "cookie": cookie,
            "gate": gate,
            "journal": journal,
            "setup_seconds": setup_seconds,
            "max_records": app.config["BATCH_MAX_RECORDS"],
            "max_content_length": app.config["MAX_CONTENT_LENGTH"],
        }
    )
    try:
        while True:
            command, argument = conn.recv()
            if command == "stop":
                break
            if command == "reset":  # answers this process's CPU seconds so far (all threads)
                _reset_scans(app)
                conn.send(time.process_time())
            elif command == "count":  # answers (CPU seconds before counting, scans stored)
                cpu = time.process_time()
                conn.send((cpu, _scan_count(app)))
            elif command == "breakdown":
                conn.send(_breakdown(app, *argument))
    finally:
        stop_http_servers([server], app)
        conn.send("stopped")


# --------------------------------------------------------------------------- client


def _records(gate: list[dict]) -> list[dict]:
    """The queue as the scanner stored it: one record per scan, a fresh UUID each, the device's verdict."""
    now = datetime.now(UTC)
    bundle_iat = int(time.time()) - 3600
    records = []
    for index, code in enumerate(gate):
        (result, reason), colour = code["expected"], code["colour"]
        records.append(
            {
                "uuid": str(uuid.uuid4()),
                "scanned_at": (now - timedelta(seconds=2 * (len(gate) - index))).isoformat(),
                "qr_text": code["qr_text"],
                "id_number": None,
                "direction": "in" if index % 2 else "out",
                "reason": "回家",
                "temperature": 36.4,
                "plate": "琼A12345" if index % 10 == 0 else None,
                "offline": {"result": result, "reason": reason, "colour": colour, "bundle_iat": bundle_iat},
            }
        )
    return records


def _post(connection, headers: dict, batch: list[dict]) -> list[dict]:
    connection.request("POST", "/api/scans/batch", body=json.dumps({"records": batch}).encode(), headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"POST /api/scans/batch: HTTP {response.status}: {body[:300]!r}")
    return json.loads(body)["results"]


def _sync(port: int, headers: dict, records: list[dict], batch: int) -> tuple[int, float, list[dict]]:
    """Send the queue batch after batch on one connection per batch (the development server closes each); returns (requests, seconds, answers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.connect()
    answers, requests = [], 0
    started = time.perf_counter()
    for start in range(0, len(records), batch):
        answers.extend(_post(connection, headers, records[start : start + batch]))
        requests += 1
    seconds = time.perf_counter() - started
    connection.close()
    return requests, seconds, answers


def _check_answers(records: list[dict], gate: list[dict], answers: list[dict]) -> None:
    if len(answers) != len(records):
        raise SystemExit(f"{len(answers)} answers for {len(records)} records")
    for record, code, answer in zip(records, gate, answers):
        server = answer.get("server") or {}
        if (
            answer["uuid"] != record["uuid"]
            or answer["status"] != "stored"
            or answer.get("disagreement")
            or [server.get("result"), server.get("reason")] != code["expected"]
        ):
            raise SystemExit(f"unexpected answer {answer} for a code expected {code['expected']}")


def main() -> int:
    global SCANS, ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=SCANS, help="queued scans (distinct codes)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds per batch size (best counts)")
    args = parser.parse_args()
    SCANS, ROUNDS = args.scans, args.rounds
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="onecode-bench-") as workdir:
        parent, server = start_server_process(_serve, workdir, SCANS)

        def ask(command, argument=None):
            parent.send((command, argument))
            return receive_from_server(parent, server, SERVER_TIMEOUT)

        try:
            info = receive_from_server(parent, server, SERVER_TIMEOUT)
            gate, port = info["gate"], info["port"]
            headers = {
                "User-Agent": USER_AGENT,
                "Accept-Language": "zh",
                "Cookie": info["cookie"],
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
            sizes = [size for size in BATCH_SIZES if size <= info["max_records"]]
            best: dict[int, tuple[int, float, float]] = {}
            for _ in range(ROUNDS):
                for size in sizes:
                    records = _records(gate)
                    cpu_before = ask("reset")
                    requests, seconds, answers = _sync(port, headers, records, size)
                    cpu_after, stored = ask("count")
                    _check_answers(records, gate, answers)
                    if stored != SCANS:
                        raise SystemExit(f"batch {size}: {stored} scans stored, expected exactly {SCANS}")
                    if size not in best or seconds < best[size][1]:
                        best[size] = (requests, seconds, cpu_after - cpu_before)
            # Re-send one batch of the last run: every record must answer "duplicate", nothing new stored.
            again = records[: sizes[0]]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            statuses = {answer["status"] for answer in _post(connection, headers, again)}
            connection.close()
            duplicates_ok = statuses == {"duplicate"} and ask("count")[1] == SCANS
            if not duplicates_ok:
                raise SystemExit(f"re-sent batch answered {statuses}, expected only 'duplicate'")
            breakdowns = {size: ask("breakdown", (_records(gate), size)) for size in sizes}
        finally:
            stop_server_process(parent, server, ("stop", None), reply_timeout=30)

    revoked = sum(1 for code in gate if code["expected"][1] == "revoked")
    colours = {colour: sum(1 for code in gate if code["colour"] == colour) for colour in ("green", "yellow", "red")}
    print(
        f"OneCode POST /api/scans/batch — {SCANS:,} queued scans of distinct codes "
        f"({colours['green']:,} green, {colours['yellow']:,} yellow, {colours['red']:,} red, {revoked} revoked), "
        f"SQLite journal_mode={info['journal']}, threaded Werkzeug server on 127.0.0.1, one connection per batch (the development server closes each), "
        f"best of {ROUNDS}"
    )
    header = ("batch size", "requests", "seconds", "scans/s", "ms per scan", "server CPU s")
    widths = (10, 8, 7, 7, 11, 12)
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for size, (requests, seconds, server_cpu) in best.items():
        print(
            " | ".join(
                [
                    f"{size:>{widths[0]}}",
                    f"{requests:>{widths[1]}}",
                    f"{seconds:>{widths[2]}.2f}",
                    f"{SCANS / seconds:>{widths[3]},.0f}",
                    f"{seconds * 1000 / SCANS:>{widths[4]}.3f}",
                    f"{server_cpu:>{widths[5]}.2f}",
                ]
            )
        )
    print(
        f"(setup: warden + {SCANS:,} residents and signed codes in {info['setup_seconds']:.1f} s; every run: "
        f"all {SCANS:,} answered 'stored' with the expected server verdict, exactly {SCANS:,} rows stored; "
        f"re-sent batch of {sizes[0]}: all 'duplicate'; "
        f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs)"
    )

    print()
    print(
        f"Server work: store_scans in-process (no HTTP, no Flask request) on the same {SCANS:,} records, "
        f"once plainly and once under cProfile; judge() alone on the {SCANS:,} codes: "
        f"{breakdowns[sizes[0]]['judge_cpu']:.2f} s CPU"
    )
    labels = list(breakdowns[sizes[0]]["parts"])
    header = ["part (cumulative time under cProfile)"]
    for size in sizes:
        header += [f"share @{size}", f"≈ CPU s @{size}"]
    widths = [max(len(header[0]), *(len(label) for label in labels)), *(len(h) for h in header[1:])]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for label in labels:
        cells = [label.ljust(widths[0])]
        for column, size in enumerate(sizes):
            found = breakdowns[size]
            seconds, total = found["parts"][label], found["parts"]["store_scans (total)"]
            share = seconds / total if seconds is not None and total else None
            cells += [
                "—".rjust(widths[1 + 2 * column]) if share is None else f"{share:>{widths[1 + 2 * column]}.0%}",
                "—".rjust(widths[2 + 2 * column])
                if share is None
                else f"{share * found['plain_cpu']:>{widths[2 + 2 * column]}.2f}",
            ]
        print(" | ".join(cells))
    print(
        "(store_scans plain: "
        + "; ".join(
            f"batches of {size}: {found['plain']:.2f} s wall, {found['plain_cpu']:.2f} s CPU, "
            f"{found['profiled']:.2f} s under cProfile"
            for size, found in breakdowns.items()
        )
        + ". ≈ CPU s = share × plain CPU; cProfile slows Python code more than C calls, so C-heavy parts "
        "such as ECDSA are under-counted — judge() alone is the unprofiled figure)"
    )
    best_size, (_, best_seconds, _) = min(best.items(), key=lambda item: item[1][1])
    verdict = "PASS" if best_seconds <= GOAL_SECONDS else "FAIL"
    print(
        f"goal: 10,000 scans ≤ {GOAL_SECONDS} s — {verdict} ({SCANS:,} scans in {best_seconds:.2f} s, "
        f"batches of {best_size})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
