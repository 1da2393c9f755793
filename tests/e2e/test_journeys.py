"""What residents, staff and reporters do, in Chromium; screenshots at phone and desktop size."""

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ballots.receipts import b64url_decode, verify_receipt
from tests.e2e.conftest import STAFF_JOURNEY, screenshots
from tests.sitemap import PUBLISHED

DEMO = "innenstadt-2027"


@pytest.fixture
def shots(artifacts: Path, request: pytest.FixtureRequest) -> Path:
    """Return this test's screenshot folder."""
    folder = artifacts / "screenshots" / request.node.name.split("[")[0]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def focused(page: Any) -> dict[str, Any]:
    """Describe the element that has the keyboard focus."""
    return page.evaluate(
        """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
        return {tag: e.tagName, name: e.name || '', type: e.type || '', value: e.value || '',
                text: e.innerText || '', href: e.getAttribute('href') || '',
                visible: r.width > 0 && r.height > 0}; }"""
    )


def tab_to(page: Any, matches: Any, limit: int = 80) -> dict[str, Any]:
    """Press Tab until the focused element matches; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        assert element["visible"], f"focus on an invisible element: {element}"
        if matches(element):
            return element
    raise AssertionError("never reached by Tab")


def check_receipt(page: Any, download: Any) -> dict[str, Any]:
    """Return the downloaded receipt after checking its signature against /keys.json."""
    receipt = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    keys = page.request.get("/keys.json").json()["keys"]
    verify_receipt(receipt, {k["key_id"]: b64url_decode(k["public_key"]) for k in keys})
    return receipt


def test_resident_votes_with_the_keyboard_alone_and_keeps_the_receipt(page, live_server, shots):
    page.goto("/")
    skip = tab_to(page, lambda e: True)
    assert skip["href"] == "#main"
    tab_to(page, lambda e: DEMO in e["href"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/consultations/{DEMO}")
    tab_to(page, lambda e: e["href"].endswith("/vote"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote")
    screenshots(page, shots, "1-ballot")

    code = live_server.code()
    tab_to(page, lambda e: e["name"] == "code")
    page.keyboard.type(code.lower().replace("-", " "))  # as typed from the letter
    tab_to(page, lambda e: e["name"] == "q_autofrei")
    page.keyboard.press("Space")  # yes
    tab_to(page, lambda e: e["name"] == "q_freiflaeche")
    page.keyboard.press("ArrowDown")  # the second option
    tab_to(page, lambda e: e["name"] == "q_projekte")
    page.keyboard.press("Space")
    tab_to(page, lambda e: e["tag"] == "BUTTON" and e["type"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tracking-code")
    screenshots(page, shots, "2-receipt")

    tab_to(page, lambda e: e["href"].startswith("data:application/json"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    receipt = check_receipt(page, download.value)
    assert receipt["tracking_code"] == page.inner_text(".tracking-code").strip()
    assert receipt["consultation"] == DEMO

    # The same code a second time is refused, and said so.
    page.goto(f"/consultations/{DEMO}/vote")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".error-summary").is_visible()
    screenshots(page, shots, "3-second-try")


def test_resident_votes_without_javascript(browser, live_server, shots):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"/consultations/{DEMO}/vote")
    page.fill("input[name=code]", "K7QM-9XDR-2TAW-P4NB-5HCX")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    screenshots(page, shots, "1-typo")
    page.fill("input[name=code]", live_server.code())
    page.check("input[name=q_autofrei][value=no]")
    page.check("input[name=q_projekte] >> nth=0")
    page.check("input[name=q_projekte] >> nth=2")
    page.click("button[type=submit]")
    page.wait_for_selector(".tracking-code")
    screenshots(page, shots, "2-receipt")
    with page.expect_download() as download:
        page.click("a[download]")
    receipt = check_receipt(page, download.value)
    assert receipt["tracking_code"] == page.inner_text(".tracking-code").strip()
    context.close()


def test_staff_run_every_lifecycle_step_to_the_published_result(page, live_server, shots):
    credentials = (live_server.instance / "demo-staff.txt").read_text(encoding="utf-8")
    found = re.findall(r": (\S+)", credentials)
    (counter, counter_password), (approver, approver_password) = zip(
        found[::2], found[1::2], strict=True
    )

    def log_in(user: str, password: str) -> None:
        page.context.clear_cookies()
        page.goto("/staff/login")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.url.endswith("/staff/")
        with page.expect_navigation():
            page.click(f"a[href$='/staff/consultations/{STAFF_JOURNEY}']")

    accounts = {counter: counter_password, approver: approver_password}
    other = {counter: approver, approver: counter}
    current = counter
    log_in(current, accounts[current])
    screenshots(page, shots, "1-consultation")
    steps = 0
    while page.locator("ul.actions a.button, ul.actions button").count():
        if page.locator("ul.actions a[href$='/publish']").count():
            # Four eyes: whoever counted cannot publish; the second staff member does.
            current = other[current]
            log_in(current, accounts[current])
        with page.expect_navigation():
            page.locator("ul.actions a.button, ul.actions button").first.click()
        if page.locator("input[name=understood]").count():
            # The confirmation page says what cannot be undone; the box must be ticked.
            screenshots(page, shots, f"2-confirm-{steps + 1}")
            if page.locator("textarea[name=reason]").count():
                # Closing before the scheduled end: one asks with a reason, another confirms.
                page.fill("textarea[name=reason]", "Der Stadtrat hat die Frage entschieden.")
                page.check("input[name=understood]")
                with page.expect_navigation():
                    page.click("main button[type=submit]")
                assert page.locator(".flash-success").is_visible(), page.inner_text("main")
                current = other[current]
                log_in(current, accounts[current])
                with page.expect_navigation():
                    page.click(f"ul.actions a[href$='/{STAFF_JOURNEY}/close']")
                assert "Der Stadtrat hat die Frage entschieden." in page.inner_text("main")
            page.check("input[name=understood]")
            with page.expect_navigation():
                page.click("main button[type=submit]")
        if "/staff/jobs/" in page.url:
            # The count runs in the background; its page reloads itself until done.
            page.locator("p.ok").wait_for(timeout=30_000)
            with page.expect_navigation():
                page.click(f"a[href$='/staff/consultations/{STAFF_JOURNEY}']")
        else:
            assert page.locator(".flash-success").is_visible(), page.inner_text("main")
        steps += 1
        screenshots(page, shots, f"2-step-{steps}")
    assert steps >= 3  # close, count, publish
    with page.expect_navigation():
        page.click(f"a[href$='/consultations/{STAFF_JOURNEY}/results']")
    assert page.locator("img.chart").count() >= 3
    screenshots(page, shots, "3-result")


def test_reporter_downloads_every_file_and_may_embed_only_embed_pages(page, live_server, shots):
    page.goto(f"/consultations/{PUBLISHED}/results")
    screenshots(page, shots, "1-result")
    links = page.locator("a[download]")
    assert links.count() >= 2
    # The browser saves the first as a download; Chromium holds back a page's further
    # automatic downloads, so the rest are fetched as the browser would fetch them.
    with page.expect_download() as download:
        links.first.click()
    assert Path(download.value.path()).read_bytes()
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        response = page.request.get(href)
        assert response.ok, href
        data, name = response.body(), href.rsplit("/", 1)[-1]
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG"), name
        elif name.endswith(".svg"):
            assert b"<svg" in data[:2000], name
        elif name.endswith(".csv"):
            assert data.count(b"\n") >= 2, name
        else:
            assert data, name
    api = page.request.get(page.get_attribute("a[href*='/api/']", "href"))
    assert api.ok and api.json()["consultation"] == PUBLISHED

    # Another site (a newspaper, here on another port) may frame /embed/ pages (an unknown
    # one shows the error page), and nothing else of the site.
    embeds = page.eval_on_selector_all("a[href*='/embed/']", "links => links.map(a => a.href)")
    embeds.append(f"{live_server.url}/embed/unknown")
    blocked = f"{live_server.url}/consultations/{PUBLISHED}/results"
    article = "<!doctype html><title>Zeitung</title>" + "".join(
        f'<iframe src="{src}"></iframe>' for src in [blocked, *embeds]
    )
    with newspaper(article) as address:
        page.goto(address)  # waits for the load event, which waits for every frame
        frames = {frame.url: _text(frame) for frame in page.frames if frame != page.main_frame}
    assert all(frames.get(src) for src in embeds), frames
    assert not frames.get(blocked), "the result page was shown inside another site"
    screenshots(page, shots, "2-framed")


@contextmanager
def newspaper(html: str) -> Iterator[str]:
    """Serve one page from another origin (127.0.0.1, another port) while in the block."""

    class Article(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            body = html.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/artikel"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _text(frame: Any) -> str:
    try:
        return frame.inner_text("body")
    except Exception:  # a blocked frame has no document to read
        return ""
