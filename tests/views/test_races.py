"""Racing requests with one code: exactly one ballot, every other request told why."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from ballots.models import Ballot, Participation
from tests.conftest import csrf_token
from tests.views.test_voting import GOOD_ANSWERS

RACERS = 8


def test_simultaneous_votes_with_one_code_count_once(app, session, open_consultation):
    url = f"/consultations/{open_consultation.slug}/vote"
    clients = [app.test_client() for _ in range(RACERS)]
    forms = [
        {"csrf_token": csrf_token(client, url), "code": open_consultation.codes[0], **GOOD_ANSWERS}
        for client in clients
    ]

    def post(pair: tuple) -> int:
        client, form = pair
        return client.post(url, data=form).status_code

    with ThreadPoolExecutor(RACERS) as pool:
        statuses = sorted(pool.map(post, zip(clients, forms, strict=True)))
    assert statuses == [200] + [409] * (RACERS - 1)
    assert session.execute(select(func.count()).select_from(Ballot)).scalar() == 1
    assert session.execute(select(func.count()).select_from(Participation)).scalar() == 1
