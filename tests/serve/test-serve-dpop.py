#!/usr/bin/env python3
"""DPoP (RFC 9449) against oauth-sim serve, with proofs made by a third-party JOSE library:
PyJWT on python3-cryptography (Debian's python3-jwt) signs them with a key of its own, and
requests carries them. The server and the API of the nonce lesson check every proof, bind the
tokens to the key and ask for their nonces; a bearer use and a replayed proof are refused.
Introspection names the binding by the key's RFC 7638 thumbprint, computed here; a public
client's refresh token works only with a proof from its key; a server without DPoP neither
advertises it nor registers a client that asks for it."""
import base64
import hashlib
import json
import os
import re
import secrets
import time
import urllib.parse

import jwt  # noqa: E402  PyJWT
import requests  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from jwt.algorithms import ECAlgorithm  # noqa: E402

from serveutil import TIMEOUT, Serve, run  # noqa: E402

SCENARIO = os.path.join(os.environ["SCENARIOS_DIR"], "dpop", "nonce.json")
HAPPY_PATH = os.path.join(os.environ["SCENARIOS_DIR"], "dpop", "happy-path.json")
REDIRECT_URI = "http://127.0.0.1:9/callback"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Prover:
    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.jwk = json.loads(ECAlgorithm.to_jwk(self.key.public_key()))

    def proof(self, method, url, nonce=None, token=None):
        claims = {"jti": secrets.token_urlsafe(12), "htm": method, "htu": url, "iat": int(time.time())}
        if nonce:
            claims["nonce"] = nonce
        if token:
            claims["ath"] = b64url(hashlib.sha256(token.encode()).digest())
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self.jwk})

    def thumbprint(self):
        """RFC 7638 §3.2: the required members in lexicographic order, no white space."""
        members = {name: self.jwk[name] for name in ("crv", "kty", "x", "y")}
        text = json.dumps(members, separators=(",", ":"), sort_keys=True)
        return b64url(hashlib.sha256(text.encode()).digest())


def discover(serve):
    return requests.get(serve.url("auth-server", "/.well-known/oauth-authorization-server"),
                        timeout=TIMEOUT).json()


def register(metadata, **extra):
    fields = {"client_name": "PyJWT DPoP test", "redirect_uris": [REDIRECT_URI],
              "grant_types": ["authorization_code", "refresh_token"],
              "token_endpoint_auth_method": "client_secret_basic", "scope": "calendar.read"}
    fields.update(extra)
    return requests.post(metadata["registration_endpoint"], json=fields, timeout=TIMEOUT)


def tokens_for(serve, metadata, client, prover, auth=None):
    """The code flow with PKCE; the token request carries @prover's proof. Returns the answer."""
    verifier = secrets.token_urlsafe(48)
    code = code_for(serve, client, b64url(hashlib.sha256(verifier.encode()).digest()))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier}
    if auth is None:
        form["client_id"] = client["client_id"]
    return requests.post(metadata["token_endpoint"], data=form, auth=auth, timeout=TIMEOUT,
                         headers={"DPoP": prover.proof("POST", metadata["token_endpoint"])})


def code_for(serve, client, challenge):
    browser = requests.Session()
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client["client_id"],
                                    "redirect_uri": REDIRECT_URI, "scope": "calendar.read",
                                    "state": "st_dpop", "code_challenge": challenge,
                                    "code_challenge_method": "S256"})
    page = browser.get(serve.url("auth-server", "/authorize?" + query), timeout=TIMEOUT)
    assert page.status_code == 200, (page.status_code, page.text)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    answer = browser.post(serve.url("auth-server", "/consent"), timeout=TIMEOUT, allow_redirects=False,
                          data=[("request_id", request_id), ("username", "alice"), ("password", "wonderland"),
                                ("scope", "calendar.read"), ("decision", "approve")])
    assert answer.status_code == 302, (answer.status_code, answer.text)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(answer.headers["Location"]).query)["code"][0]


