"""Polling-card letters: the code reaches the voting page in the fragment, never the query."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

from voting.electorate.letters import LetterContext, write_letters
from voting.electorate.services import Letter

CONTEXT = LetterContext(
    title="Stadtpark",
    slug="stadtpark",
    opens_at=datetime(2027, 3, 1, 7, tzinfo=UTC),
    closes_at=datetime(2027, 3, 29, 16, tzinfo=UTC),
    public_url="https://buergervotum.example/",
    sender="Stadt · Platz 1 · 67657 Kaiserslautern",
)
LETTER = Letter("Łucja", "Öztürk", "Marktstraße 1", "67655", "Kaiserslautern", "Nord", "K7QM-9XDR")


def test_code_url_carries_the_code_in_the_fragment():
    url = CONTEXT.code_url("K7QM-9XDR-2TAW-P4NB-5HCE")
    assert (
        url
        == "https://buergervotum.example/consultations/stadtpark/vote#code=K7QM-9XDR-2TAW-P4NB-5HCE"
    )


def test_csv_has_one_row_per_letter_with_names_only_there():
    data = write_letters([LETTER, LETTER], CONTEXT, "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    assert len(rows) == 2 and rows[0]["given_name"] == "Łucja"
    assert rows[0]["vote_url"].endswith("#code=K7QM-9XDR")


def test_pdf_has_one_page_per_letter_and_any_european_name():
    seen = []
    data = write_letters([LETTER] * 3, CONTEXT, "pdf", progress=seen.append)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert seen == [1, 2, 3]
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 3  # one page per letter


def test_large_print_runs_come_as_a_zip_of_pdf_parts(monkeypatch):
    from voting.electorate import letters

    monkeypatch.setattr(letters, "LETTERS_PER_PDF", 2)
    assert letters.letters_format("pdf", 2) == "pdf" and letters.letters_format("pdf", 3) == "zip"
    assert letters.letters_format("csv", 3) == "csv"
    data = write_letters([LETTER] * 5, CONTEXT, "zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        pages = [len(re.findall(rb"/Type\s*/Page\b", archive.read(name))) for name in names]
    assert names == [f"abstimmungskarten-00{i}.pdf" for i in (1, 2, 3)]
    assert pages == [2, 2, 1]
