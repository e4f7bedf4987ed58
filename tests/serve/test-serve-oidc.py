#!/usr/bin/env python3
"""OpenID Connect against oauth-sim serve with a real client library: Authlib (Debian's
python3-authlib) registers a client with scope openid, walks the authorization code flow with a
nonce and PKCE, and validates the ID token with its own JOSE and OpenID Connect code
(authlib.jose, authlib.oidc.core.CodeIDToken): the signature against the JWK Set served at the
jwks_uri, iss, aud, exp, iat, nonce and at_hash. Then it reads the UserInfo endpoint."""
import os
import re
import urllib.parse

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on 127.0.0.1 only

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.jose.errors import BadSignatureError, InvalidClaimError  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

from serveutil import TIMEOUT, Serve, run  # noqa: E402

REDIRECT_URI = "http://127.0.0.1:8/authlib/callback"  # loopback: never opened, only compared
SCENARIO = os.path.join(os.environ["SCENARIOS_DIR"], "oidc", "sign-in.json")
SCOPE = "openid profile email calendar.read"


def discover(serve):
    answer = requests.get(serve.url("auth-server", "/.well-known/openid-configuration"),
                          timeout=TIMEOUT)
    assert answer.status_code == 200, answer.status_code
    metadata = answer.json()
    # Discovery §4.3: the issuer is the URL the document was asked of.
    assert metadata["issuer"] == serve.url("auth-server"), metadata
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                 "registration_endpoint"):
        assert metadata[name].startswith(metadata["issuer"] + "/"), (name, metadata)
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["subject_types_supported"] == ["public"]
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]
    return metadata


def register(metadata):
    answer = requests.post(metadata["registration_endpoint"], timeout=TIMEOUT, json={
        "client_name": "Authlib OpenID Connect test", "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code"], "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic", "scope": SCOPE,
        "id_token_signed_response_alg": "ES256"})
    assert answer.status_code == 201, (answer.status_code, answer.text)
    client = answer.json()
    assert client["id_token_signed_response_alg"] == "ES256", client
    return client


def sign_in(serve, url):
    """The owner's browser: the login and consent page, every scope ticked, approve."""
    browser = requests.Session()
    page = browser.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, (page.status_code, page.text)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    offered = re.findall(r'type="checkbox" name="scope" value="([^"]+)"', page.text)
    assert "openid" in offered, offered
    form = [("request_id", request_id), ("username", "alice"), ("password", "wonderland")]
    form += [("scope", scope) for scope in offered] + [("decision", "approve")]
    answer = browser.post(serve.url("auth-server", "/consent"), data=form, timeout=TIMEOUT,
                          allow_redirects=False)
    assert answer.status_code == 302, (answer.status_code, answer.text)
    return answer.headers["Location"]


def validate(id_token, jwks, metadata, client, nonce, access_token):
    claims = jwt.decode(id_token, JsonWebKey.import_key_set(jwks), claims_cls=CodeIDToken,
                        claims_options={"iss": {"values": [metadata["issuer"]]}},
                        claims_params={"nonce": nonce, "client_id": client["client_id"],
                                       "access_token": access_token})
    claims.validate()
    return claims


def test_authlib_signs_in_with_openid_connect():
    with Serve("--scenario", SCENARIO) as serve:
        metadata = discover(serve)
        client = register(metadata)
        session = OAuth2Session(client["client_id"], client["client_secret"], scope=SCOPE,
                                redirect_uri=REDIRECT_URI, code_challenge_method="S256")
        nonce, verifier = generate_token(20), generate_token(64)
        url, state = session.create_authorization_url(metadata["authorization_endpoint"],
                                                      nonce=nonce, code_verifier=verifier)
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["nonce"] == [nonce]
        location = sign_in(serve, url)
        token = session.fetch_token(metadata["token_endpoint"], authorization_response=location,
                                    code_verifier=verifier)
        assert "id_token" in token, token

        jwks = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
        assert [k["kty"] + "/" + k["crv"] for k in jwks["keys"]] == ["EC/P-256"], jwks
        claims = validate(token["id_token"], jwks, metadata, client, nonce, token["access_token"])
        assert claims["sub"] == "alice" and claims["aud"] == client["client_id"], claims
        assert claims["iss"] == metadata["issuer"] and claims["nonce"] == nonce, claims

        # Authlib's checks can fail: another nonce, another access token, a changed signature.
        for params, error in (({"nonce": "another"}, InvalidClaimError),
                              ({"access_token": "at_other"}, InvalidClaimError)):
            try:
                jwt.decode(token["id_token"], JsonWebKey.import_key_set(jwks), claims_cls=CodeIDToken,
                           claims_params={"nonce": nonce, "client_id": client["client_id"],
                                          "access_token": token["access_token"], **params}).validate()
                raise AssertionError(f"{params} was accepted")
            except error:
                pass
        header, payload, signature = token["id_token"].split(".")
        forged = ".".join([header, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
        try:
            jwt.decode(forged, JsonWebKey.import_key_set(jwks))
            raise AssertionError("a changed signature was accepted")
        except BadSignatureError:
            pass

        # UserInfo with the access token: the claims the scopes release.
        info = session.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
        assert info.status_code == 200, (info.status_code, info.text)
        assert info.json() == {"sub": "alice", "name": "Alice Liddell", "email": "alice@example.com",
                               "email_verified": False}, info.json()
        bare = requests.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
        assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Bearer")
        serve.wait_for("GET " + metadata["userinfo_endpoint"])


run([test_authlib_signs_in_with_openid_connect])
