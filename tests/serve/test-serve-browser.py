#!/usr/bin/env python3
"""A real browser against oauth-sim serve: headless Chromium (Debian's chromium, driven by
chromium-driver through tests/browserlib.py) opens the demo client, connects the calendar,
signs in as alice at the authorization server, approves reading only, and sees her events.
The last page is saved as a screenshot in the build folder (argv[1]), also when a step fails,
so that a failure can be looked at."""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import browserlib  # noqa: E402

from serveutil import TIMEOUT, Serve, run  # noqa: E402

SCREENSHOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(),
                                                                 "oauth-sim-serve-browser.png")


class Browser:
    """The few WebDriver commands a person's actions need: open, type, click, read."""

    def __init__(self):
        self.driver = browserlib.WebDriver(width=900, height=700)

    def go(self, url):
        self.driver.call("POST", "/url", {"url": url})

    def title(self):
        return self.driver.call("GET", "/title")

    def url(self):
        return self.driver.call("GET", "/url")

    def element(self, using, value):
        found = self.driver.call("POST", "/element", {"using": using, "value": value})
        return next(iter(found.values()))

    def type(self, selector, text):
        self.driver.call("POST", f"/element/{self.element('css selector', selector)}/value",
                         {"text": text})

    def click(self, selector):
        self.driver.call("POST", f"/element/{self.element('css selector', selector)}/click", {})

    def click_link(self, text):
        self.driver.call("POST", f"/element/{self.element('link text', text)}/click", {})

    def body(self):
        return self.driver.text("body")

    def wait_for_title(self, title, step):
        deadline = time.monotonic() + TIMEOUT
        while self.title() != title:
            if time.monotonic() > deadline:
                raise AssertionError(f"{step}: expected the page “{title}”; the browser shows "
                                     f"“{self.title()}” at {self.url()}")
            time.sleep(0.1)

    def screenshot(self, png):
        os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
        self.driver.screenshot(png)

    def quit(self):
        self.driver.quit()


def test_chromium_connects_alice_s_calendar():
    with Serve() as serve:
        serve.wait_for("201 Created")  # the demo client has registered
        browser = Browser()
        try:
            browser.go(serve.url("client", "/"))
            browser.wait_for_title("Calendar Helper", "the client's home page")
            browser.click_link("Connect your calendar")

            browser.wait_for_title("Sign in to authorize", "the server's login and consent page")
            assert browser.url().startswith(serve.url("auth-server", "/authorize?")), browser.url()
            browser.type("input[name=username]", "alice")
            browser.type("input[name=password]", "wonderland")
            boxes = browser.driver.run(
                "return [...document.querySelectorAll('input[name=scope]')]"
                ".map(b => b.value + (b.checked ? '+' : '-'));")
            assert sorted(boxes) == ["calendar.read+", "calendar.write+"], boxes
            browser.click("input[name=scope][value='calendar.write']")  # read only, no writing
            browser.click("button[name=decision][value=approve]")

            browser.wait_for_title("Calendar connected", "back at the client after approving")
            assert browser.url().startswith(serve.url("client", "/callback?code=")), browser.url()
            browser.click_link("Back")
            browser.wait_for_title("Calendar Helper", "the client's home page, connected")
            browser.click_link("See your events")

            browser.wait_for_title("Your calendar", "the client's result page")
            text = browser.body()
            assert "Team meeting" in text and "Dentist" in text, text
            assert "Scope: calendar.read" in text and "calendar.write" not in text, text
            assert "at_" in text and "…" in text, text
        finally:
            browser.screenshot(SCREENSHOT)
            browser.quit()
        print(f"# screenshot: {SCREENSHOT}")

        trace = serve.wait_for("a web page: “Your calendar”")
        assert "browser → auth-server\n  POST " + serve.url("auth-server", "/consent") in trace
        assert "browser → client\n  GET " + serve.url("client", "/callback") in trace
        assert "client → auth-server  (while answering step" in trace
        assert "api → auth-server  (while answering step" in trace


run([test_chromium_connects_alice_s_calendar])
