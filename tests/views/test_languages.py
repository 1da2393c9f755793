"""German and English, complete on every page, switchable everywhere and remembered."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from tests.sitemap import PUBLISHED, Site, html_visits, log_in, populate, url

ROOT = Path(__file__).resolve().parents[2]
# Words a template may show as they are, in both languages: the product's name.
# Names that read the same in every language: the product and file formats.
SAME_IN_BOTH = {"Bürgervotum", "CSV", "JSON", "PDF", "PNG", "SVG"}
SPOKEN_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


class TextNodes(HTMLParser):
    """Collect the text a visitor reads, one entry per text node."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.nodes.append(re.sub(r"\s+", " ", data).strip())


def text_nodes(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.nodes


def catalogue() -> list[tuple[str, str]]:
    """Return (English, German) of every message whose German differs."""
    with (ROOT / "translations/de/LC_MESSAGES/messages.po").open("rb") as file:
        pairs = []
        for message in read_po(file):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            pairs += [(i, s) for i, s in zip(ids, strings, strict=False) if i and s and i != s]
    return pairs


def without_placeholders(text: str) -> bool:
    return "%(" not in text


@pytest.fixture
def site(app, session) -> Site:
    return populate(app, session)


def pages(app, site: Site, lang: str):  # type: ignore[no-untyped-def]
    """Yield (visit, path, html) of every HTML page in ``lang``."""
    clients = {}
    for visit in html_visits(site):
        if visit.role not in clients:
            clients[visit.role] = app.test_client()
            clients[visit.role].get(f"/language/{lang}")
            if visit.role:
                log_in(clients[visit.role], visit.role)
        path = url(app, visit.endpoint, visit.values)
        response = clients[visit.role].get(path)
        assert response.status_code == 200, visit.label
        yield visit, path, response.get_data(as_text=True)


def test_no_page_shows_a_text_of_the_other_language(app, site):
    pairs = [(en, de) for en, de in catalogue() if without_placeholders(en)]
    leaks = []
    for lang in ("de", "en"):
        foreign = {en if lang == "de" else de for en, de in pairs}
        for visit, _path, html in pages(app, site, lang):
            assert f'<html lang="{lang}">' in html, visit.label
            leaks += [f"{visit.label} [{lang}]: {t!r}" for t in text_nodes(html) if t in foreign]
    assert leaks == []


def test_templates_show_no_text_that_bypasses_translation():
    untranslated = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_text(encoding="utf-8")
        source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.DOTALL)
        spoken = [v for v in SPOKEN_ATTRIBUTES.findall(source) if re.search(r"[A-Za-z]", v)]
        visible = re.sub(r"<[^>]*>", " ", source)
        words = set(re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", visible)) - SAME_IN_BOTH
        if spoken or words:
            untranslated.append(f"{template.relative_to(ROOT)}: {sorted(words) + spoken}")
    assert untranslated == []


def test_every_page_offers_the_other_language_and_it_is_remembered(app, site):
    clients = {}
    for visit, path, html in pages(app, site, "de"):
        if visit.role not in clients:
            clients[visit.role] = app.test_client()
            if visit.role:
                log_in(clients[visit.role], visit.role)
        client = clients[visit.role]
        switch = re.search(r'href="(/language/en\?next=[^"]*)"', html)
        assert switch, f"{visit.label}: no switch to English"
        response = client.get(switch.group(1).replace("&amp;", "&"))
        assert response.status_code == 302 and response.headers["Location"] == path
        assert '<html lang="en">' in client.get(path).get_data(as_text=True)
        # Remembered: the next page comes in English too, until German is chosen again.
        assert '<html lang="en">' in client.get("/").get_data(as_text=True)
        client.get("/language/de")
        assert '<html lang="de">' in client.get("/").get_data(as_text=True)


def test_numbers_dates_and_money_follow_the_language(app, site):
    client = app.test_client()
    german = client.get(f"/consultations/{PUBLISHED}/results").get_data(as_text=True)
    details = client.get(f"/consultations/{PUBLISHED}").get_data(as_text=True)
    assert "3 von 5" in german and "60,0 %" in german
    assert re.search(r"\b\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2}\b", details)
    client.get("/language/en")
    english = client.get(f"/consultations/{PUBLISHED}/results").get_data(as_text=True)
    details = client.get(f"/consultations/{PUBLISHED}").get_data(as_text=True)
    assert "3 of 5" in english and "60.0%" in english
    assert re.search(r"\b\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\s?[AP]M\b", details)
    format_euro = app.jinja_env.globals.get("format_euro") or _template_global(app, "format_euro")
    with app.test_request_context(), force_locale("de"):
        assert format_euro(1234567.5).replace("\xa0", " ") == "1.234.567,50 €"
    with app.test_request_context(), force_locale("en"):
        assert format_euro(1234567.5) == "€1,234,567.50"


def _template_global(app, name: str):  # type: ignore[no-untyped-def]
    """Return a value the templates see, from the app's context processors."""
    with app.test_request_context():
        values: dict = {}
        app.update_template_context(values)
        return values[name]
