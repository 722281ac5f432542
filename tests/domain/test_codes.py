"""The health code contract: ES256 compact JWS, kid = RFC 7638 thumbprint, offline verification."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app.domain import codes

NOW = 1_800_000_000


@pytest.fixture(scope="module")
def key():
    return codes.signing_key(ec.generate_private_key(ec.SECP256R1()))


def claims(**overrides):
    values = {
        "iss": "onecode-test",
        "jti": "AAAAAAAAAAAAAAAAAAAAAA",
        "colour": "green",
        "masked_name": "张*明",
        "kind": "self",
        "iat": NOW,
        "exp": NOW + 3600,
    }
    values.update(overrides)
    return codes.code_claims(**values)


def test_round_trip(key):
    token = codes.sign(claims(), key)
    assert codes.verify(token, {key.kid: key.private_key.public_key()}, NOW) == claims()


def test_header_and_claims_follow_the_contract(key):
    token = codes.sign(claims(), key)
    header = json.loads(codes.b64url_decode(token.split(".")[0]))
    assert header == {"alg": "ES256", "kid": key.kid, "typ": "ymt+jwt"}
    payload = json.loads(codes.b64url_decode(token.split(".")[1]))
    assert set(payload) == {"iss", "jti", "col", "nm", "knd", "iat", "exp"}
    assert len(codes.b64url_decode(token.split(".")[2])) == 64  # raw r||s, not DER


def test_kid_is_the_rfc7638_thumbprint():
    # RFC 7638 section 3.1 example uses RSA; compute the EC canonical form by hand instead.
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
    canonical = (
        '{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",'
        '"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'
    )
    import hashlib

    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert codes.thumbprint(jwk) == expected


def test_a_standard_jose_library_verifies_the_code(key):
    """PyJWT (not used by the app for signing) accepts the code with the published JWK."""
    now = int(time.time())
    token = codes.sign(claims(iat=now, exp=now + 3600), key)
    jwk = codes.public_jwk(key.private_key.public_key())
    public = jwt.PyJWK.from_dict(jwk)
    decoded = jwt.decode(token, public.key, algorithms=["ES256"])
    assert decoded["col"] == "green" and decoded["nm"] == "张*明"
    assert jwt.get_unverified_header(token)["kid"] == jwk["kid"]


def test_tampered_payload_is_rejected(key):
    header, payload, signature = codes.sign(claims(), key).split(".")
    forged = json.loads(codes.b64url_decode(payload))
    forged["col"] = "green" if forged["col"] != "green" else "red"
    token = ".".join([header, codes.b64url(json.dumps(forged).encode()), signature])
    with pytest.raises(codes.CodeInvalid) as error:
        codes.verify(token, {key.kid: key.private_key.public_key()}, NOW)
    assert error.value.reason == "bad_signature"


def test_signature_by_another_key_is_rejected(key):
    other = codes.signing_key(ec.generate_private_key(ec.SECP256R1()))
    forged = codes.sign(claims(), codes.SigningKey(kid=key.kid, private_key=other.private_key))
    with pytest.raises(codes.CodeInvalid) as error:
        codes.verify(forged, {key.kid: key.private_key.public_key()}, NOW)
    assert error.value.reason == "bad_signature"


def test_expired_code_is_rejected(key):
    token = codes.sign(claims(exp=NOW), key)
    with pytest.raises(codes.CodeInvalid) as error:
        codes.verify(token, {key.kid: key.private_key.public_key()}, NOW)
    assert error.value.reason == "expired"


def test_unknown_kid_is_rejected(key):
    token = codes.sign(claims(), key)
    with pytest.raises(codes.CodeInvalid) as error:
        codes.verify(token, {"some-other-kid": key.private_key.public_key()}, NOW)
    assert error.value.reason == "unknown_key"


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "YMT1:", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_is_malformed(key, text):
    with pytest.raises(codes.CodeInvalid) as error:
        codes.verify(text, {key.kid: key.private_key.public_key()}, NOW)
    assert error.value.reason == "malformed"


def test_qr_text_prefix():
    assert codes.qr_text("x.y.z") == "YMT1:x.y.z"
    assert codes.token_from_qr(" YMT1:x.y.z\n") == "x.y.z"
    with pytest.raises(codes.CodeInvalid):
        codes.token_from_qr("https://example.org/x.y.z")


def test_jwk_round_trip(key):
    jwk = codes.public_jwk(key.private_key.public_key())
    assert codes.thumbprint(jwk) == jwk["kid"] == key.kid
    assert codes.public_key_from_jwk(jwk).public_numbers() == key.private_key.public_key().public_numbers()
