"""Benchmark: GET /api/code over real HTTP against a bare Flask endpoint served the same way.

A server process builds OneCode on a temporary SQLite file (WAL) with RESIDENTS residents who each
have a profile, a check-in and today's code already issued (the steady state: a resident opens the
app once a day and the code signed earlier today is reused). It serves that app and a bare Flask app
(`GET /bare` -> {"ok": true}) with the same threaded Werkzeug server on 127.0.0.1 (port 0, request
logging off for both). This process is only the client: CONNECTIONS threads with an http.client
connection each (Werkzeug's development server closes the connection after every answer, so each
request reconnects, for both apps alike), each request carrying the session cookie of a different
resident.

Every measurement lasts at most SECONDS or MAX_REQUESTS requests; each is repeated ROUNDS times
(interleaved) and the best round counts. Prints one table and the goal line. On Linux the table also
shows the server process's CPU time per request (the least of the rounds, from /proc): on a busy
machine it usually moves less than req/s, so its ratio is printed too (for information; the goal is
on req/s).

Run: .venv/bin/python bench/code_endpoint.py
"""

import argparse
import http.client
import os
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from _serving import (
    USER_AGENT,
    cookie_header,
    create_bench_app,
    receive_from_server,
    serve_until_stop,
    sign_in_by_sms,
    start_http_servers,
    start_server_process,
    stop_server_process,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESIDENTS = 200
CONNECTIONS = 8
SECONDS = 3.0
MAX_REQUESTS = 100_000
ROUNDS = 3
GOAL_RATIO = 0.6


# --------------------------------------------------------------------------- server process


def _id_number(index: int) -> str:
    """A valid, unique resident ID number for resident `index`."""
    from app.domain.idcard import check_character

    birth = date(1970, 1, 1) + timedelta(days=index * 37)
    first17 = f"460105{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + check_character(first17)


def _populate(app, count: int) -> list[dict]:
    """Sign residents in through the real pages, fill profiles, check in, fetch the code once."""
    from tests.helpers import checkin_record, fill_profile

    residents = []
    for index in range(count):
        client = sign_in_by_sms(app, f"139{index:08d}")
        fill_profile(client, name="张小明" if index % 2 else "李华", doc_number=_id_number(index))
        response = client.post("/api/checkins/batch", json={"records": [checkin_record()]})
        assert response.status_code == 200 and response.json["results"][0]["status"] == "stored", response.json
        response = client.get("/api/code")  # issues today's code: afterwards every request is steady state
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        residents.append({"cookie": cookie_header(client), "etag": response.headers["ETag"]})
    return residents


def _serve(conn, workdir: str, count: int) -> None:
    """Server process: build both apps, serve them over HTTP until the client says stop."""
    from flask import Flask, jsonify

    from app.extensions import db

    app = create_bench_app(workdir)
    with app.app_context():
        db.create_all()
        journal = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
    started = time.perf_counter()
    residents = _populate(app, count)
    setup_seconds = time.perf_counter() - started

    bare = Flask("bare")

    @bare.get("/bare")
    def bare_view():
        return jsonify({"ok": True})

    servers = start_http_servers(app, bare)  # both without a per-request line on stderr
    conn.send(
        {
            "code_port": servers[0].server_port,
            "bare_port": servers[1].server_port,
            "residents": residents,
            "journal": journal,
            "setup_seconds": setup_seconds,
        }
    )
    serve_until_stop(conn, servers, app)


# --------------------------------------------------------------------------- client


def _measure(port: int, path: str, headers_for) -> tuple[int, float, int]:
    """Send requests from CONNECTIONS threads, one connection each; returns (ok count, seconds, errors)."""
    counts = [0] * CONNECTIONS
    errors = [0] * CONNECTIONS
    expected = 304 if "If-None-Match" in headers_for(0) else 200
    budget = MAX_REQUESTS // CONNECTIONS
    barrier = threading.Barrier(CONNECTIONS + 1)
    deadline = [0.0]

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.connect()
        n = slot
        barrier.wait()
        while counts[slot] < budget and time.perf_counter() < deadline[0]:
            connection.request("GET", path, headers=headers_for(n))
            response = connection.getresponse()
            response.read()
            if response.status == expected:
                counts[slot] += 1
            else:
                errors[slot] += 1
            n += CONNECTIONS
        connection.close()

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + SECONDS
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return sum(counts), time.perf_counter() - started, sum(errors)


def _process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    global CONNECTIONS, RESIDENTS, ROUNDS, SECONDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="client connections (threads)")
    parser.add_argument("--residents", type=int, default=RESIDENTS, help="signed-in residents")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="upper bound per measurement")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="interleaved rounds (the best counts)")
    args = parser.parse_args()
    CONNECTIONS, RESIDENTS, SECONDS, ROUNDS = args.connections, args.residents, args.seconds, args.rounds
    with tempfile.TemporaryDirectory(prefix="onecode-bench-") as workdir:
        parent, server = start_server_process(_serve, workdir, RESIDENTS)
        try:
            info = receive_from_server(parent, server)
            residents = info["residents"]
            base = {"User-Agent": USER_AGENT, "Accept-Language": "zh"}

            def code_headers(n):
                return {**base, "Cookie": residents[n % len(residents)]["cookie"]}

            def code_304_headers(n):
                resident = residents[n % len(residents)]
                return {**base, "Cookie": resident["cookie"], "If-None-Match": resident["etag"]}

            cases = [
                ("GET /bare", info["bare_port"], "/bare", lambda n: base),
                ("GET /api/code", info["code_port"], "/api/code", code_headers),
                ("GET /api/code (If-None-Match → 304)", info["code_port"], "/api/code", code_304_headers),
            ]
            for _, port, path, headers_for in cases:  # warm-up and sanity check, not measured
                _check(port, path, headers_for)
            best: dict[str, tuple[int, float]] = {}
            client_cpu = {}
            server_cpu: dict[str, float] = {}  # least server CPU seconds per request over the rounds
            for _ in range(ROUNDS):
                for label, port, path, headers_for in cases:
                    cpu, served = time.process_time(), _process_cpu_seconds(server.pid)
                    count, seconds, errors = _measure(port, path, headers_for)
                    cpu, served_after = time.process_time() - cpu, _process_cpu_seconds(server.pid)
                    if errors:
                        raise SystemExit(f"{label}: {errors} responses with an unexpected status")
                    if label not in best or count / seconds > best[label][0] / best[label][1]:
                        best[label] = (count, seconds)
                        client_cpu[label] = cpu / seconds
                    if served is not None and served_after is not None and count:
                        server_cpu[label] = min(server_cpu.get(label, float("inf")), (served_after - served) / count)
        finally:
            stop_server_process(parent, server)

    bare_rate = best["GET /bare"][0] / best["GET /bare"][1]
    rows = [
        (label, count, seconds, count / seconds, (count / seconds) / bare_rate)
        for label, (count, seconds) in best.items()
    ]
    print(
        f"OneCode GET /api/code vs bare Flask — {RESIDENTS} residents, SQLite journal_mode={info['journal']}, "
        f"threaded Werkzeug server on 127.0.0.1, {CONNECTIONS} client connections, "
        f"best of {ROUNDS} × ≤{SECONDS:g} s"
    )
    header = ("endpoint", "requests", "seconds", "req/s", "ratio to bare", "server CPU µs/req")
    widths = (max(len(header[0]), *(len(r[0]) for r in rows)), 9, 8, 9, 13, 17)
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for label, count, seconds, rate, ratio in rows:
        cpu = f"{server_cpu[label] * 1e6:.0f}" if label in server_cpu else "n/a"
        print(
            " | ".join(
                [
                    label.ljust(widths[0]),
                    f"{count:>{widths[1]}}",
                    f"{seconds:>{widths[2]}.2f}",
                    f"{rate:>{widths[3]}.0f}",
                    f"{ratio:>{widths[4]}.2f}",
                    f"{cpu:>{widths[5]}}",
                ]
            )
        )
    print(
        f"(setup: {RESIDENTS} residents in {info['setup_seconds']:.1f} s; client CPU per wall second: "
        + ", ".join(f"{label.split(' ', 1)[1]} {cpu:.0%}" for label, cpu in client_cpu.items())
        + ")"
    )
    if server_cpu.get("GET /api/code"):
        print(
            f"server CPU per request, /bare ÷ /api/code: {server_cpu['GET /bare'] / server_cpu['GET /api/code']:.2f} "
            "(usually steadier than req/s when other work shares the machine)"
        )
    ratio = rows[1][4]
    verdict = "PASS" if ratio >= GOAL_RATIO else "FAIL"
    print(f"goal: code endpoint ≥ {GOAL_RATIO} × bare — {verdict} ({ratio:.2f} ×)")
    return 0


def _check(port: int, path: str, headers_for) -> None:
    """One request per resident (or one for /bare) before measuring: each answers the expected status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    expected = 304 if "If-None-Match" in headers_for(0) else 200
    for n in range(RESIDENTS if path != "/bare" else 1):
        connection.request("GET", path, headers=headers_for(n))
        response = connection.getresponse()
        body = response.read()
        if response.status != expected:
            raise SystemExit(f"GET {path}: expected {expected}, got {response.status}: {body[:300]!r}")
    connection.close()


if __name__ == "__main__":
    sys.exit(main())
