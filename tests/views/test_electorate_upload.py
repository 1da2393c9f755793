"""Electorate upload in the browser: preview, import in the background, letters handed out once."""

import io
import re

from sqlmodel import select

from tests.conftest import csrf_token, spec_data
from tests.jobs import run_queued_jobs
from voting.consultations.services import load_consultation, parse_spec
from voting.core.models import AuditEvent, Consultation, Job, Voter

HEADER = "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"
GOOD = (
    "1;Jürgen;Weiß;Marktstraße 1;67655;Kaiserslautern;Innenstadt;01.02.1960\n"
    "2;Ayşe;Öztürk;Pfaffstraße 3;67655;Kaiserslautern;Innenstadt;03.04.1999\n"
    "3;Kim;Klein;Pfaffstraße 5;67655;Kaiserslautern;Innenstadt;03.04.2020\n"
)
BAD = (
    "4;;Leer;Weg 1;67655;Kaiserslautern;Innenstadt;01.01.1970\n"
    "5;Ida;Datum;Weg 2;67655;KL;X;32.13.1970\n"
)


def draft(session) -> Consultation:  # type: ignore[no-untyped-def]
    spec = parse_spec(spec_data(), known_methods={"yes_no", "single", "approval"})
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    session.commit()
    return consultation


def upload(client, url: str, text: str, page: str, **fields):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, page),
        "register": (io.BytesIO(text.encode("utf-8")), "register.csv"),
        **fields,
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def finish(client, response):  # type: ignore[no-untyped-def]
    """Run the import the job worker was handed; return its job page."""
    assert response.status_code == 302, response.get_data(as_text=True)
    assert run_queued_jobs(client.application) == 1
    return response.headers["Location"]


def voters(session) -> list[Voter]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.exec(select(Voter)))


def test_preview_then_import_then_letters_once(client, session, auth):
    draft(session)
    auth.login()
    base = "/staff/consultations/stadtpark/electorate"
    preview = upload(client, f"{base}/preview", HEADER + GOOD, base)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "nichts gespeichert" in html
    assert re.search(r"Stimmberechtigt, erhielten einen Brief</dt><dd[^>]*>2<", html)
    assert re.search(r"jünger als das Mindestalter</dt><dd>1<", html)
    assert voters(session) == []

    job_url = finish(client, upload(client, f"{base}/import", HEADER + GOOD, base, letters="csv"))
    assert len(voters(session)) == 2
    page = client.get(job_url).get_data(as_text=True)
    assert "Fertig" in page and "nur einmal" in page
    token = csrf_token(client, job_url)
    letters = client.post(f"{job_url}/letters", data={"csrf_token": token})
    assert letters.status_code == 200 and letters.mimetype == "text/csv"
    assert letters.headers["Cache-Control"] == "no-store"
    rows = letters.get_data(as_text=True).splitlines()
    assert len(rows) == 3 and any("Weiß" in row for row in rows)
    assert all("/consultations/stadtpark/vote#code=" in row for row in rows[1:])
    # Handed out once, never again; the download is audited.
    again = client.post(f"{job_url}/letters", data={"csrf_token": token})
    assert again.status_code == 302
    assert "nicht mehr vorhanden" in client.get(again.headers["Location"]).get_data(as_text=True)
    session.rollback()
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "electorate.imported" in actions and actions.count("letters.downloaded") == 1
    # The rules the electorate was chosen by are locked in the editor now, and say why.
    editor = client.get("/staff/consultations/stadtpark/edit").get_data(as_text=True)
    assert "Gesperrt: Das Abstimmungsverzeichnis wurde mit dieser Regel eingelesen" in editor
    # A second import is refused.
    second = upload(client, f"{base}/preview", HEADER + GOOD, base)
    assert second.status_code == 200
    refused = upload(client, f"{base}/import", HEADER + GOOD, base)
    assert refused.status_code == 409 and len(voters(session)) == 2


def test_bad_lines_are_listed_and_block_the_import_unless_skipped(client, session, auth):
    draft(session)
    auth.login()
    base = "/staff/consultations/stadtpark/electorate"
    text = HEADER + GOOD + BAD
    html = upload(client, f"{base}/preview", text, base).get_data(as_text=True)
    assert re.search(r"<td class=\"num\">5</td><td>Die Spalte given_name ist leer", html)
    assert re.search(r"<td class=\"num\">6</td><td>Das Geburtsdatum", html)
    refused = upload(client, f"{base}/import", text, base)
    assert refused.status_code == 400 and voters(session) == []
    job_url = finish(client, upload(client, f"{base}/import", text, base, skip_bad_lines="y"))
    assert len(voters(session)) == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "electorate.imported")).one()
    assert event.details["skipped_lines"] == 2
    pdf = client.post(f"{job_url}/letters", data={"csrf_token": csrf_token(client, job_url)})
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.data)) == 2  # one page per letter


def test_import_needs_the_previewed_file(client, session, auth):
    draft(session)
    auth.login()
    base = "/staff/consultations/stadtpark/electorate"
    upload(client, f"{base}/preview", HEADER + GOOD, base)
    other = upload(client, f"{base}/import", HEADER + GOOD.replace("Weiß", "Weiss"), base)
    assert other.status_code == 409 and "nicht die Datei aus der Vorschau" in other.get_data(
        as_text=True
    )
    assert voters(session) == []


def test_unreadable_files_are_refused_and_windows_1252_is_read(client, session, auth):
    draft(session)
    auth.login()
    base = "/staff/consultations/stadtpark/electorate"
    html = upload(client, f"{base}/preview", "Vorname;Nachname\nA;B\n", base).get_data(as_text=True)
    assert "Es fehlen Spalten" in html and "kann nicht gelesen werden" in html
    assert "Einlesen und Briefe erzeugen" not in html
    empty = client.post(f"{base}/preview", data={"csrf_token": csrf_token(client, base)})
    assert empty.status_code == 400 and "Bitte wählen Sie die Datei" in empty.get_data(as_text=True)
    assert voters(session) == [] and session.exec(select(Job)).all() == []
    # Older registration offices export Windows-1252.
    data = {
        "csrf_token": csrf_token(client, base),
        "register": (io.BytesIO((HEADER + GOOD.replace("ş", "s")).encode("cp1252")), "r.csv"),
    }
    html = client.post(f"{base}/preview", data=data).get_data(as_text=True)
    assert re.search(r"erhielten einen Brief</dt><dd[^>]*>2<", html) and "Jürgen" not in html
