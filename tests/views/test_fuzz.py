"""Generated junk into every form and JSON endpoint: never a 5xx, never a change, a clear message.

Junk is wrong types (JSON to a form, lists for one value), huge fields, control
characters, invalid UTF-8 and duplicate parameters. Forms that are only a button
get junk without a valid token; forms with fields get a valid token most of the
time, so the junk reaches the form's own checks.
"""

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import i18n as wtforms_i18n

from tests.conftest import csrf_token
from tests.sitemap import FormCase, Site, Visit, form_cases, log_in, page_visits, populate, url
from tests.sitemap import snapshot as stored

EXAMPLES = 20
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
ROOT = Path(__file__).resolve().parents[2]
COUNTS: Counter[str] = Counter()

text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(max_codepoint=31), min_size=1, max_size=10),  # control characters
    st.sampled_from(["", "0", "-1", "1e309", "NaN", "null", "[]", "{}", "<script>", "' OR 1=1 --"]),
    st.builds(lambda char, n: char * n, st.characters(), st.integers(1_000, 20_000)),  # huge
)
invalid_utf8 = st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"abc\x80def", b"\xf8\x88"])
value = st.one_of(text, invalid_utf8, st.lists(text, min_size=2, max_size=4))  # lists: duplicates


def encode(pairs: list[tuple[str, Any]]) -> bytes:
    """Encode form pairs by hand, so bytes that are no UTF-8 and repeated keys get through."""
    parts = []
    for key, item in pairs:
        for one in item if isinstance(item, list) else [item]:
            # A lone surrogate goes out as the invalid UTF-8 bytes a broken client sends.
            raw = one if isinstance(one, bytes) else one.encode("utf-8", "surrogatepass")
            parts.append(f"{quote(key)}={quote_from_bytes(raw)}")
    return "&".join(parts).encode("ascii")


def messages(lang: str) -> list[re.Pattern[str]]:
    """Return every interface text of ``lang`` as a pattern (placeholders match anything).

    The texts are ours and those of WTForms' own validators, which it translates itself.
    """
    texts = []
    for path in (
        ROOT / "translations/de/LC_MESSAGES/messages.po",
        Path(wtforms_i18n.messages_path()) / "de/LC_MESSAGES/wtforms.po",
    ):
        with path.open("rb") as file:
            for message in read_po(file):
                source = message.id if lang == "en" else message.string
                texts += [t for t in (source if isinstance(source, tuple) else [source]) if t]
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    return [re.compile(".+".join(map(re.escape, placeholder.split(t))), re.DOTALL) for t in texts]


PATTERNS = {lang: messages(lang) for lang in ("de", "en")}
HTML_MESSAGE = re.compile(
    r'<h1 class="error-message">(.*?)</h1>|<div class="error-summary".*?<ul>(.*?)</ul>', re.DOTALL
)


def shown_messages(response: Any) -> list[str]:
    """Return the error messages a visitor reads on the answer."""
    body = response.get_data(as_text=True)
    if response.is_json:
        return [response.get_json()["error"]["message"]]
    found = []
    for heading, summary in HTML_MESSAGE.findall(body):
        found += [heading] if heading else re.findall(r"<li>(?:<a [^>]*>)?(.*?)<", summary)
    unescaped = (m.replace("&#34;", '"').replace("&#39;", "'") for m in found)
    return [re.sub(r"\s+", " ", m).strip() for m in unescaped]


def check_refusal(response: Any, lang: str, label: str) -> None:
    """Assert a 4xx with a message of the interface, in the visitor's language."""
    assert 400 <= response.status_code < 500, f"{label}: {response.status_code}"
    shown = shown_messages(response)
    assert shown, f"{label}: no message on a {response.status_code}"
    for message in shown:
        # The editor's summary names the field first ("Title: Please enter a title.").
        known = [message, message.rsplit(": ", 1)[-1]]
        assert any(p.fullmatch(m) for p in PATTERNS[lang] for m in known), (
            f"{label} [{lang}]: {message!r}"
        )


@pytest.fixture
def app_config():
    # The throttle would answer most junk logins with 429; it is tested on its own.
    return {"LOGIN_RATE_LIMIT": "10000 per minute"}


