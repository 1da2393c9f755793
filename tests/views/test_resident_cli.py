"""Residency letters for a register extract from the command line."""

import csv
from pathlib import Path

from sqlmodel import select

from tests.conftest import PSEUDONYM_KEY, make_resident
from tests.views.test_cli import REGISTER
from voting.core.models import utcnow
from voting.core.pseudonyms import person_ref
from voting.residents.models import ResidencyCode
from voting.residents.services import verify_residency


def test_letters_carry_codes_that_verify_the_person(app, session, tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    letters = tmp_path / "letters.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["residents", "letters", str(register), "--letters", str(letters)])
    assert result.exit_code == 0, result.output
    assert "Issued 2 residency codes" in result.output
    assert oct(letters.stat().st_mode & 0o777) == "0o600"
    with letters.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    assert [row["family_name"] for row in rows] == ["Weiß", "Öztürk"]
    assert len(session.exec(select(ResidencyCode)).all()) == 2
    # Nothing but the keyed hash of each code is kept.
    assert rows[0]["code"] not in {c.code_hash for c in session.exec(select(ResidencyCode))}
    again = runner.invoke(args=["residents", "letters", str(register), "--letters", str(letters)])
    assert again.exit_code != 0 and "never overwritten" in again.output
    account = make_resident(session, person_id=None)
    verify_residency(
        session=session,
        account=account,
        code=rows[1]["code"],
        pseudonym_key=PSEUDONYM_KEY,
        now=utcnow(),
    )
    assert account.register_ref == person_ref(PSEUDONYM_KEY, "2")


def test_a_bad_register_writes_no_letters(app, tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text("Vorname;Nachname\nErika;Muster\n", encoding="utf-8")
    letters = tmp_path / "letters.csv"
    result = app.test_cli_runner().invoke(
        args=["residents", "letters", str(register), "--letters", str(letters)]
    )
    assert result.exit_code != 0 and "missing columns" in result.output
    assert not letters.exists()
