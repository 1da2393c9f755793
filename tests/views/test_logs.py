"""The logs of a whole consultation hold no polling code and no personal data.

Everything is logged at DEBUG, SQL statements included, while residents vote
(with typos, wrong and reused codes), staff log in (also wrongly, until the
throttle stops them), close, count and publish. And no line logged while a vote is
cast or checked ties it to an address or to a moment finer than the hour (attack 4;
gunicorn's own logs are attacked in tests/server/test_vote_logs.py).
"""

import logging
import re
import threading
import urllib.request

import pytest
from flask import request
from sqlmodel import select
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, csrf_token, make_open_consultation
from tests.log_attacker import attack
from tests.views.test_voting import GOOD_ANSWERS, receipt_from
from voting.core.models import Voter
from voting.web.vote_logging import is_vote_request

CLIENT_ADDRESS = "203.0.113.77"
WRONG_PASSWORD = "Rathaus-Geheimnis-17"


@pytest.fixture
def app_config():
    # Behind one proxy, as in production: the client's address comes in X-Forwarded-For.
    return {"LOGIN_RATE_LIMIT": "2 per minute", "TRUSTED_PROXIES": 1}


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
    # Four eyes: a second staff member asks to close early, and publishes what the first counted.
    second = client.application.test_client()
    assert post(second, "/staff/login", username="zweitleser", password=PASSWORD).status_code == 302
    steps = f"/staff/consultations/{slug}"
    asked = post(second, f"{steps}/close/request", reason="Sturmschaden", understood="y")
    assert asked.status_code == 302
    for step in ("close", "tally"):
        response = post(staff, f"{steps}/{step}", understood="y")
        assert response.status_code == 302
    assert post(second, f"{steps}/publish", understood="y").status_code == 302
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


VOTERS = 200
WRONG_CODE = "K7QM-9XDR-2TAW-P4NB-5HCE"
# How a deployment writes its lines: the time to the millisecond, as Python's default does.
RENDER = logging.Formatter("%(asctime)s,%(msecs)03d %(levelname)s %(name)s: %(message)s")


PROXY = "10.0.0.2"


def address_of(number: int) -> str:
    """Half the voters come over IPv4 through the proxy, half over IPv6 directly."""
    return f"10.1.{number // 200}.{number % 200 + 1}" if number % 2 else f"2001:db8::{number + 1:x}"


def test_no_app_line_of_a_vote_request_names_an_address_or_a_minute(app, session, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")

    # A careless line a later change might add: the address and the path of every request.
    @app.before_request
    def _careless() -> None:
        forwarded = request.headers.get("X-Forwarded-For", "-")
        app.logger.warning(
            "%s %s from %s, forwarded: %s",
            request.method,
            request.path,
            request.remote_addr,
            forwarded,
        )

    consultation = make_open_consultation(session, voters=VOTERS)
    vote_path = f"/consultations/{consultation.slug}/vote"
    client = app.test_client()
    token = csrf_token(client, vote_path)
    vote_lines: list[str] = []

    def post(code: str, address: str):  # type: ignore[no-untyped-def]
        first = len(caplog.records)
        proxied = ":" not in address
        response = client.post(
            vote_path,
            data={"csrf_token": token, "code": code, **GOOD_ANSWERS},
            headers={"X-Forwarded-For": address} if proxied else {},
            environ_overrides={"REMOTE_ADDR": PROXY if proxied else address},
        )
        vote_lines.extend(RENDER.format(record) for record in caplog.records[first:])
        return response

    leaf_of = {}
    for number, code in enumerate(consultation.codes):
        response = post(code, address_of(number))
        assert response.status_code == 200
        leaf_of[address_of(number)] = receipt_from(response.get_data(as_text=True))["leaf_index"]
    # Wrong codes until the lockout, whose Flask-Limiter warning names the client's key.
    statuses = [post(WRONG_CODE, "203.0.113.9").status_code for _ in range(21)]
    assert statuses[-1] == 429
    client.get(f"/api/v1/consultations/{consultation.slug}/log")  # not a vote request

    assert any("INSERT INTO ballot" in line for line in vote_lines)  # SQL was logged
    assert any("ratelimit" in line for line in vote_lines)
    findings = attack(vote_lines, vote_path=vote_path, leaf_of=leaf_of, is_vote_line=bool)
    print("app lines of vote requests:", findings.summary(VOTERS))
    assert findings.vote_lines > VOTERS * 10
    assert (findings.with_address, findings.with_fine_time, findings.paired) == (0, 0, 0)
    # The careless line still says what happened, without saying who or when.
    assert sum(f"POST {vote_path} from client" in line for line in vote_lines) == VOTERS + 21
    assert sum("forwarded: client" in line for line in vote_lines) == VOTERS // 2 + 21
    # Other requests keep their lines as they were.
    assert any(
        record.getMessage().endswith(" from 127.0.0.1, forwarded: -") for record in caplog.records
    )


def test_the_vote_paths_are_the_apps_routes_that_cast_or_check(app):
    quiet = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if is_vote_request(re.sub(r"<[^>]+>", "x", rule.rule))
    }
    assert quiet == {
        "/consultations/<slug>/vote",
        "/consultations/<slug>/vote/account",
        "/verify",
        "/api/v1/receipts/verify",
        "/api/v1/consultations/<slug>/log/proof",
    }


def test_the_development_server_writes_no_line_for_a_vote_request(app, open_consultation, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        for path in (f"/consultations/{open_consultation.slug}/vote", "/verify", "/"):
            with urllib.request.urlopen(base + path) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any('"GET / HTTP/1.1" 200' in line for line in lines)
    assert not any("/vote" in line or "/verify" in line for line in lines)
