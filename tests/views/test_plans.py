"""Staff keep the Vorhabenliste; residents see what is planned and how to take part."""

from sqlmodel import select

from tests.conftest import csrf_token, log_in_as, make_staff
from voting.core.models import Role
from voting.proposals.models import PlannedProject, ProjectConsultation

GOOD = {
    "title": "Umgestaltung Stiftsplatz",
    "description": "Neue Bäume und Bänke.",
    "district": "Innenstadt",
    "timeframe": "Frühjahr 2027",
    "participation_form": "Online-Befragung",
}


def save(client, url="/staff/projects/new", **data):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, url), **GOOD, **data})


def test_staff_add_a_project_that_links_to_its_consultation(client, session, open_consultation):
    log_in_as(client, make_staff(session))
    response = save(client, consultations=str(open_consultation.id))
    assert response.status_code == 302
    project = session.exec(select(PlannedProject)).one()
    listing = client.get("/projects").get_data(as_text=True)
    assert "Umgestaltung Stiftsplatz" in listing and "Frühjahr 2027" in listing
    assert f"/consultations/{open_consultation.slug}" in listing
    edit = f"/staff/projects/{project.id}/edit"
    assert 'value="Frühjahr 2027"' in client.get(edit).get_data(as_text=True)
    assert save(client, edit, timeframe="Herbst 2027").status_code == 302
    session.rollback()
    assert session.get(PlannedProject, project.id).timeframe == "Herbst 2027"
    assert session.exec(select(ProjectConsultation)).all() == []  # unselected now
    assert "Herbst 2027" in client.get(f"/projects/{project.id}").get_data(as_text=True)


BAD_PROJECTS = [
    ({"title": ""}, "Bitte benennen Sie das Vorhaben."),
    ({"timeframe": ""}, "wann die Beteiligung geplant ist"),
    ({"participation_form": "x" * 201}, "Höchstens 200 Zeichen."),
    ({"consultations": "999"}, "Bitte wählen Sie nur unter den angezeigten Abstimmungen."),
]


def test_bad_projects_say_what_is_wrong(client, session):
    log_in_as(client, make_staff(session))
    for data, message in BAD_PROJECTS:
        response = save(client, **data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True)
    assert session.exec(select(PlannedProject)).all() == []


def test_only_editors_keep_the_list(client, session):
    assert client.get("/staff/projects").headers["Location"].startswith("/staff/login")
    log_in_as(client, make_staff(session, "pruefer", Role.AUDITOR))
    assert client.get("/staff/projects").status_code == 200
    assert client.get("/staff/projects/new").status_code == 403
    log_in_as(client, make_staff(session))
    assert client.post("/staff/projects/new", data=GOOD).status_code == 400  # no CSRF token
    assert client.get("/projects/999").status_code == 404
