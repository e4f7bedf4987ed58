#!/usr/bin/env python3
"""sim/jose.c against a third-party JOSE library: PyJWT (Debian's python3-jwt, with
python3-cryptography underneath) verifies the ES256 tokens oauth-sim signs and reads its JWKs,
computes the same RFC 7638 thumbprint, and signs tokens that oauth-sim verifies; a token
PyJWT signs with another key, or with HS256, oauth-sim refuses. Run by /usr/bin/python3
(tests/meson.build), where Debian's packages are."""
import base64
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import run  # noqa: E402

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

SAMPLE = sys.argv[1]
CLAIMS = {"iss": "https://auth.example", "sub": "alice", "aud": "https://api.example",
          "exp": 1767258000, "iat": 1767254400, "jti": "j1", "client_id": "c1",
          "scope": "calendar.read"}


def sample(*args):
    return subprocess.run([
    SAMPLE, *args], capture_output=True, text=True, timeout=30)


def signed(seed, kid="2026-1", claims=None):
    result = sample("sign", str(seed), kid, json.dumps(claims or CLAIMS))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk):
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    text = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(text.encode()).digest())


out = signed(20260302)
key = jwt.PyJWK(out["jwk"])


def test_pyjwt_reads_the_jwk():
    """PyJWT reads the public JWK as an ES256 key on P-256"""
    assert key.key_type == "EC", key.key_type
    assert isinstance(key.key, ec.EllipticCurvePublicKey)
    assert key.key.curve.name == "secp256r1"
    assert out["jwk"]["alg"] == "ES256" and out["jwk"]["use"] == "sig"
    assert out["jwk"]["kid"] == "2026-1"
    assert "d" not in out["jwk"]


def test_pyjwt_verifies_the_token():
    """PyJWT verifies the signed token, and reads its header and claims"""
    header = jwt.get_unverified_header(out["token"])
    assert header == {"alg": "ES256", "kid": "2026-1", "typ": "at+jwt"}, header
    claims = jwt.decode(out["token"], key.key, algorithms=["ES256"],
                        audience="https://api.example", options={"verify_exp": False})
    assert claims == CLAIMS, claims


def test_pyjwt_refuses_a_changed_payload():
    """PyJWT refuses the token once its payload says another scope"""
    head, payload, signature = out["token"].split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["scope"] = "calendar.write"
    forged = ".".join([head, b64url(json.dumps(body).encode()), signature])
    try:
        jwt.decode(forged, key.key, algorithms=["ES256"], options={"verify_exp": False,
                                                                   "verify_aud": False})
    except jwt.InvalidSignatureError:
        return
    raise AssertionError("the forged token verified")


def test_thumbprint_is_rfc7638():
    """the RFC 7638 thumbprint is the one computed here from the JWK"""
    assert out["thumbprint"] == thumbprint(out["jwk"]), out["thumbprint"]


def test_same_seed_same_key():
    """the same seed gives the same key and token; another seed another key"""
    again = signed(20260302)
    assert again == out
    other = signed(20260303)
    assert other["jwk"]["x"] != out["jwk"]["x"]


def test_oauth_sim_verifies_a_pyjwt_token():
    """oauth-sim verifies a token PyJWT signed with its own P-256 key"""
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    jwk["kid"] = "theirs"
    token = jwt.encode(CLAIMS, private, algorithm="ES256", headers={"kid": "theirs"})
    result = sample("verify", token, json.dumps(jwk))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["claims"] == CLAIMS

    # The same token against oauth-sim's key: a kid it does not have.
    wrong = sample("verify", token, json.dumps(out["jwk"]))
    assert wrong.returncode == 1 and "names key" in wrong.stderr, wrong.stderr


def test_oauth_sim_refuses_another_key():
    """oauth-sim refuses a token PyJWT signed with another key of the same kid"""
    private = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(CLAIMS, private, algorithm="ES256", headers={"kid": "2026-1"})
    result = sample("verify", token, json.dumps(out["jwk"]))
    assert result.returncode == 1 and "does not verify" in result.stderr, result.stderr


def test_oauth_sim_refuses_hs256_confusion():
    """oauth-sim refuses HS256 keyed with its public key (algorithm confusion)"""
    secret = json.dumps(out["jwk"]).encode()
    token = jwt.encode(CLAIMS, secret, algorithm="HS256", headers={"kid": "2026-1"})
    result = sample("verify", token, json.dumps(out["jwk"]))
    assert result.returncode == 1 and "HS256" in result.stderr, result.stderr


run([
    test_pyjwt_reads_the_jwk,
    test_pyjwt_verifies_the_token,
    test_pyjwt_refuses_a_changed_payload,
    test_thumbprint_is_rfc7638,
    test_same_seed_same_key,
    test_oauth_sim_verifies_a_pyjwt_token,
    test_oauth_sim_refuses_another_key,
    test_oauth_sim_refuses_hs256_confusion,
])