@pytest.fixture
def site(app, session) -> Site:
    return populate(app, session)


@cache
def clients(app: Any, role: str | None) -> dict[str, Any]:
    """Return a client per language, logged in as ``role`` (once: logging in is slow)."""
    found = {}
    for lang in ("de", "en"):
        client = app.test_client()
        client.get(f"/language/{lang}")
        if role:
            log_in(client, role)
        found[lang] = client
    return found


def fuzz_form(app: Any, session: Any, case: FormCase) -> None:
    """Send junk to one form and check every answer."""
    by_lang = clients(app, case.role)
    tokens = {lang: csrf_token(client, "/staff/login") for lang, client in by_lang.items()}
    path = url(app, case.endpoint, case.values)
    fields = case.fuzzed or ("csrf_token",)
    token_choices = ["valid", "missing", "junk"] if case.fuzzed else ["missing", "junk"]
    before = stored(session)

    @FUZZ
    @given(
        lang=st.sampled_from(["de", "en"]),
        token=st.sampled_from(token_choices),
        junk=st.dictionaries(st.sampled_from([*fields, "x", "q_", "code[]"]), value, max_size=5),
        body=st.sampled_from(["form", "form", "json"]),
    )
    def run(lang: str, token: str, junk: dict[str, Any], body: str) -> None:
        COUNTS[case.label] += 1
        pairs = list(junk.items())
        if token == "valid":
            pairs.insert(0, ("csrf_token", tokens[lang]))
        elif token == "junk":
            pairs.insert(0, ("csrf_token", junk.get("csrf_token", "forged")))
        if body == "json":
            payload = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in pairs}
            response = by_lang[lang].post(path, json=payload)
        else:
            response = by_lang[lang].post(
                path, data=encode(pairs), content_type="application/x-www-form-urlencoded"
            )
        check_refusal(response, lang, case.label)
        assert stored(session) == before, f"{case.label}: stored data changed"

    run()


def fuzz_get(app: Any, session: Any, visit: Visit) -> None:
    """Send junk in the path and query of one JSON endpoint or redirect."""
    by_lang = clients(app, visit.role)
    before = stored(session)

    @FUZZ
    @given(
        lang=st.sampled_from(["de", "en"]),
        segment=st.one_of(text, invalid_utf8),
        query=st.lists(st.tuples(st.sampled_from(["next", "code", "x"]), value), max_size=3),
    )
    def run(lang: str, segment: str | bytes, query: list[tuple[str, Any]]) -> None:
        COUNTS[visit.label] += 1
        by_lang[lang].get(f"/language/{lang}")  # junk for the language switch may have switched
        path = url(app, visit.endpoint, visit.values)
        if visit.values:
            # Replace the last path segment (a slug, a language code) with junk.
            raw = (
                segment if isinstance(segment, bytes) else segment.encode("utf-8", "surrogatepass")
            )
            path = path.rsplit("/", 1)[0] + "/" + quote_from_bytes(raw[:2000], safe="")
        path = path.split("?")[0] + "?" + encode(query).decode("ascii")
        response = by_lang[lang].get(path)
        if visit.kind == "redirect" and response.status_code == 302:
            target = response.headers["Location"]
            assert target.startswith("/") and not target.startswith(("//", "/\\")), target
        else:
            assert response.status_code < 500, f"{visit.label}: {response.status_code}"
            if response.status_code >= 400:
                check_refusal(response, lang, visit.label)
        assert stored(session) == before, f"{visit.label}: stored data changed"

    run()


def test_junk_never_breaks_or_changes_anything(app, session, site):
    clients.cache_clear()
    cases = form_cases(site)
    visits = [visit for visit in page_visits(site) if visit.kind in ("json", "redirect")]
    assert cases and visits, "the site map offers nothing to fuzz"
    for case in cases:
        fuzz_form(app, session, case)
    for visit in visits:
        fuzz_get(app, session, visit)
    report = ROOT / "test-artifacts" / "fuzz-examples.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(dict(COUNTS), indent=1), encoding="utf-8")
    assert min(COUNTS.values()) >= EXAMPLES
