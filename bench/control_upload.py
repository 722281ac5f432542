"""Benchmark: a 100,000-row control-list file through the console (preview, then apply), on SQLite.

Builds the same database as bench/recompute.py (`generate`: RESIDENTS residents generated in SQL, each holding
today's self code; groups of 1 % with real resident ID numbers). The file has 100,000 rows: one such 1 %
(10,000 people at 1,000,000 residents)
as close contacts, the rest valid ID numbers of people who are not registered, plus a few bad rows.
It is sent through the console as an admin would: `POST /authority/control-list` (upload, check and
preview: counts, rejected rows, registered people named) and `POST .../apply` asking for the streamed
progress lines (check again, write the entries in one transaction, recolour the people named, commit).
Each step is timed from the client side of the Flask test client; the progress lines are counted.
Baseline: the same database's bare `SELECT count(*) FROM users`.

Run: .venv/bin/python bench/control_upload.py [--residents 1000000] [--rows 100000]
"""

import argparse
import io
import json
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serving import create_bench_app  # noqa: E402
from recompute import generate  # noqa: E402

GOAL_PREVIEW_SECONDS = 10.0
GOAL_APPLY_SECONDS = 10.0
BAD_ROWS = 25


def control_file(numbers: dict, rows: int) -> bytes:
    """CSV text: the registered people's numbers, then unregistered valid numbers, then bad rows."""
    from app.domain.idcard import check_character

    today = date.today()
    lines = ["doc_number,status,start,end"]
    lines += [f"{number},close_contact,{today - timedelta(days=1)}," for number in list(numbers.values())[:rows]]
    k = 0
    while len(lines) - 1 < rows - BAD_ROWS:
        first17 = f"469002{date(1960, 1, 1) + timedelta(days=k % 15000):%Y%m%d}{k // 15000:03d}"
        lines.append(f"{first17 + check_character(first17)},secondary_contact,{today},")
        k += 1
    lines += [
        f"4690021960010100{i:02d}{'1' if check_character(f'4690021960010100{i:02d}') != '1' else '2'},"
        f"close_contact,{today},"
        for i in range(BAD_ROWS)
    ]  # wrong check digits
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="onecode-upload-")
    try:
        app = create_bench_app(workdir)
        with app.app_context():
            from sqlalchemy import func, select, text

            from app.extensions import db
            from app.models import ControlUpload, User

            started = time.perf_counter()
            built = generate(args.residents)
            listed = built["numbers"][0]  # 1 % of the residents
            print(f"Generated {args.residents:,} residents in {time.perf_counter() - started:.1f} s")
            body = control_file(listed, args.rows)
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(built["admin_id"])
                session["_fresh"] = True

            started = time.perf_counter()
            db.session.execute(text("SELECT count(*) FROM users")).scalar()
            bare = time.perf_counter() - started

            started = time.perf_counter()
            response = client.post(
                "/authority/control-list",
                data={"file": (io.BytesIO(body), "bench.csv")},
                content_type="multipart/form-data",
            )
            preview = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            upload = db.session.scalar(select(ControlUpload).order_by(ControlUpload.id.desc()))
            assert upload.matched_people == len(listed), (upload.matched_people, len(listed))
            assert upload.rejected_rows == BAD_ROWS, upload.rejected_rows
            upload_id, matched = upload.id, upload.matched_people

            started = time.perf_counter()
            response = client.post(
                f"/authority/control-list/{upload_id}/apply", headers={"Accept": "application/x-ndjson"}
            )
            lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
            apply = time.perf_counter() - started
            assert lines[-1]["stage"] == "done", lines[-1]
            red = db.session.scalar(select(func.count()).select_from(User).where(User.colour == "red"))

        rows = [
            ("bare count(*) of users", bare, None, ""),
            (
                f"upload + check + preview ({args.rows:,} rows, {BAD_ROWS} bad)",
                preview,
                GOAL_PREVIEW_SECONDS,
                f"{matched:,} registered people named",
            ),
            (
                "apply: check, write, recolour, commit",
                apply,
                GOAL_APPLY_SECONDS,
                f"{lines[-1]['changed']:,} recoloured, {len(lines)} progress lines, {red:,} red now",
            ),
        ]
        print(f"\nControl-list upload through the console, {args.residents:,} residents (SQLite)")
        header = ("step", "seconds", "goal", "result", "notes")
        cells = [
            (
                what,
                f"{seconds:.2f}",
                "" if goal is None else f"≤ {goal:g} s",
                "" if goal is None else ("PASS" if seconds <= goal else "FAIL"),
                notes,
            )
            for what, seconds, goal, notes in rows
        ]
        widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(len(header))]
        print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
        print("-+-".join("-" * w for w in widths))
        for row in cells:
            print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
