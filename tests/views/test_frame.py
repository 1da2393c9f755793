"""The site's header and footer, kept for visitors, still fit each visitor and page."""

import re

from tests.conftest import csrf_token, login_resident, make_resident


def language_switch(html: str) -> str:
    """Return the address of the link to the English page."""
    found = re.search(r'href="([^"]*/language/en[^"]*)"', html)
    assert found, "no switch to English"
    return found.group(1).replace("&amp;", "&")


def test_a_resident_who_logs_in_sees_their_own_links_and_then_the_visitors_again(client, session):
    make_resident(session)
    before = client.get("/verify").get_data(as_text=True)
    assert "Mein Konto" not in before and 'href="/residents/login"' in before
    login_resident(client)
    logged_in = client.get("/verify").get_data(as_text=True)
    assert "Mein Konto" in logged_in and 'href="/residents/login"' not in logged_in
    logout = client.post("/residents/logout", data={"csrf_token": csrf_token(client, "/verify")})
    assert logout.status_code == 302
    after = client.get("/verify").get_data(as_text=True)
    assert "Mein Konto" not in after and 'href="/residents/login"' in after


def test_the_language_switch_leads_back_to_each_page(client):
    assert language_switch(client.get("/verify").get_data(as_text=True)) == (
        "/language/en?next=/verify"
    )
    assert language_switch(client.get("/").get_data(as_text=True)) == "/language/en?next=/"
    english = client.get("/language/en?next=/verify", follow_redirects=True)
    assert '<a class="skip-link" href="#main">Skip to content</a>' in english.get_data(as_text=True)
    german = client.get("/language/de?next=/verify", follow_redirects=True)
    assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>' in german.get_data(
        as_text=True
    )


def test_the_frame_links_follow_the_sites_own_root_address(client):
    client.get("/verify")
    behind_prefix = client.get("/verify", base_url="http://localhost/abstimmen/")
    html = behind_prefix.get_data(as_text=True)
    assert 'href="/abstimmen/verify"' in html  # the footer's link to this very page
    assert language_switch(html).startswith("/abstimmen/language/en")
