"""The logs of a whole consultation hold no polling code and no personal data.

Everything is logged at DEBUG, SQL statements included, while residents vote
(with typos, wrong and reused codes), staff log in (also wrongly, until the
throttle stops them), close, count and publish.
"""

import logging
import re

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, csrf_token, make_open_consultation
from voting.core.models import Voter

CLIENT_ADDRESS = "203.0.113.77"
WRONG_PASSWORD = "Rathaus-Geheimnis-17"


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "2 per minute"}


def post(client, path: str, **data):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def journey(client, slug: str, codes: list[str]) -> None:
    """Vote in every way a resident can, then run the consultation to its published result."""
    vote = f"/consultations/{slug}/vote"
    client.get("/")
    client.get(f"/consultations/{slug}")
    typo = codes[1][:-1] + ("A" if codes[1][-1] != "A" else "B")
    assert post(client, vote, code=typo).status_code == 400
    assert post(client, vote, code="K7QM-9XDR-2TAW-P4NB-5HCE").status_code in (400, 403)
    assert post(client, vote, code=codes[0], q_brunnen="yes", q_nutzung="garten").status_code == 200
    assert post(client, vote, code=codes[0].lower().replace("-", "")).status_code == 409
    assert post(client, vote, code=codes[2], q_projekte=["baeume", "licht"]).status_code == 200
    client.get("/language/en?next=/")

    for _ in range(3):  # the third is stopped by the throttle
        post(client, "/staff/login", username="redaktion", password=WRONG_PASSWORD)
    staff = client.application.test_client()
    login = post(staff, "/staff/login", username="redaktion", password=PASSWORD)
    assert login.status_code == 302
    for step in ("close", "tally"):
        response = post(staff, f"/staff/consultations/{slug}/{step}")
        assert response.status_code == 302
    # Four eyes: a second staff member publishes what the first counted.
    second = client.application.test_client()
    assert post(second, "/staff/login", username="zweitleser", password=PASSWORD).status_code == 302
    assert post(second, f"/staff/consultations/{slug}/publish").status_code == 302
    assert client.get(f"/consultations/{slug}/results").status_code == 200
    assert client.get(f"/api/v1/consultations/{slug}/results").status_code == 200


def test_no_code_and_no_personal_data_in_any_log_line(app, session, auth, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # SQLAlchemy keeps it at WARNING
    consultation = make_open_consultation(session)
    auth.create()
    auth.create("zweitleser")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT_ADDRESS
    journey(client, consultation.slug, consultation.codes)

    log = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "SELECT" in log  # the SQL statements were logged: the search has something to read
    assert "ratelimit" in log  # and so was the throttle
    secrets = [PASSWORD, WRONG_PASSWORD, CLIENT_ADDRESS, "Erika", "Muster", "Marktstraße", "P0000"]
    for code in consultation.codes:
        bare = code.replace("-", "")
        secrets += [code, bare, bare.lower(), code[:9]]
    voters = session.exec(select(Voter)).all()
    secrets += [voter.ref for voter in voters] + [voter.code_hash or "-" for voter in voters]
    found = [secret for secret in secrets if re.search(re.escape(secret), log, re.IGNORECASE)]
    assert found == [], "found in the logs"
