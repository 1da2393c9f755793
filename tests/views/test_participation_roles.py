"""Who gets into the staff pages of proposals, projects, residency codes and paper ballots."""

from tests.conftest import csrf_token, log_in_as, make_resident, make_staff
from voting.core.models import Role

READ = [
    "/staff/proposals",
    "/staff/proposals/1",
    "/staff/projects",
    "/staff/consultations/stadtpark/paper/",
]
WRITE = [
    ("get", "/staff/residency-codes"),
    ("get", "/staff/projects/new"),
    ("get", "/staff/projects/1/edit"),
    ("post", "/staff/residency-codes"),
    ("post", "/staff/proposals/1/moderate"),
    ("post", "/staff/proposals/1/option"),
    ("post", "/staff/projects/new"),
    ("post", "/staff/consultations/stadtpark/paper/mark"),
    ("post", "/staff/consultations/stadtpark/paper/count/brunnen"),
    ("post", "/staff/consultations/stadtpark/paper/count/1/discard"),
]


def outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    """Return the status, or "login" for a redirect to the staff login."""
    if response.status_code == 302 and response.headers["Location"].startswith("/staff/login"):
        return "login"
    return response.status_code


def statuses(client) -> dict[str, int | str]:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/residents/login")
    found = {url: outcome(client.get(url)) for url in READ}
    for method, url in WRITE:
        response = getattr(client, method)(url, data={"csrf_token": token})
        found[f"{method} {url}"] = outcome(response)
    return found


def test_anonymous_visitors_and_residents_stay_out_auditors_only_read(
    client, session, open_consultation
):
    assert set(statuses(client).values()) == {"login"}
    log_in_as(client, make_resident(session))
    assert set(statuses(client).values()) == {403}
    log_in_as(client, make_staff(session, "pruefer", Role.AUDITOR))
    found = statuses(client)
    assert {found[url] for url in READ} <= {200, 404}  # 404: no proposal 1 exists
    assert {code for key, code in found.items() if key not in READ} == {403}
    log_in_as(client, make_staff(session))
    assert {403, "login"} & set(statuses(client).values()) == set()  # editors get in everywhere
