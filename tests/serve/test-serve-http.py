#!/usr/bin/env python3
"""oauth-sim serve over real HTTP: start-up and shutdown, the error paths of the spec, bad
requests that must not hurt the server, pages that escape what they echo, and a trace in
which each exchange between two actors is one step."""
import base64
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time

from serveutil import (OAUTH_SIM, Serve, browser_flow, form_field, raw_exchange, register,
                       request, run)

HERE = os.path.dirname(os.path.abspath(__file__))
BOB = os.path.join(HERE, "bob.json")
LIMIT = 64 * 1024


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def still_answers(serve):
    answer = request("GET", serve.url("auth-server", "/.well-known/oauth-authorization-server"))
    assert answer.status == 200, answer.status
    assert answer.json()["issuer"] == serve.url("auth-server")


# Start-up and shutdown

def test_first_three_lines_name_the_servers():
    with Serve() as serve:
        lines = serve.snapshot()
        ports = [int(url.rsplit(":", 1)[1]) for url in serve.urls.values()]
        assert [line.split()[0] for line in lines[:3]] == ["auth-server", "api", "client"]
        assert len(set(ports)) == 3 and all(ports), ports
        # Then the live trace: the demo client registers itself first.
        trace = serve.wait_for("201 Created")
        assert "client → auth-server" in trace
        assert f"POST {serve.url('auth-server', '/register')}" in trace


def free_consecutive_ports():
    """Three consecutive free ports on 127.0.0.1 (bounded tries). They are looked for below the
    kernel's ephemeral range, where outgoing connections (a load test's, say) take ports, and
    probed with SO_REUSEADDR as the server binds them, so TIME_WAIT leftovers do not count."""
    rng = random.Random()
    for _ in range(100):
        base = rng.randrange(20000, 32000)
        sockets = []
        try:
            for port in range(base, base + 3):
                s = socket.socket()
                sockets.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no three consecutive free ports")


def test_port_n_gives_n_n1_n2():
    for _ in range(5):  # another program may take a port between the probe and the start
        base = free_consecutive_ports()
        try:
            serve = Serve(port=str(base))
        except AssertionError:
            continue
        with serve:
            assert serve.urls == {"auth-server": f"http://127.0.0.1:{base}",
                                  "api": f"http://127.0.0.1:{base + 1}",
                                  "client": f"http://127.0.0.1:{base + 2}"}, serve.urls
            still_answers(serve)
        return
    raise AssertionError("could not start on three consecutive ports")


def test_busy_port_is_trouble():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([OAUTH_SIM, "serve", "--port", str(port)], capture_output=True,
                              timeout=15)
    assert proc.returncode == 2, proc.returncode
    assert proc.stdout == b"", proc.stdout
    assert b"cannot listen" in proc.stderr, proc.stderr


def test_bad_options_are_trouble():
    for args in (["--port", "70000"], ["--host", "0.0.0.0"], ["--host", "example.org"],
                 ["--format", "xml"], ["extra"], ["--scenario", "/nonexistent.json"]):
        proc = subprocess.run([OAUTH_SIM, "serve", "--port", "0", *args], capture_output=True,
                              timeout=15)
        assert proc.returncode == 2, (args, proc.returncode)
        assert proc.stdout == b"", (args, proc.stdout)
        assert proc.stderr.startswith(b"oauth-sim: "), (args, proc.stderr)


def test_sigint_and_sigterm_stop_cleanly():
    for sig in (signal.SIGINT, signal.SIGTERM):
        serve = Serve()
        serve.wait_for("201 Created")
        still_answers(serve)
        status = serve.stop(sig)
        assert status == 0, (sig, status, serve.stderr())
        assert serve.stderr() == "", serve.stderr()


