"""The receipt page is kept per consultation and language; each vote fills in its own."""

import html
import json
import re

from flask import template_rendered

from ballots.definition import find_definition
from ballots.receipt_page import receipt_response
from tests.conftest import cast_code, log_in_as, make_open_consultation, make_staff, spec_data
from tests.views.test_voting import receipt_from, vote


def test_each_visitor_sees_the_receipt_of_their_own_vote(client, open_consultation):
    rendered = []
    with template_rendered.connected_to(lambda _app, template, **_: rendered.append(template)):
        first, second = (
            vote(client, open_consultation, code).get_data(as_text=True)
            for code in open_consultation.codes[:2]
        )
    # The page is rendered for the first vote only; the second fills in its own values.
    assert [t.name for t in rendered].count("ballots/receipt.html") == 1
    mine, theirs = receipt_from(second), receipt_from(first)
    assert mine["tracking_code"] != theirs["tracking_code"]
    assert theirs["tracking_code"] not in second and theirs["signature"] not in second
    # Shown, offered for download under its name and printed as the JSON downloaded.
    assert second.count(mine["tracking_code"]) == 3
    shown = re.search(r'<pre class="receipt-json">(.*?)</pre>', second, re.S).group(1)
    assert json.loads(html.unescape(shown)) == mine


def test_the_kept_page_is_the_page_rendered_whole(app, session, signer):
    # Labels and a title that must be escaped, and an answer left blank.
    questions = spec_data()["questions"]
    questions[1]["options"][0]["label"] = 'Garten & "Grün" <neu>'
    consultation = make_open_consultation(
        session, slug="sonder", title='Platz "A" & <B>', questions=questions
    )
    answers = {"brunnen": "yes", "nutzung": "garten"}
    cast = cast_code(session, consultation.id, consultation.codes[0], signer, answers)
    session.commit()
    definition = find_definition(session=session, consultation_id=consultation.id)
    with app.test_request_context("/consultations/sonder/vote", method="POST"):
        receipt_response(definition, cast)  # the first keeps the page
        kept = receipt_response(definition, cast).get_data(as_text=True)
        app.debug = True  # nothing kept: rendered whole
        try:
            whole = receipt_response(definition, cast).get_data(as_text=True)
        finally:
            app.debug = False
    assert kept == whole
    assert "Garten &amp; &#34;Grün&#34; &lt;neu&gt;" in kept and "<neu>" not in kept
    assert "Platz &#34;A&#34; &amp; &lt;B&gt;" in kept


def test_a_logged_in_visitor_gets_a_page_of_their_own(client, session, open_consultation):
    vote(client, open_consultation, open_consultation.codes[0])  # a visitor's page is kept
    log_in_as(client, make_staff(session))
    page = vote(client, open_consultation, open_consultation.codes[1]).get_data(as_text=True)
    assert receipt_from(page)["tracking_code"] in page
    assert 'action="/staff/logout"' in page  # their account's frame, not a visitor's
