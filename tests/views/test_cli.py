"""The command line: load a consultation, import its electorate, run it, set up the demo."""

import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlmodel import select

from buergervotum_verifier import verify_bundle
from results.methods import METHODS
from tests.conftest import PASSWORD, spec_data
from voting.core.models import Consultation, StaffUser, Voter

REGISTER = (
    "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"
    "1;Jürgen;Weiß;Marktstraße 1;67655;Kaiserslautern;Innenstadt;01.02.1960\n"
    "2;Ayşe;Öztürk;Pfaffstraße 3;67655;Kaiserslautern;Innenstadt;03.04.1999\n"
)


def test_load_import_open_close_tally_publish(app, session, tmp_path: Path):
    runner = app.test_cli_runner()
    definition = tmp_path / "stadtpark.json"
    definition.write_text(json.dumps(spec_data()), encoding="utf-8")
    result = runner.invoke(args=["consultations", "load", str(definition)])
    assert result.exit_code == 0, result.output
    assert "stadtpark: created" in result.output
    assert "unchanged" in runner.invoke(args=["consultations", "load", str(definition)]).output
    assert runner.invoke(args=["consultations", "schedule", "stadtpark"]).exit_code == 0

    register = tmp_path / "register.csv"
    # Older registration offices export Windows-1252.
    register.write_bytes(REGISTER.replace("ş", "s").encode("cp1252"))
    letters = tmp_path / "letters.csv"
    result = runner.invoke(
        args=["electorate", "import", "stadtpark", str(register), "--letters", str(letters)]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 voters" in result.output
    letter_lines = letters.read_text(encoding="utf-8").splitlines()
    assert len(letter_lines) == 3 and "Weiß" in letter_lines[1]
    assert oct(letters.stat().st_mode & 0o777) == "0o600"
    assert len(session.exec(select(Voter)).all()) == 2
    session.rollback()  # a snapshot held open would keep the close from emptying SQLite's log

    for name in ("anna", "zweite"):
        staff = ["staff", "create", name, "--password", PASSWORD]
        assert runner.invoke(args=staff).exit_code == 0
    assert runner.invoke(args=["consultations", "open", "stadtpark"]).exit_code == 0
    close_early(runner)
    counted = runner.invoke(args=["results", "tally", "stadtpark", "--actor", "anna"])
    assert counted.exit_code == 0 and "Counting" in counted.output, counted.output
    same = runner.invoke(args=["results", "publish", "stadtpark", "--actor", "anna"])
    assert same.exit_code == 1 and "another staff member" in same.output
    unknown = runner.invoke(args=["results", "publish", "stadtpark", "--actor", "cli:zweite"])
    assert unknown.exit_code == 1 and "no active staff account" in unknown.output
    # An account made after the count cannot approve it, whoever made it.
    runner.invoke(args=["staff", "create", "spaet", "--password", PASSWORD])
    late = runner.invoke(args=["results", "publish", "stadtpark", "--actor", "spaet"])
    assert late.exit_code == 1 and "created after" in late.output
    session.rollback()
    assert session.exec(select(Consultation)).one().status == "tallied"
    session.rollback()
    second = runner.invoke(args=["results", "publish", "stadtpark", "--actor", "zweite"])
    assert second.exit_code == 0, second.output
    session.rollback()  # end the read snapshot taken before the commands ran
    assert session.exec(select(Consultation)).one().status == "published"


def close_early(runner: FlaskCliRunner, asks: str = "anna", closes: str = "zweite") -> None:
    """Close voting before the scheduled end from the command line: one asks, another closes."""
    alone = runner.invoke(args=["consultations", "close", "stadtpark", "--actor", closes])
    assert alone.exit_code == 1 and "request it with a reason" in alone.output
    asked = runner.invoke(
        args=["consultations", "request-close", "stadtpark", "--actor", asks, "--reason", "Sturm"]
    )
    assert asked.exit_code == 0, asked.output
    closed = runner.invoke(args=["consultations", "close", "stadtpark", "--actor", closes])
    assert closed.exit_code == 0 and "could not yet be erased" not in closed.output, closed.output


def test_errors_are_messages_not_tracebacks(app, tmp_path: Path):
    runner = app.test_cli_runner()
    broken = tmp_path / "broken.json"
    broken.write_text('{"slug": "x"', encoding="utf-8")
    result = runner.invoke(args=["consultations", "load", str(broken)])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(spec_data(questions=[])), encoding="utf-8")
    result = runner.invoke(args=["consultations", "load", str(invalid)])
    assert result.exit_code == 1
    # One English line naming the place, for the command line and the logs.
    assert "Error: questions: List should have at least 1 item" in result.output
    result = runner.invoke(args=["consultations", "open", "gibt-es-nicht"])
    assert result.exit_code == 1 and "no consultation" in result.output


