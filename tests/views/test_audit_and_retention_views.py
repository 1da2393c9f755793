"""Auditors read and export the audit trail; editors delete an electorate only when allowed."""

import csv
import io

from sqlalchemy import text
from sqlmodel import select

from tests.conftest import csrf_token
from voting.core.models import Job, Role, Voter


def test_auditors_see_the_trail_intact_and_export_it(client, session, auth, open_consultation):
    auth.login("pruefer", Role.AUDITOR)
    page = client.get("/staff/audit/").get_data(as_text=True)
    assert "ist unversehrt" in page and "consultation.open" in page
    exported = client.get("/staff/audit/export.json").get_json()["events"]
    assert exported[0]["prev_hash"] == "" and exported[1]["prev_hash"] == exported[0]["hash"]
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/staff/audit/export.csv").get_data(as_text=True)),
            delimiter=";",
        )
    )
    assert [row["hash"] for row in rows] == [event["hash"] for event in exported]
    session.execute(text("UPDATE audit_event SET actor = 'x' WHERE action = 'consultation.open'"))
    session.commit()
    assert "unterbrochen" in client.get("/staff/audit/").get_data(as_text=True)


def test_an_open_consultation_keeps_its_electorate_when_the_button_is_pressed(
    client, session, auth, open_consultation
):
    auth.login()
    url = f"/staff/consultations/{open_consultation.slug}/electorate"
    response = client.post(
        f"{url}/delete", data={"csrf_token": csrf_token(client, url), "understood": "y"}
    )
    assert response.status_code == 302
    assert "kann jetzt nicht gelöscht werden" in client.get(url).get_data(as_text=True)
    assert len(session.exec(select(Voter)).all()) == 5
    no_token = client.post(f"{url}/delete")
    assert no_token.status_code == 400 and len(session.exec(select(Voter)).all()) == 5
    # A job the worker has not taken yet has a page that says it waits, and updates itself.
    job = Job(kind="import", actor="x", consultation_id=open_consultation.id)
    session.add(job)
    session.commit()
    page = client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "job-progress.js" in page and "Warten auf den Hintergrunddienst" in page
