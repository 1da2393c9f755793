"""Racing requests across channels and supports: one mark per person, one agenda change."""

import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from ballots.models import PaperMark, Participation
from tests.conftest import csrf_token, log_in_as, make_resident, make_staff
from tests.services.test_proposals import published
from tests.views.test_voting import GOOD_ANSWERS
from voting.proposals.models import Proposal


def race(requests: list) -> list[int]:  # type: ignore[type-arg]
    with ThreadPoolExecutor(len(requests)) as pool:
        return sorted(pool.map(lambda request: request().status_code, requests))


def test_one_person_voting_by_account_code_and_paper_at_once_counts_once(
    app, session, open_consultation
):
    slug = open_consultation.slug
    code = open_consultation.codes[0]  # the card of P00000
    by_account, by_code, by_paper = (app.test_client() for _ in range(3))
    log_in_as(by_account, make_resident(session, person_id="P00000"))
    log_in_as(by_paper, make_staff(session))
    account_url, code_url = f"/consultations/{slug}/vote/account", f"/consultations/{slug}/vote"
    paper_url = f"/staff/consultations/{slug}/paper/"
    forms = [
        {"csrf_token": csrf_token(by_account, account_url), **GOOD_ANSWERS},
        {"csrf_token": csrf_token(by_code, code_url), "code": code, **GOOD_ANSWERS},
        {"csrf_token": csrf_token(by_paper, paper_url), "code": code},
    ]
    statuses = race(
        [
            lambda: by_account.post(account_url, data=forms[0]),
            lambda: by_code.post(code_url, data=forms[1]),
            lambda: by_paper.post(paper_url + "mark", data=forms[2]),
        ]
    )
    assert statuses.count(409) == 2 and len(statuses) == 3  # one got through
    assert session.execute(select(func.count()).select_from(Participation)).scalar() == 1
    assert session.execute(select(func.count()).select_from(PaperMark)).scalar() <= 1


def test_supports_reaching_the_threshold_together_change_the_status_once(app, session, caplog):
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    app.config["PROPOSAL_SUPPORT_THRESHOLD"] = 4
    proposal = published(session)
    url = f"/proposals/{proposal.id}/support"
    clients = []
    for i in range(4):
        client = app.test_client()
        log_in_as(client, make_resident(session, f"r{i}@example.org", f"R{i}"))
        clients.append((client, {"csrf_token": csrf_token(client, f"/proposals/{proposal.id}")}))
    caplog.clear()
    statuses = race([lambda c=c, f=f: c.post(url, data=f) for c, f in clients])
    assert statuses == [302] * 4
    session.rollback()
    session.expire_all()  # read anew what the requests stored
    assert session.get(Proposal, proposal.id).status == "agenda"
    assert len([r for r in caplog.records if r.name == "voting.web.mail"]) == 1
