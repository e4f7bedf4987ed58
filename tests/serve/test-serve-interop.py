#!/usr/bin/env python3
"""A real third-party OAuth client against oauth-sim serve: Authlib (Debian's python3-authlib,
on requests) reads the server's metadata, registers itself (RFC 7591), walks the authorization
code flow with PKCE S256 (the login and consent form posted as a browser would), calls the
API, refreshes and revokes, all over HTTP on loopback."""
import os
import re
import time
import urllib.parse

# Authlib insists on https except on "localhost"; this test runs on 127.0.0.1 only.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # noqa: E402

from serveutil import TIMEOUT, Serve, run  # noqa: E402

REDIRECT_URI = "http://127.0.0.1:8/authlib/callback"  # loopback: never opened, only compared


def discover(serve):
    answer = requests.get(serve.url("auth-server", "/.well-known/oauth-authorization-server"),
                          timeout=TIMEOUT)
    assert answer.status_code == 200, answer.status_code
    metadata = AuthorizationServerMetadata(answer.json())
    metadata.validate()  # RFC 8414 §2, as Authlib reads it
    assert metadata["issuer"] == serve.url("auth-server")
    assert "S256" in metadata["code_challenge_methods_supported"]
    return metadata


def register(metadata):
    answer = requests.post(metadata["registration_endpoint"], timeout=TIMEOUT, json={
        "client_name": "Authlib interop test",
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "calendar.read calendar.write"})
    assert answer.status_code == 201, (answer.status_code, answer.text)
    client = answer.json()
    assert client["redirect_uris"] == [REDIRECT_URI]
    assert client["client_id"] and client["client_secret"]
    return client


def sign_in_like_a_browser(serve, authorization_url, scopes):
    """Opens the authorization URL, fills in the login and consent form, and returns where the
    server sends the browser next (the redirect URI with the code)."""
    browser = requests.Session()
    page = browser.get(authorization_url, timeout=TIMEOUT, allow_redirects=False)
    assert page.status_code == 200, (page.status_code, page.text)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    offered = re.findall(r'type="checkbox" name="scope" value="([^"]+)"', page.text)
    assert sorted(offered) == ["calendar.read", "calendar.write"], offered
    form = [("request_id", request_id), ("username", "alice"), ("password", "wonderland")]
    form += [("scope", scope) for scope in scopes]
    form.append(("decision", "approve"))
    answer = browser.post(urllib.parse.urljoin(authorization_url, action), data=form,
                          timeout=TIMEOUT, allow_redirects=False)
    assert answer.status_code == 302, (answer.status_code, answer.text)
    return answer.headers["Location"]


def test_authlib_registers_authorizes_calls_refreshes_and_revokes():
    with Serve() as serve:
        metadata = discover(serve)
        client = register(metadata)
        session = OAuth2Session(client["client_id"], client["client_secret"],
                                scope="calendar.read calendar.write", redirect_uri=REDIRECT_URI,
                                code_challenge_method="S256",
                                token_endpoint_auth_method="client_secret_basic")
        verifier = generate_token(64)
        url, state = session.create_authorization_url(metadata["authorization_endpoint"],
                                                      code_verifier=verifier)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["code_challenge_method"] == ["S256"], query

        location = sign_in_like_a_browser(serve, url, ["calendar.read"])
        assert location.startswith(REDIRECT_URI + "?"), location
        returned = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        assert returned["state"] == [state], returned

        # Authlib checks the state, sends the code with its secret (HTTP Basic) and the verifier.
        token = session.fetch_token(metadata["token_endpoint"], authorization_response=location,
                                    code_verifier=verifier)
        assert token["token_type"] == "Bearer", token
        assert token["scope"] == "calendar.read", token
        assert token["access_token"].startswith("at_") and token["refresh_token"].startswith("rt_")
        # Authlib repeats its requested scope when it refreshes; asking for more than the owner
        # granted would be invalid_scope (RFC 6749 §6), so it asks for what it got.
        session.scope = token["scope"]

        api = serve.url("api", "/calendar/events")
        events = session.get(api, timeout=TIMEOUT)
        assert events.status_code == 200, (events.status_code, events.text)
        assert [e["title"] for e in events.json()["events"]] == ["Team meeting", "Dentist"]
        # Only the scope the owner ticked: no writing.
        write = session.post(api, json={"title": "x", "start": "2026-03-04T09:00:00Z"},
                             timeout=TIMEOUT)
        assert write.status_code == 403, write.status_code
        assert 'error="insufficient_scope"' in write.headers["WWW-Authenticate"]

        # Refresh: a new access token, and (rotation) a new refresh token.
        first = dict(token)
        refreshed = session.refresh_token(metadata["token_endpoint"])
        assert refreshed["access_token"] != first["access_token"]
        assert refreshed["refresh_token"] != first["refresh_token"]
        assert session.get(api, timeout=TIMEOUT).status_code == 200

        # Revoke the access token: the API refuses it from now on.
        revoked = session.revoke_token(metadata["revocation_endpoint"],
                                       token=refreshed["access_token"],
                                       token_type_hint="access_token")
        assert revoked.status_code == 200, (revoked.status_code, revoked.text)
        after = session.get(api, timeout=TIMEOUT)
        assert after.status_code == 401, after.status_code
        assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]

        # The trace shows the whole conversation, the API asking the server over HTTP.
        # The last steps reach the trace through a pipe a moment after their answers reach us:
        # wait (boundedly) for all four of the API's introspections to be printed.
        trace = serve.wait_for("revocation")
        deadline = time.monotonic() + TIMEOUT
        while trace.count("api → auth-server  (while answering step") < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
            trace = serve.trace()
        assert "python-requests → auth-server\n  POST " + metadata["registration_endpoint"] in trace
        assert "python-requests → auth-server\n  POST " + metadata["token_endpoint"] in trace
        assert trace.count("api → auth-server  (while answering step") >= 4, trace
        assert "· refresh ·" in trace and "· revocation ·" in trace


def test_authlib_public_client_with_pkce_only():
    with Serve() as serve:
        metadata = discover(serve)
        answer = requests.post(metadata["registration_endpoint"], timeout=TIMEOUT, json={
            "client_name": "Authlib public client", "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code"], "token_endpoint_auth_method": "none",
            "scope": "calendar.read"})
        assert answer.status_code == 201, answer.text
        client = answer.json()
        assert "client_secret" not in client
        session = OAuth2Session(client["client_id"], scope="calendar.read",
                                redirect_uri=REDIRECT_URI, code_challenge_method="S256",
                                token_endpoint_auth_method="none")
        verifier = generate_token(64)
        url, _ = session.create_authorization_url(metadata["authorization_endpoint"],
                                                  code_verifier=verifier)
        browser = requests.Session()
        page = browser.get(url, timeout=TIMEOUT)
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
        location = browser.post(serve.url("auth-server", "/consent"), timeout=TIMEOUT,
                                allow_redirects=False,
                                data=[("request_id", request_id), ("username", "alice"),
                                      ("password", "wonderland"), ("scope", "calendar.read"),
                                      ("decision", "approve")]).headers["Location"]
        # The wrong verifier is refused (RFC 7636 §4.6)...
        wrong = requests.post(metadata["token_endpoint"], timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "client_id": client["client_id"],
            "code": urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0],
            "redirect_uri": REDIRECT_URI, "code_verifier": generate_token(64)})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", wrong.text


run([test_authlib_registers_authorizes_calls_refreshes_and_revokes,
     test_authlib_public_client_with_pkce_only])