def test_pyjwt_proofs_walk_dpop():
    with Serve("--scenario", SCENARIO) as serve:
        metadata = requests.get(serve.url("auth-server", "/.well-known/oauth-authorization-server"),
                                timeout=TIMEOUT).json()
        assert metadata["dpop_signing_alg_values_supported"] == ["ES256"], metadata
        client = requests.post(metadata["registration_endpoint"], timeout=TIMEOUT, json={
            "client_name": "PyJWT DPoP test", "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "client_secret_basic", "scope": "calendar.read",
            "dpop_bound_access_tokens": True}).json()
        assert client["dpop_bound_access_tokens"] is True, client
        verifier = secrets.token_urlsafe(48)
        code = code_for(serve, client, b64url(hashlib.sha256(verifier.encode()).digest()))
        token_url = metadata["token_endpoint"]
        auth = (client["client_id"], client["client_secret"])
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier}
        prover = Prover()

        # §5.2: a dpop_bound_access_tokens client's request without a proof is refused
        bare = requests.post(token_url, data=form, auth=auth, timeout=TIMEOUT)
        assert bare.status_code == 400 and bare.json()["error"] == "invalid_dpop_proof", bare.text
        # §8: the server wants its nonce
        first = requests.post(token_url, data=form, auth=auth, timeout=TIMEOUT,
                              headers={"DPoP": prover.proof("POST", token_url)})
        assert first.status_code == 400 and first.json()["error"] == "use_dpop_nonce", first.text
        nonce = first.headers["DPoP-Nonce"]
        # a proof for another method is refused (§4.3)
        wrong = requests.post(token_url, data=form, auth=auth, timeout=TIMEOUT,
                              headers={"DPoP": prover.proof("GET", token_url, nonce)})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_dpop_proof", wrong.text
        tokens = requests.post(token_url, data=form, auth=auth, timeout=TIMEOUT,
                               headers={"DPoP": prover.proof("POST", token_url, nonce)})
        assert tokens.status_code == 200, tokens.text
        assert tokens.json()["token_type"] == "DPoP", tokens.json()
        access = tokens.json()["access_token"]

        api_url = serve.url("api", "/calendar/events")
        # §7.2: a bound token as a bearer token is refused
        bearer = requests.get(api_url, headers={"Authorization": "Bearer " + access}, timeout=TIMEOUT)
        assert bearer.status_code == 401, bearer.text
        assert bearer.headers["WWW-Authenticate"].startswith('DPoP algs="ES256", error="invalid_token"'), bearer.headers
        # §9: the API's own nonce, then the call
        ask = requests.get(api_url, timeout=TIMEOUT, headers={
            "Authorization": "DPoP " + access, "DPoP": prover.proof("GET", api_url, token=access)})
        assert ask.status_code == 401 and 'error="use_dpop_nonce"' in ask.headers["WWW-Authenticate"], ask.headers
        api_nonce = ask.headers["DPoP-Nonce"]
        good = prover.proof("GET", api_url, api_nonce, access)
        call = requests.get(api_url, timeout=TIMEOUT, headers={"Authorization": "DPoP " + access, "DPoP": good})
        assert call.status_code == 200 and "events" in call.json(), call.text
        # §11.1: the same proof again is a replay
        again = requests.get(api_url, timeout=TIMEOUT, headers={"Authorization": "DPoP " + access, "DPoP": good})
        assert again.status_code == 401 and 'error="invalid_dpop_proof"' in again.headers["WWW-Authenticate"], again.headers
        # another key's proof for the same token: not the key it is bound to (§7.1)
        thief = Prover().proof("GET", api_url, api_nonce, access)
        stolen = requests.get(api_url, timeout=TIMEOUT, headers={"Authorization": "DPoP " + access, "DPoP": thief})
        assert stolen.status_code == 401 and 'error="invalid_dpop_proof"' in stolen.headers["WWW-Authenticate"], stolen.headers
        serve.wait_for("GET " + api_url)


def test_introspection_names_the_key():
    """RFC 9449 §6.2: token_type DPoP and cnf.jkt, the thumbprint of the proof's key; the API's
    DPoP challenges name the algorithms (§7.1)."""
    with Serve("--scenario", HAPPY_PATH) as serve:
        metadata = discover(serve)
        client = register(metadata, dpop_bound_access_tokens=True).json()
        auth = (client["client_id"], client["client_secret"])
        prover = Prover()
        tokens = tokens_for(serve, metadata, client, prover, auth)
        assert tokens.status_code == 200 and tokens.json()["token_type"] == "DPoP", tokens.text
        access, refresh = tokens.json()["access_token"], tokens.json()["refresh_token"]

        # a client may introspect its own tokens (RFC 7662 §2.1)
        info = requests.post(metadata["introspection_endpoint"], auth=auth, timeout=TIMEOUT,
                             data={"token": access}).json()
        assert info["active"] is True and info["token_type"] == "DPoP", info
        assert info["cnf"] == {"jkt": prover.thumbprint()}, (info, prover.thumbprint())
        # a confidential client's refresh token is bound to its credentials, not to the key (§5)
        info = requests.post(metadata["introspection_endpoint"], auth=auth, timeout=TIMEOUT,
                             data={"token": refresh}).json()
        assert info["active"] is True and info["token_type"] == "refresh_token" and "cnf" not in info, info

        api_url = serve.url("api", "/calendar/events")
        # no token: both challenges, Bearer (RFC 6750 §3.1) and DPoP with its algorithms (§7.1)
        none = requests.get(api_url, timeout=TIMEOUT)
        assert none.status_code == 401, none.text
        assert none.headers["WWW-Authenticate"] == 'Bearer realm="calendar", DPoP algs="ES256"', none.headers
        # §7.1: the DPoP scheme without a proof
        bare = requests.get(api_url, headers={"Authorization": "DPoP " + access}, timeout=TIMEOUT)
        assert bare.status_code == 401, bare.text
        assert bare.headers["WWW-Authenticate"].startswith('DPoP algs="ES256", error="invalid_dpop_proof"'), bare.headers
        # §7.1: a proof made for another token (its ath)
        other = requests.get(api_url, timeout=TIMEOUT, headers={
            "Authorization": "DPoP " + access, "DPoP": prover.proof("GET", api_url, token="at_another")})
        assert other.status_code == 401, other.text
        assert other.headers["WWW-Authenticate"].startswith('DPoP algs="ES256", error="invalid_dpop_proof"'), other.headers
        call = requests.get(api_url, timeout=TIMEOUT, headers={
            "Authorization": "DPoP " + access, "DPoP": prover.proof("GET", api_url, token=access)})
        assert call.status_code == 200 and "events" in call.json(), call.text
        serve.wait_for("GET " + api_url)


