"""Staff commands: letters as PDF with progress, the audit chain check, electorate deletion."""

import json
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from tests.conftest import PASSWORD, spec_data
from tests.views.test_cli import REGISTER, close_early
from voting.core.models import Consultation, Voter


def loaded(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    definition = tmp_path / "stadtpark.json"
    definition.write_text(json.dumps(spec_data()), encoding="utf-8")
    assert runner.invoke(args=["consultations", "load", str(definition)]).exit_code == 0
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    return runner, register


def test_letters_as_pdf_with_a_progress_bar(app, session, tmp_path: Path):
    runner, register = loaded(app, tmp_path)
    letters = tmp_path / "briefe.pdf"
    result = runner.invoke(
        args=["electorate", "import", "stadtpark", str(register), "--letters", str(letters)]
    )
    assert result.exit_code == 0, result.output
    assert "Importing voters" in result.output and "Writing letters" in result.output
    data = letters.read_bytes()
    assert data.startswith(b"%PDF") and oct(letters.stat().st_mode & 0o777) == "0o600"
    assert len(session.exec(select(Voter)).all()) == 2


def test_audit_verify_finds_a_changed_event(app, session, tmp_path: Path):
    runner, _register = loaded(app, tmp_path)
    for step in ("schedule",):
        runner.invoke(args=["consultations", step, "stadtpark"])
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 2 events" in ok.output
    exported = json.loads(runner.invoke(args=["audit", "export"]).output)
    assert [e["action"] for e in exported["events"]] == [
        "consultation.created",
        "consultation.schedule",
    ]
    session.execute(
        text("UPDATE audit_event SET details = '{}' WHERE action = 'consultation.schedule'")
    )
    session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "broken at event" in broken.output


def test_electorate_delete_waits_for_the_retention_period(app, session, tmp_path: Path):
    runner, register = loaded(app, tmp_path)
    letters = tmp_path / "briefe.csv"
    runner.invoke(args=["consultations", "schedule", "stadtpark"])
    runner.invoke(
        args=["electorate", "import", "stadtpark", str(register), "--letters", str(letters)]
    )
    for name in ("anna", "zweite"):
        runner.invoke(args=["staff", "create", name, "--password", PASSWORD])
    runner.invoke(args=["consultations", "open", "stadtpark"])
    close_early(runner)
    runner.invoke(args=["results", "tally", "stadtpark"])
    published = runner.invoke(args=["results", "publish", "stadtpark", "--actor", "zweite"])
    assert published.exit_code == 0, published.output
    early = runner.invoke(args=["electorate", "delete", "stadtpark"])
    assert early.exit_code == 1 and "retention period ends" in early.output
    assert runner.invoke(args=["electorate", "delete", "--due"]).output == "Nothing to delete.\n"
    app.config["ELECTORATE_RETENTION_DAYS"] = 0
    result = runner.invoke(args=["electorate", "delete", "--due"])
    assert result.exit_code == 0 and "stadtpark: deleted 2 voters" in result.output
    session.rollback()
    assert session.exec(select(Voter)).all() == []
    consultation = session.exec(select(Consultation)).one()
    assert consultation.eligible_count == 2 and consultation.voted_count == 0
