"""An editor runs a whole consultation in the browser alone; a second person publishes."""

import csv
import io
from datetime import timedelta

from tests.conftest import csrf_token
from tests.views.test_electorate_upload import HEADER, finish, upload
from voting.core.lifecycle import BERLIN
from voting.core.models import Role, utcnow


def local(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def press(client, url: str, page: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **fields})


def confirm(client, url: str, page: str):  # type: ignore[no-untyped-def]
    """Press a step's button on its confirmation page, the box ticked."""
    return press(client, url, page, understood="y")


def test_create_upload_print_open_close_count_and_publish_by_a_second_person(app, client, auth):
    auth.create("ben")  # before the count: an account made after it cannot approve it
    auth.login("anna", Role.EDITOR)
    new = "/staff/consultations/new"
    created = client.post(
        new,
        data={
            "csrf_token": csrf_token(client, new),
            "title": "Spielplatz am Rathaus",
            "kind": "advisory",
            "description": "Der Spielplatz wird **neu** gestaltet.",
            "opens_at": local(utcnow() - timedelta(hours=1)),
            "closes_at": local(utcnow() + timedelta(days=14)),
            "min_age": "16",
            "questions-0-text": "Was soll es geben?",
            "questions-0-method": "single",
            "questions-0-options": "Kletterturm\nWasserspiel",
            "save": "1",
        },
    )
    assert created.status_code == 302
    page = created.headers["Location"]
    assert page == "/staff/consultations/spielplatz-am-rathaus"
    slug = "spielplatz-am-rathaus"

    base = f"/staff/consultations/{slug}/electorate"
    register = HEADER + "".join(
        f"{i};Vorname{i};Name{i};Weg {i};67655;Kaiserslautern;Innenstadt;01.01.1980\n"
        for i in range(1, 4)
    )
    assert upload(client, f"{base}/preview", register, base).status_code == 200
    job = finish(client, upload(client, f"{base}/import", register, base, letters="csv"))
    letters = press(client, f"{job}/letters", job)
    rows = list(csv.DictReader(io.StringIO(letters.get_data(as_text=True)), delimiter=";"))
    codes = [row["code"] for row in rows]
    assert len(codes) == 3

    assert press(client, f"{page}/schedule", page).status_code == 302
    assert confirm(client, f"{page}/open", f"{page}/open").status_code == 302
    vote_url = f"/consultations/{slug}/vote"
    for code, choice in zip(codes[:2], ("kletterturm", "kletterturm"), strict=True):
        cast = client.post(
            vote_url,
            data={
                "csrf_token": csrf_token(client, vote_url),
                "code": code,
                "q_was-soll-es-geben": choice,
            },
        )
        assert cast.status_code == 200, cast.get_data(as_text=True)

    # Closing before the scheduled end: a second person asks, with a reason; anna confirms.
    assert auth.close_early(slug).status_code == 302
    counted = confirm(client, f"{page}/count", f"{page}/count")
    finish(client, counted)
    assert "2 Stimmzettel wurden ausgezählt" in client.get(counted.headers["Location"]).get_data(
        as_text=True
    )
    confirm(client, f"{page}/publish", f"{page}/publish")
    assert client.get(f"/consultations/{slug}/results").status_code == 404  # four eyes

    press(client, "/staff/logout", "/staff/")
    auth.login("ben", Role.EDITOR)
    assert "Ausgezählt von anna" in client.get(page).get_data(as_text=True)
    assert confirm(client, f"{page}/publish", f"{page}/publish").status_code == 302
    result = client.get(f"/consultations/{slug}/results")
    assert result.status_code == 200 and "Kletterturm" in result.get_data(as_text=True)
    assert "2 von 3" in result.get_data(as_text=True)
    data = client.get(f"/api/v1/consultations/{slug}/results").get_json()
    assert data["questions"][0]["details"]["counts"] == {"kletterturm": 2, "wasserspiel": 0}

    # After the retention period the electorate goes; the turnout figures stay.
    app.config["ELECTORATE_RETENTION_DAYS"] = 0
    assert confirm(client, f"{base}/delete", f"{base}/delete").status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert (
        "nach Ablauf der Aufbewahrungsfrist gelöscht" in html and "von denen 2 abgestimmt" in html
    )
    assert "Kletterturm" in client.get(f"/consultations/{slug}/results").get_data(as_text=True)