def test_public_client_refresh_is_bound():
    """RFC 9449 §5: a public client's refresh token is bound to the key of the proof it was
    issued with; a refresh without a proof, or with another key's, is refused."""
    with Serve("--scenario", HAPPY_PATH) as serve:
        metadata = discover(serve)
        token_url = metadata["token_endpoint"]
        # not dpop_bound_access_tokens: the refusal below is the refresh token's own binding
        client = register(metadata, token_endpoint_auth_method="none").json()
        assert "client_secret" not in client, client
        prover = Prover()
        tokens = tokens_for(serve, metadata, client, prover)
        assert tokens.status_code == 200 and tokens.json()["token_type"] == "DPoP", tokens.text
        form = {"grant_type": "refresh_token", "refresh_token": tokens.json()["refresh_token"],
                "client_id": client["client_id"]}

        bare = requests.post(token_url, data=form, timeout=TIMEOUT)
        assert bare.status_code == 400 and bare.json()["error"] == "invalid_dpop_proof", bare.text
        assert "refresh token is bound" in bare.json()["error_description"], bare.text
        thief = requests.post(token_url, data=form, timeout=TIMEOUT,
                              headers={"DPoP": Prover().proof("POST", token_url)})
        assert thief.status_code == 400 and thief.json()["error"] == "invalid_dpop_proof", thief.text
        # refused, the refresh token is still good for the key's holder
        again = requests.post(token_url, data=form, timeout=TIMEOUT,
                              headers={"DPoP": prover.proof("POST", token_url)})
        assert again.status_code == 200 and again.json()["token_type"] == "DPoP", again.text
        # the new refresh token (a public client's rotates) is bound to the same key
        form["refresh_token"] = again.json()["refresh_token"]
        thief = requests.post(token_url, data=form, timeout=TIMEOUT,
                              headers={"DPoP": Prover().proof("POST", token_url)})
        assert thief.status_code == 400 and thief.json()["error"] == "invalid_dpop_proof", thief.text
        serve.wait_for("POST " + token_url)


def test_server_without_dpop():
    """RFC 9449 §5.1: no dpop_signing_alg_values_supported; §5.2: a client that asks for
    dpop_bound_access_tokens is refused (the server could not keep the promise); a DPoP header
    is ignored and the token is a bearer token, as at any server that does not know DPoP."""
    with Serve() as serve:
        metadata = discover(serve)
        assert "dpop_signing_alg_values_supported" not in metadata, metadata
        refused = register(metadata, dpop_bound_access_tokens=True)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_client_metadata", refused.text
        client = register(metadata, dpop_bound_access_tokens=False).json()
        assert client.get("dpop_bound_access_tokens") is not True, client
        tokens = tokens_for(serve, metadata, client, Prover(), (client["client_id"], client["client_secret"]))
        assert tokens.status_code == 200 and tokens.json()["token_type"] == "Bearer", tokens.text
        # an API without DPoP challenges with Bearer alone
        none = requests.get(serve.url("api", "/calendar/events"), timeout=TIMEOUT)
        assert none.status_code == 401 and none.headers["WWW-Authenticate"] == 'Bearer realm="calendar"', none.headers
    with Serve("--scenario", HAPPY_PATH) as serve:
        metadata = discover(serve)
        wrong = register(metadata, dpop_bound_access_tokens="yes")
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client_metadata", wrong.text


run([test_pyjwt_proofs_walk_dpop, test_introspection_names_the_key, test_public_client_refresh_is_bound,
     test_server_without_dpop])
