"""Benchmark: signing and verifying health codes (app.domain.codes) with a P-256 key.

Signs realistic code claims (code_claims + sign: header and claims JSON, base64url, ES256, raw r||s)
in a loop for about SECONDS, ROUNDS times, best round counts; then the same for verify against a
one-key keyring. One thread, no Flask, no database. Prints one table and the goal line.

Run: .venv/bin/python bench/signatures.py
"""

import secrets
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain import codes

SECONDS = 2.0
ROUNDS = 3
GOAL_PER_SECOND = 10_000


def _rate(operation) -> tuple[int, float]:
    """(count, seconds) of the best of ROUNDS runs of `operation` for about SECONDS each."""
    best = (0, 1.0)
    for _ in range(ROUNDS):
        count = 0
        started = time.perf_counter()
        deadline = started + SECONDS
        while time.perf_counter() < deadline:
            for _ in range(100):
                operation()
            count += 100
        seconds = time.perf_counter() - started
        if count / seconds > best[0] / best[1]:
            best = (count, seconds)
    return best


def main() -> int:
    key = codes.signing_key(ec.generate_private_key(ec.SECP256R1()))
    keyring = {key.kid: key.private_key.public_key()}
    now = int(time.time())
    jti = codes.b64url(secrets.token_bytes(16))

    def sign_once():
        claims = codes.code_claims(
            iss="onecode-dev", jti=jti, colour="green", masked_name="张*明", kind="self", iat=now, exp=now + 2 * 86400
        )
        return codes.sign(claims, key)

    token = sign_once()
    assert codes.verify(token, keyring, now)["nm"] == "张*明"
    rows = [
        ("sign (code_claims + sign, ES256)", *_rate(sign_once)),
        ("verify (verify, ES256)", *_rate(lambda: codes.verify(token, keyring, now))),
    ]

    print(f"Health-code signatures, P-256, one thread, best of {ROUNDS} × ~{SECONDS:g} s")
    header = ("operation", "count", "seconds", "per second")
    widths = (max(len(header[0]), *(len(r[0]) for r in rows)), 8, 8, 10)
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for label, count, seconds in rows:
        print(
            " | ".join(
                [
                    label.ljust(widths[0]),
                    f"{count:>{widths[1]}}",
                    f"{seconds:>{widths[2]}.2f}",
                    f"{count / seconds:>{widths[3]},.0f}",
                ]
            )
        )
    per_second = rows[0][1] / rows[0][2]
    verdict = "PASS" if per_second >= GOAL_PER_SECOND else "FAIL"
    print(f"goal: ≥ {GOAL_PER_SECOND:,} signatures/s — {verdict} ({per_second:,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
