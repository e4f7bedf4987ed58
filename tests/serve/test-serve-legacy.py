#!/usr/bin/env python3
"""The legacy grants over real HTTP (docs/profiles.md): under `oauth-sim serve --profile
rfc6749`, a third-party client on requests (Debian's python3-requests) uses the password
grant (RFC 6749 §4.3) and the implicit grant (§4.2) and calls the API with what it gets; the
demo client's own password sign-in works too. Under the default profile both are refused as
they always were: unsupported_grant_type and unsupported_response_type."""
import os
import re
import urllib.parse

import requests

from serveutil import TIMEOUT, Serve, run

DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
REDIRECT_URI = "http://127.0.0.1:8/legacy/callback"  # loopback: never opened, only compared
LESSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios",
                      "legacy", "password.json")


def register(serve, grant_types, auth_method="client_secret_basic"):
    metadata = {"client_name": "Legacy test", "grant_types": grant_types,
                "token_endpoint_auth_method": auth_method, "scope": "calendar.read"}
    if "implicit" in grant_types or "authorization_code" in grant_types:
        metadata["redirect_uris"] = [REDIRECT_URI]
    return requests.post(serve.url("auth-server", "/register"), json=metadata, timeout=TIMEOUT)


def calendar(serve, token):
    return requests.get(serve.url("api", "/calendar/events"), timeout=TIMEOUT,
                        headers={"Authorization": f"Bearer {token}"})


def test_password_grant_under_rfc6749():
    with Serve("--profile", "rfc6749") as serve:
        metadata = requests.get(serve.url("auth-server", "/.well-known/oauth-authorization-server"),
                                timeout=TIMEOUT).json()
        assert "password" in metadata["grant_types_supported"], metadata
        answer = register(serve, ["password"])
        assert answer.status_code == 201, answer.text
        client = answer.json()
        auth = (client["client_id"], client["client_secret"])
        wrong = requests.post(serve.url("auth-server", "/token"), auth=auth, timeout=TIMEOUT, data={
            "grant_type": "password", "username": "alice", "password": "guess"})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", wrong.text
        tokens = requests.post(serve.url("auth-server", "/token"), auth=auth, timeout=TIMEOUT, data={
            "grant_type": "password", "username": "alice", "password": "wonderland",
            "scope": "calendar.read"})
        assert tokens.status_code == 200, tokens.text
        assert tokens.json()["scope"] == "calendar.read"
        events = calendar(serve, tokens.json()["access_token"])
        assert events.status_code == 200 and events.json()["events"], events.text
        serve.wait_for("grant_type=password")


def test_implicit_grant_under_rfc6749():
    with Serve("--profile", "rfc6749") as serve:
        answer = register(serve, ["implicit"], "none")
        assert answer.status_code == 201, answer.text
        client_id = answer.json()["client_id"]
        query = urllib.parse.urlencode({"response_type": "token", "client_id": client_id,
                                        "redirect_uri": REDIRECT_URI, "scope": "calendar.read",
                                        "state": "st_legacy"})
        url = serve.url("auth-server", "/authorize?" + query)
        browser = requests.Session()
        page = browser.get(url, timeout=TIMEOUT, allow_redirects=False)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
        answer = browser.post(urllib.parse.urljoin(url, action), timeout=TIMEOUT, allow_redirects=False,
                              data=[("request_id", request_id), ("username", "alice"),
                                    ("password", "wonderland"), ("scope", "calendar.read"),
                                    ("decision", "approve")])
        assert answer.status_code == 302, answer.text
        location = urllib.parse.urlsplit(answer.headers["Location"])
        assert location.query == "", location  # the answer is in the fragment (RFC 6749 §4.2.2)
        fragment = urllib.parse.parse_qs(location.fragment)
        assert fragment["state"] == ["st_legacy"] and fragment["token_type"] == ["Bearer"], fragment
        assert "refresh_token" not in fragment and "code" not in fragment
        events = calendar(serve, fragment["access_token"][0])
        assert events.status_code == 200, events.text


def test_the_demo_client_signs_in_with_the_password():
    with Serve("--scenario", LESSON) as serve:
        browser = requests.Session()
        form = browser.get(serve.url("client", "/connect"), timeout=TIMEOUT, allow_redirects=False)
        assert form.status_code == 200 and "data-app-sign-in" in form.text, form.text
        done = browser.post(serve.url("client", "/login"), timeout=TIMEOUT, allow_redirects=False,
                            data={"username": "alice", "password": "wonderland"})
        assert done.status_code == 200 and "Calendar connected" in done.text, done.text
        trace = serve.wait_for("grant_type=password")
        assert "200 OK" in trace


def test_refused_as_before_under_the_default_profile():
    with Serve() as serve:
        metadata = requests.get(serve.url("auth-server", "/.well-known/oauth-authorization-server"),
                                timeout=TIMEOUT).json()
        assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token",
                                                     "client_credentials", DEVICE_CODE], metadata
        assert metadata["response_types_supported"] == ["code"], metadata
        assert register(serve, ["password"]).status_code == 400
        answer = register(serve, ["authorization_code"])
        assert answer.status_code == 201, answer.text
        client = answer.json()
        refused = requests.post(serve.url("auth-server", "/token"), timeout=TIMEOUT,
                                auth=(client["client_id"], client["client_secret"]),
                                data={"grant_type": "password", "username": "alice",
                                      "password": "wonderland"})
        assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"
        query = urllib.parse.urlencode({"response_type": "token", "client_id": client["client_id"],
                                        "redirect_uri": REDIRECT_URI, "state": "s"})
        answer = requests.get(serve.url("auth-server", "/authorize?" + query), timeout=TIMEOUT,
                              allow_redirects=False)
        location = urllib.parse.urlsplit(answer.headers["Location"])
        assert answer.status_code == 302 and location.fragment == ""
        assert urllib.parse.parse_qs(location.query)["error"] == ["unsupported_response_type"]


run([test_password_grant_under_rfc6749, test_implicit_grant_under_rfc6749,
     test_the_demo_client_signs_in_with_the_password, test_refused_as_before_under_the_default_profile])