def test_import_with_bad_lines_writes_no_letters(app, session, tmp_path: Path):
    runner = app.test_cli_runner()
    definition = tmp_path / "stadtpark.json"
    definition.write_text(json.dumps(spec_data()), encoding="utf-8")
    runner.invoke(args=["consultations", "load", str(definition)])
    register = tmp_path / "register.csv"
    register.write_text(
        REGISTER + "3;;Leer;Weg 1;67655;KL;Innenstadt;01.01.1990\n", encoding="utf-8"
    )
    letters = tmp_path / "letters.csv"
    result = runner.invoke(
        args=["electorate", "import", "stadtpark", str(register), "--letters", str(letters)]
    )
    assert result.exit_code == 1 and "line 4" in result.output
    assert not letters.exists() and list(tmp_path.glob("letters*")) == []
    assert session.exec(select(Voter)).all() == []


def test_demo_is_idempotent(app, session, tmp_path: Path):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    codes = [
        line
        for line in (tmp_path / "demo-codes.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert len(codes) == 20
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert [
        line
        for line in (tmp_path / "demo-codes.txt").read_text().splitlines()
        if not line.startswith("#")
    ] == codes
    consultation = session.exec(
        select(Consultation).where(Consultation.slug == "innenstadt-2027")
    ).one()
    assert consultation.is_open
    assert [q.method for q in consultation.questions] == ["yes_no", "single", "approval"]
    assert (
        len(session.exec(select(Voter).where(Voter.consultation_id == consultation.id)).all()) == 20
    )
    assert len(session.exec(select(StaffUser)).all()) == 2  # a second person publishes
    assert "password:" in (tmp_path / "demo-staff.txt").read_text()


def test_the_demo_publishes_every_method_online_and_on_paper(app, client, tmp_path: Path):
    app.instance_path = str(tmp_path)
    done = app.test_cli_runner().invoke(args=["demo"])
    assert done.exit_code == 0, done.output
    assert "Published demo" in done.output
    bundle = client.get("/api/v1/consultations/buergerhaushalt-demo/bundle").get_json()
    assert {q["method"] for q in bundle["consultation"]["questions"]} == set(METHODS)
    channels = [leaf["channel"] for leaf in bundle["leaves"]]
    assert (channels.count("online"), channels.count("paper")) == (34, 8)
    assert bundle["result"]["turnout"]["invalid_paper_ballots"] == 1
    assert verify_bundle(bundle).ballots == 42
    page = client.get("/consultations/buergerhaushalt-demo/results")
    assert page.status_code == 200 and "Demo: Bürgerhaushalt" in page.get_data(as_text=True)


def test_a_pabulib_file_is_recounted_from_the_command_line(app, tmp_path: Path):
    from tests.unit.test_pabulib import SAMPLE

    path = tmp_path / "musterstadt.pb"
    path.write_text(SAMPLE, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["results", "recount-pb", str(path), "--method", "pb_greedy"])
    assert result.exit_code == 0, result.output
    # 1 (4 votes) first; 2 and 3 have 3 votes each, but only 2 still fits the 40.000 left.
    assert "Funded 2 of 4 projects for 90000 of 100000." in result.output
    assert "Unresolved" not in result.output
    shares = runner.invoke(args=["results", "recount-pb", str(path)])
    assert shares.exit_code == 0 and "Funded" in shares.output
    path.write_text(SAMPLE.replace("1;1,2;34;F", "1;1,9;34;F"), encoding="utf-8")
    broken = runner.invoke(args=["results", "recount-pb", str(path)])
    assert broken.exit_code == 1 and "unknown projects 9" in broken.output
