"""axe-core finds no WCAG 2.1 A/AA violation on any page, in German and English.

Every HTML page of the site map, every step of voting and the error pages are
checked twice: under the Content-Security-Policy, as visitors get them, and with
the policy bypassed, so that nothing the policy blocks hides a contrast problem.
"""

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD
from tests.e2e.conftest import LiveServer
from tests.sitemap import OPEN, RESIDENTS, browser_visits, url
from tests.sitemap_data import USERNAMES

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
AXE = Axe()
REPORT: list[dict[str, Any]] = []


def check(page: Any, label: str, lang: str, csp: str) -> list[str]:
    """Run axe on the page; return its violations as readable lines."""
    assert page.evaluate("document.documentElement.lang") == lang, label
    results = AXE.run(page, options=AXE_OPTIONS).response
    violations = [
        f"{label} [{lang}, {csp}]: {v['id']} ({v['impact']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
    ]
    REPORT.append(
        {
            "page": label,
            "lang": lang,
            "csp": csp,
            "url": page.url,
            "violations": [v["id"] for v in results["violations"]],
        }
    )
    return violations


def watch_policy(page: Any, found: list[str]) -> None:
    """Note every violation of the Content-Security-Policy: it breaks the page for users."""

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text[:160]}")

    page.on("console", note)


def log_in(page: Any, role: str, password: str) -> None:
    """Log in through the staff login form, or the residents' one for a resident role."""
    path, field, name = "/staff/login", "username", USERNAMES.get(role, "")
    if role in RESIDENTS:
        path, field, name = "/residents/login", "email", RESIDENTS[role]
    page.goto(path)
    page.fill(f"input[name={field}]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert path not in page.url, "login failed"


def voting_steps(page: Any, live: LiveServer, lang: str, csp: str) -> list[str]:
    """Check the ballot with an error, then the receipt page."""
    found = []
    vote_path = f"/consultations/{live.site.slugs[OPEN]}/vote"
    page.goto(vote_path)
    page.fill("input[name=code]", "K7QM-9XDR-2TAW-P4NB-5HCX")
    with page.expect_navigation():
        page.click("button[type=submit]")
    found += check(page, "ballots.vote wrong code", lang, csp)
    page.fill("input[name=code]", live.site.codes.pop())
    page.check("input[name=q_brunnen][value=yes]")
    with page.expect_navigation():
        page.click("button[type=submit]")
    found += check(page, "ballots.vote receipt", lang, csp)
    page.goto("/staff/login")
    page.fill("input[name=username]", USERNAMES["editor"])
    page.fill("input[name=password]", "not the password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    found += check(page, "staff.login wrong password", lang, csp)
    page.goto("/no-such-page")
    found += check(page, "error 404", lang, csp)
    return found


# Under the policy in both languages; without it in German, the styles being the same.
MODES = [("with-csp", ("de", "en")), ("bypass-csp", ("de",))]


@pytest.mark.parametrize(("csp", "languages"), MODES, ids=[mode for mode, _ in MODES])
def test_no_page_violates_wcag_21_aa(browser, live_server, artifacts, csp, languages):
    app = live_server.app
    visits = list(browser_visits(live_server.site))
    found: list[str] = []
    for lang in languages:
        for role in [None, *sorted({v.role for v in visits if v.role})]:
            context = browser.new_context(base_url=live_server.url, bypass_csp=csp == "bypass-csp")
            page = context.new_page()
            watch_policy(page, found)
            page.goto(f"/language/{lang}?next=/")
            if role:
                log_in(page, role, PASSWORD)
            for visit in (v for v in visits if v.role == role):
                response = page.goto(url(app, visit.endpoint, visit.values))
                assert response is not None and response.status == 200, visit.label
                found += check(page, visit.label, lang, csp)
            if role is None:
                found += voting_steps(page, live_server, lang, csp)
            context.close()
    (artifacts / f"axe-{csp}.json").write_text(
        json.dumps([r for r in REPORT if r["csp"] == csp], indent=1), encoding="utf-8"
    )
    assert found == []


def test_axe_reports_what_it_should(page):
    page.set_content(
        '<html lang="de"><head><title>Probe</title></head><body><main>'
        '<p class="low">Grau auf Weiß</p><img src="data:,"></main></body></html>'
    )
    page.add_style_tag(content=".low { color: #bbb; background: #fff; }")
    found = {v["id"] for v in AXE.run(page, options=AXE_OPTIONS).response["violations"]}
    assert {"color-contrast", "image-alt"} <= found