def test_stop_during_start_up():
    proc = subprocess.Popen([OAUTH_SIM, "serve", "--port", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    # Either the signal came before GLib's handler (killed by it) or after (a clean exit).
    assert proc.returncode in (0, -signal.SIGTERM), (proc.returncode, err)


# The error paths

def test_wrong_client_secret_is_401_invalid_client():
    with Serve() as serve:
        client = register(serve)
        answer = request("POST", serve.url("auth-server", "/token"),
                         [("grant_type", "authorization_code"), ("code", "ac_nothing"),
                          ("redirect_uri", "http://127.0.0.1:9/callback")],
                         {"Authorization": basic(client["client_id"], "cs_wrong")})
        assert answer.status == 401, answer.status
        assert answer.json()["error"] == "invalid_client", answer.text
        assert answer.headers["www-authenticate"].startswith("Basic"), answer.headers
        assert "no-store" in answer.headers.get("cache-control", "")


def test_redirect_uri_mismatch_is_an_error_page_without_redirect():
    with Serve() as serve:
        client = register(serve)
        answer = request("GET", serve.url("auth-server", "/authorize?response_type=code&client_id=")
                         + client["client_id"] + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fevil"
                         "&state=xyz&code_challenge=" + "A" * 43 + "&code_challenge_method=S256")
        assert answer.status == 400, answer.status
        assert "location" not in answer.headers, answer.headers
        assert answer.headers["content-type"].startswith("text/html"), answer.headers
        assert "redirect URI" in answer.text
        assert "evil" not in answer.text


def test_api_without_token_is_401_bearer():
    with Serve() as serve:
        answer = request("GET", serve.url("api", "/calendar/events"))
        assert answer.status == 401, answer.status
        challenge = answer.headers["www-authenticate"]
        assert challenge.startswith("Bearer"), challenge
        assert "error=" not in challenge, challenge


def test_token_in_query_is_400():
    with Serve() as serve:
        answer = request("GET", serve.url("api", "/calendar/events?access_token=at_whatever"))
        assert answer.status == 400, answer.status
        assert 'error="invalid_request"' in answer.headers["www-authenticate"], answer.headers


def test_body_over_64k_is_413():
    with Serve() as serve:
        url = serve.url("auth-server", "/token")
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        # At the limit the actor reads the form (and refuses it with an OAuth error)...
        at_limit = request("POST", url, b"grant_type=x&pad=" + b"a" * (LIMIT - 17), form)
        assert at_limit.status in (400, 401) and "error" in at_limit.json(), at_limit.status
        # ...one byte more and the transport refuses it before any actor sees it.
        over = request("POST", url, b"grant_type=x&pad=" + b"a" * (LIMIT - 16), form)
        assert over.status == 413, over.status
        big = request("POST", url, b"a" * (10 * LIMIT), form)
        assert big.status == 413, big.status
        # A chunked body has no length up front; it is counted as it comes.
        chunk = b"a" * 16384
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(6)) + b"0\r\n\r\n"
        reply = raw_exchange(url, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             b"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                             b"Connection: close\r\n\r\n" + body)
        assert reply.startswith(b"HTTP/1.1 413"), reply[:80]
        # The same with a length up front, from a client that half-closes after sending.
        reply = raw_exchange(url, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n"
                             b"\r\n" + b"a" * 70000)
        assert reply.startswith(b"HTTP/1.1 413"), reply[:80]
        still_answers(serve)
        # Only the request within the limit reached the server's actor. The trace is written a
        # moment after the answers: once the last request's step is there, so is every other.
        trace = serve.wait_for("  GET " + serve.url("auth-server", "/.well-known/oauth-authorization-server"))
        assert trace.count("  POST " + url + "\n") == 1, trace


def test_garbage_is_400_and_the_server_still_answers():
    with Serve() as serve:
        for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
                        b"GET\r\n\r\n", b"NOT A REQUEST AT ALL\r\n\r\n",
                        b"GET /authorize HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        b"Content-Length: 6\r\n\r\nabcdef",
                        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
                        b"GET /%00 HTTP/1.1\r\nHost: a/b\r\n\r\n"):
            for name in ("auth-server", "api", "client"):
                reply = raw_exchange(serve.url(name), garbage)
                assert re.match(rb"HTTP/1\.[01] 400 ", reply), (name, garbage, reply[:80])
        still_answers(serve)
        assert request("GET", serve.url("client", "/")).status == 200


def test_disconnect_mid_request_does_not_hurt():
    with Serve() as serve:
        url = serve.url("auth-server")
        raw_exchange(url, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc",
                     read=False)
        raw_exchange(url, b"GET /authorize?client_id=", read=False)
        raw_exchange(serve.url("client"), b"GET /connect HTTP/1.1\r\nHo", read=False)
        still_answers(serve)
        # A browser that gives up on a page that calls other actors: the client's /calendar.
        assert browser_flow(serve).status == 200
        raw_exchange(serve.url("client"), b"GET /calendar HTTP/1.1\r\nHost: x\r\n\r\n", read=False)
        assert request("GET", serve.url("client", "/calendar")).status == 200
        still_answers(serve)


def test_no_descriptor_is_lost():
    """Every kind of connection, good or bad, gives its socket back (libsoup 3.2 keeps a
    kept-alive connection's socket open once its client closes it, even for the answers
    libsoup gives on its own, such as the 404 to "OPTIONS *")."""
    with Serve() as serve:
        serve.wait_for("201 Created")
        descriptors = lambda: len(os.listdir(f"/proc/{serve.proc.pid}/fd"))
        before = descriptors()
        auth = serve.url("auth-server")
        for _ in range(40):
            still_answers(serve)
            assert request("GET", serve.url("client", "/favicon.ico")).status == 404
            raw_exchange(auth, b"GARBAGE\r\n\r\n")
            reply = raw_exchange(auth, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
            assert reply.startswith(b"HTTP/1.1 404"), reply[:40]
            raw_exchange(auth, b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
            raw_exchange(auth, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab",
                         read=False)
            request("POST", auth + "/token", b"a" * (LIMIT + 1),
                    {"Content-Type": "application/x-www-form-urlencoded"})
            with socket.create_connection(("127.0.0.1", int(auth.rsplit(":", 1)[1]))):
                pass
        assert browser_flow(serve).status == 200
        deadline = time.monotonic() + 5
        while descriptors() > before + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert descriptors() <= before + 5, (before, descriptors())


def test_malformed_oauth_requests_get_oauth_errors():
    with Serve() as serve:
        auth = serve.url("auth-server")
        client = register(serve)
        auth_header = {"Authorization": basic(client["client_id"], client["client_secret"])}
        cases = [
            ("POST", "/token", b"grant_type=refresh_token&grant_type=authorization_code",
             {"Content-Type": "application/x-www-form-urlencoded", **auth_header}, "invalid_request"),
            ("POST", "/token", b'{"grant_type": "refresh_token"}',
             {"Content-Type": "application/json", **auth_header}, "invalid_request"),
            ("POST", "/token", b"grant_type=%zz", {"Content-Type": "application/x-www-form-urlencoded",
                                                    **auth_header}, "invalid_request"),
            ("POST", "/register", b"{not json", {"Content-Type": "application/json"},
             "invalid_client_metadata"),
            ("POST", "/register", b"\xff\xfe", {"Content-Type": "application/json"},
             "invalid_client_metadata"),
            ("POST", "/introspect", b"token=x", {"Content-Type": "application/x-www-form-urlencoded"},
             "invalid_client"),
        ]
        for method, path, body, headers, error in cases:
            answer = request(method, auth + path, body, headers)
            assert 400 <= answer.status < 500, (path, body, answer.status)
            assert answer.json()["error"] == error, (path, body, answer.text)
        for query in ("client_id=%FF", "%zz", "client_id=a&client_id=b", ""):
            answer = request("GET", auth + "/authorize?" + query)
            assert answer.status == 400, (query, answer.status)
            assert "location" not in answer.headers, query
        assert request("DELETE", auth + "/token").status == 405
        assert request("GET", auth + "/nowhere").status == 404
        assert request("POST", serve.url("client", "/connect"), b"x").status == 405
        still_answers(serve)


# Pages

def test_pages_escape_what_they_echo_and_forbid_framing():
    with Serve("--scenario", BOB) as serve:
        home = request("GET", serve.url("client", "/"))
        assert "&lt;Planner&gt;" in home.text and "<Planner>" not in home.text, home.text
        connect = request("GET", serve.url("client", "/connect"))
        login = request("GET", connect.headers["location"])
        assert "&lt;Planner&gt;" in login.text and "<Planner>" not in login.text
        for page in (home, login):
            assert page.headers["x-frame-options"] == "DENY", page.headers
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
            assert "no-store" in page.headers["cache-control"]
            # Readable without JavaScript, nothing loaded from elsewhere.
            for needle in ("<script", "src=", "<link", "@import", "url("):
                assert needle not in page.text, needle
        assert 'name="username"' in login.text and 'name="password"' in login.text
        assert 'name="decision" value="approve"' in login.text
        assert 'name="decision" value="deny"' in login.text
        assert login.text.count('type="checkbox" name="scope"') == 2

        callback = browser_flow(serve, "bob", "builder", ["calendar.read"])
        assert callback.status == 200, callback.text
        calendar = request("GET", serve.url("client", "/calendar"))
        assert calendar.status == 200, calendar.text
        assert "&lt;b&gt;Launch&lt;/b&gt; &amp; &quot;party&quot;" in calendar.text, calendar.text
        assert "<b>Launch" not in calendar.text
        assert calendar.headers["x-frame-options"] == "DENY"
        shown = re.findall(r"<code>([^<]*)</code>", calendar.text)
        tokens = [t for t in shown if t.startswith(("at_", "rt_"))]
        assert len(tokens) == 2 and all(t.endswith("…") and len(t) == 11 for t in tokens), shown


def test_wrong_password_and_deny():
    with Serve() as serve:
        connect = request("GET", serve.url("client", "/connect"))
        cookie = connect.headers["set-cookie"].split(";")[0]
        login = request("GET", connect.headers["location"])
        request_id = form_field(login.text, "request_id")
        wrong = request("POST", serve.url("auth-server", "/consent"),
                        [("request_id", request_id), ("username", "alice"),
                         ("password", "<script>"), ("decision", "approve")])
        assert wrong.status == 200 and "Wrong username or password" in wrong.text
        assert "<script>" not in wrong.text
        deny = request("POST", serve.url("auth-server", "/consent"),
                       [("request_id", request_id), ("username", "alice"),
                        ("password", "wonderland"), ("scope", "calendar.read"),
                        ("decision", "deny")])
        assert deny.status == 302 and "error=access_denied" in deny.headers["location"]
        page = request("GET", deny.headers["location"], headers={"Cookie": cookie})
        assert page.status == 200 and "access_denied" in page.text
        assert request("GET", serve.url("client", "/calendar")).text.count("Not connected") >= 1


# Several browsers, and the trace

def test_two_browsers_at_once():
    with Serve() as serve:
        browsers = []
        for _ in range(2):  # two browsers, each with its own state cookie
            connect = request("GET", serve.url("client", "/connect"))
            browsers.append((connect.headers["location"], connect.headers["set-cookie"].split(";")[0]))
        callbacks = []
        for location, cookie in reversed(browsers):  # answered in the other order
            login = request("GET", location)
            consent = request("POST", serve.url("auth-server", "/consent"),
                              [("request_id", form_field(login.text, "request_id")),
                               ("username", "alice"), ("password", "wonderland"),
                               ("scope", "calendar.read"), ("decision", "approve")])
            callbacks.append((consent.headers["location"], cookie))
            answer = request("GET", consent.headers["location"], headers={"Cookie": cookie})
            assert answer.status == 200 and "Calendar connected" in answer.text, answer.text
        # Each state answers once: a replayed callback is refused before any code is used.
        replay = request("GET", callbacks[0][0], headers={"Cookie": callbacks[0][1]})
        assert replay.status == 400, replay.status
        # A callback for one browser's sign-in, brought by the other browser, is refused too
        # (CSRF, RFC 9700 §4.7.1): the state must come back from the browser it was given to.
        connect = request("GET", serve.url("client", "/connect"))
        login = request("GET", connect.headers["location"])
        consent = request("POST", serve.url("auth-server", "/consent"),
                          [("request_id", form_field(login.text, "request_id")),
                           ("username", "alice"), ("password", "wonderland"),
                           ("scope", "calendar.read"), ("decision", "approve")])
        stranger = request("GET", consent.headers["location"], headers={"Cookie": browsers[0][1]})
        assert stranger.status == 400 and "another browser" in stranger.text, stranger.text


def test_concurrent_requests():
    with Serve() as serve:
        browser_flow(serve)
        failures = []

        def hammer():
            try:
                for _ in range(10):
                    assert request("GET", serve.url("client", "/calendar")).status == 200
                    still_answers(serve)
            except Exception as error:  # reported below
                failures.append(repr(error))

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, failures
        assert not any(thread.is_alive() for thread in threads)
        steps = [int(n) for n in re.findall(r"^── (\d+) ·", serve.trace(), re.M)]
        assert steps == list(range(1, len(steps) + 1)), "step numbers must count up one by one"


def test_the_trace_tells_the_flow():
    with Serve() as serve:
        browser_flow(serve)
        assert request("GET", serve.url("client", "/calendar")).status == 200
        trace = serve.wait_for("a web page: “Your calendar”")
        # Exchanges between actors are one step each, nested like in the simulation.
        token = re.search(r"^── (\d+) · code exchange .*\nclient → auth-server  \(while answering "
                          r"step (\d+)\)\n  POST " + re.escape(serve.url("auth-server", "/token")),
                          trace, re.M)
        assert token, trace
        assert re.search(r"^api → auth-server  \(while answering step \d+\)\n  POST "
                         + re.escape(serve.url("auth-server", "/introspect")), trace, re.M), trace
        assert re.search(r"^client → api  \(while answering step \d+\)", trace, re.M), trace
        # What came from outside is named after its User-Agent.
        assert "serve-test → client\n  GET " + serve.url("client", "/connect") in trace, trace
        assert "serve-test → auth-server\n  POST " + serve.url("auth-server", "/consent") in trace
        assert "Oauth-Sim-Exchange" not in trace
        assert "code_verifier=" in trace and "The code, the client's secret" in trace
        # The lesson's point: the password reaches the authorization server only.
        steps = re.split(r"\n(?=── )", trace)
        with_password = [s for s in steps if "password=wonderland" in s]
        assert len(with_password) == 1, with_password
        assert "→ auth-server\n  POST " + serve.url("auth-server", "/consent") in with_password[0]


run([test_first_three_lines_name_the_servers, test_port_n_gives_n_n1_n2,
     test_busy_port_is_trouble, test_bad_options_are_trouble, test_sigint_and_sigterm_stop_cleanly,
     test_stop_during_start_up, test_wrong_client_secret_is_401_invalid_client,
     test_redirect_uri_mismatch_is_an_error_page_without_redirect,
     test_api_without_token_is_401_bearer, test_token_in_query_is_400, test_body_over_64k_is_413,
     test_garbage_is_400_and_the_server_still_answers, test_disconnect_mid_request_does_not_hurt,
     test_no_descriptor_is_lost,
     test_malformed_oauth_requests_get_oauth_errors,
     test_pages_escape_what_they_echo_and_forbid_framing, test_wrong_password_and_deny,
     test_two_browsers_at_once, test_concurrent_requests, test_the_trace_tells_the_flow])
