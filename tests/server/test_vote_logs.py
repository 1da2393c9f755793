"""Attack 4: the logs of 200 votes through gunicorn tie no vote to an address or a moment.

Each voter casts from an address of their own (127.0.0.0/8 is all loopback); an insider
then reads everything gunicorn, its workers and the app wrote (tests/log_attacker.py).
gunicorn's stock access log, as an operator switches it on, is the control: there the
attacker must succeed, or the test of the project's settings would prove nothing.
"""

import re
import socket

from tests.conftest import make_open_consultation
from tests.log_attacker import Findings, addresses_in, attack
from tests.server.conftest import Server, open_voting

VOTERS = 200
WRONG_CODES = 3
DEBUG = ["--log-level", "debug"]  # gunicorn's most talkative level, a line per request


def address_of(number: int) -> str:
    return f"127.0.{number // 200}.{number % 200 + 2}"


def vote_and_read_logs(server: Server, session) -> tuple[Findings, dict[str, int], str]:  # type: ignore[no-untyped-def]
    """Cast VOTERS ballots one after another, stop the server and attack its logs."""
    consultation = make_open_consultation(session, voters=VOTERS)
    server.start()
    voting = open_voting(server, consultation.slug)
    leaf_of: dict[str, int] = {}
    for number, code in enumerate(consultation.codes):
        status, receipt, _page = voting.vote(code, source=address_of(number))
        assert status == 200 and receipt is not None
        leaf_of[address_of(number)] = receipt["leaf_index"]
    for _ in range(WRONG_CODES):
        status, _receipt, _page = voting.vote("K7QM-9XDR-2TAW-P4NB-5HCE", source="127.0.9.9")
        assert status in (400, 403)
    # A malformed request to the vote path, which gunicorn reports with the sender's address.
    with socket.create_connection(
        ("127.0.0.1", server.port), source_address=(address_of(0), 0)
    ) as raw:
        raw.sendall(f"GET /consultations/{consultation.slug}/vote HTTP/9.9\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    server.json(f"/api/v1/consultations/{consultation.slug}/log?start=0")
    server.json(f"/api/v1/consultations/{consultation.slug}/log/proof?leaf_index=0&tree_size=1")
    server.stop()
    log = server.log()
    vote_path = f"/consultations/{consultation.slug}/vote"
    return attack(log.splitlines(), vote_path=vote_path, leaf_of=leaf_of), leaf_of, log


def test_gunicorns_stock_access_log_ties_every_vote_to_its_voter(
    app, database_url, signing_key_path, session, tmp_path
):
    stock = tmp_path / "stock.conf.py"
    stock.write_text("")
    server = Server(
        database_url, signing_key_path, tmp_path, config=stock, options=["--access-logfile", "-"]
    )
    server.options += DEBUG
    try:
        findings, _leaf_of, _log = vote_and_read_logs(server, session)
    finally:
        server.kill()
    print("stock gunicorn:", findings.summary(VOTERS))
    # Every cast has its line (with the address and the second), in the order of the leaves.
    assert findings.with_address >= VOTERS
    assert findings.with_fine_time >= VOTERS
    # A worker may write a line just after the next vote's: nearly all are paired, not all.
    assert findings.paired >= VOTERS * 9 // 10


def test_the_projects_logs_tie_no_vote_to_an_address_or_a_moment(server, session):
    server.options += DEBUG
    findings, leaf_of, log = vote_and_read_logs(server, session)
    print("gunicorn.conf.py:", findings.summary(VOTERS))
    assert (findings.with_address, findings.with_fine_time) == (0, 0)
    assert (findings.cast_lines, findings.paired) == (0, 0)
    # No voter's address in any line at all, vote request or not.
    assert not {address for line in log.splitlines() for address in addresses_in(line)} & set(
        leaf_of
    )

    assert "[DEBUG]" not in log  # gunicorn's debug lines time every connection
    assert "Invalid request from ip=client" in log

    # What stays for the operator: each worker's counts of the hour, and lines for the rest.
    counted = re.findall(r"POST (\d{3}) ×(\d+) \(\d+ ms mean\)", log)
    totals: dict[str, int] = {}
    for status, count in counted:
        totals[status] = totals.get(status, 0) + int(count)
    assert totals.get("200") == VOTERS
    assert sum(totals.values()) == VOTERS + WRONG_CODES
    assert re.search(r'\] "GET /api/v1/consultations/[^/ ]+/log" 200 \d+ \d+ms', log)
    assert "start=" not in log and "leaf_index=" not in log  # no query strings
