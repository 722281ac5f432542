"""Shared data of the gate benchmarks: residents with one real signed self code each, inserted in bulk."""

import secrets

NAMES = ("张小明", "李华", "王芳", "欧阳娜娜", "陈伟")
REVOKED_EVERY = 100  # 1 % of the codes are revoked (the one at 50 of every 100: none below 51 codes)


def colour_of(index: int) -> str:
    """85 % green, 10 % yellow, 5 % red."""
    slot = index % 20
    return "red" if slot == 0 else "yellow" if slot in (1, 2) else "green"


def populate_codes(app, count: int) -> list[dict]:
    """Insert `count` residents (ids from 1000) with a profile and one self code each, signed with the app's
    active key, and revoke 1 % of the codes; returns each code as a gate sees it: its QR text, the verdict a
    gate should reach ([result, reason]), the colour it carries and its owner's id."""
    from flask import current_app
    from sqlalchemy import insert

    from app.domain import codes
    from app.domain.masking import mask_name
    from app.extensions import db
    from app.infra import clock, keys
    from app.infra.documents import doc_hash
    from app.models import CodeRevocation, IssuedCode, User

    with app.app_context():
        key = keys.active_key()
        now = clock.now_utc().replace(microsecond=0)
        expires_at = clock.end_of_next_day_utc(now)
        today, issuer = clock.local_today(), current_app.config["CODE_ISSUER"]
        users, issued, revocations, gate = [], [], [], []
        for index in range(count):
            user_id, name, colour = 1000 + index, NAMES[index % len(NAMES)], colour_of(index)
            jti = codes.b64url(secrets.token_bytes(16))
            claims = codes.code_claims(
                iss=issuer,
                jti=jti,
                colour=colour,
                masked_name=mask_name(name),
                kind="self",
                iat=clock.epoch(now),
                exp=clock.epoch(expires_at),
            )
            token = codes.sign(claims, key)
            revoked = index % REVOKED_EVERY == REVOKED_EVERY // 2
            users.append(
                {
                    "id": user_id,
                    "phone": f"138{index:08d}",
                    "role": "resident",
                    "created_at": now,
                    "name": name,
                    "doc_kind": "resident_id",
                    "doc_hash": doc_hash("resident_id", f"bench-{index}"),
                    "doc_masked": "4****************1",
                    "address": "海口市滨海大道1号",
                    "district": "460105",
                    "promised_at": now,
                    "colour": colour,
                    "evaluated_on": today,
                    "code_jti": jti,
                    "code_issued_at": now,
                    "code_expires_at": expires_at,
                }
            )
            issued.append(
                {
                    "jti": jti,
                    "user_id": user_id,
                    "kind": "self",
                    "colour": colour,
                    "kid": key.kid,
                    "token": token,
                    "issued_at": now,
                    "expires_at": expires_at,
                }
            )
            if revoked:
                revocations.append(
                    {"jti": jti, "expires_at": expires_at, "revoked_at": now, "reason": "colour_changed"}
                )
            expected = ["deny", "revoked"] if revoked else ["pass", "ok"] if colour == "green" else ["deny", colour]
            gate.append({"qr_text": codes.qr_text(token), "expected": expected, "colour": colour, "user_id": user_id})
        db.session.execute(insert(User), users)
        db.session.execute(insert(IssuedCode), issued)
        if revocations:  # an empty list would be an INSERT of one row of defaults
            db.session.execute(insert(CodeRevocation), revocations)
        db.session.commit()
    return gate
