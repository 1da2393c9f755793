"""Polling-card letters for the print shop: a PDF for window envelopes, or CSV for mail merge.

Letters are written into memory and handed out once; names, addresses and codes
are never stored. The PDF follows DIN 5008 form B: the address field sits 45 mm
from the top and 20 mm from the left edge, so it shows through the window of a
DL or C5/6 envelope, with fold marks at 105 mm and 210 mm and the hole mark at
148.5 mm.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fpdf import FPDF

from voting.electorate.services import Letter

BERLIN = ZoneInfo("Europe/Berlin")
CSV_COLUMNS = (
    "given_name",
    "family_name",
    "street",
    "postal_code",
    "city",
    "district",
    "code",
    "consultation",
    "opens_at",
    "closes_at",
    "vote_url",
)


@dataclass(frozen=True)
class LetterContext:
    """What every letter of one consultation shares."""

    title: str
    slug: str
    opens_at: datetime
    closes_at: datetime
    public_url: str
    sender: str

    @property
    def vote_url(self) -> str:
        """Return the address of the voting page."""
        return f"{self.public_url.rstrip('/')}/consultations/{self.slug}/vote"

    def code_url(self, code: str) -> str:
        """Return the voting page with the code in the fragment, which browsers never send."""
        return f"{self.vote_url}#code={quote(code)}"


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def csv_row(context: LetterContext, letter: Letter) -> tuple[str, ...]:
    """Return one letter as a row of the mail-merge CSV."""
    return (
        letter.given_name,
        letter.family_name,
        letter.street,
        letter.postal_code,
        letter.city,
        letter.district,
        letter.code,
        context.title,
        context.opens_at.isoformat(),
        context.closes_at.isoformat(),
        context.code_url(letter.code),
    )


class CsvLetters:
    """Collect letters as `;`-separated UTF-8 CSV in memory."""

    def __init__(self, context: LetterContext) -> None:
        self.context = context
        self.buffer = io.StringIO(newline="")
        self.writer = csv.writer(self.buffer, delimiter=";")
        self.writer.writerow(CSV_COLUMNS)

    def add(self, letter: Letter) -> None:
        """Append one letter."""
        self.writer.writerow(csv_row(self.context, letter))

    def output(self) -> bytes:
        """Return the file."""
        return self.buffer.getvalue().encode("utf-8")


def _font_path() -> Path:
    # DejaVu Sans covers the names of every European register; matplotlib ships it.
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


class PdfLetters:
    """Collect letters as one A4 page each, DIN 5008 form B."""

    def __init__(self, context: LetterContext) -> None:
        self.context = context
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_auto_page_break(False)
        pdf.set_margins(25, 27, 20)
        pdf.add_font("DejaVu", fname=str(_font_path()))
        pdf.set_title(f"Abstimmungskarten – {context.title}")
        pdf.set_creator("Bürgervotum")
        self.pdf = pdf
        self._lines: dict[str, list[str]] = {}

    def add(self, letter: Letter) -> None:
        """Append the letter of one voter."""
        pdf, context = self.pdf, self.context
        pdf.add_page()
        # Fold and hole marks on the left edge.
        pdf.set_draw_color(120)
        for y, length in ((105, 5), (148.5, 8), (210, 5)):
            pdf.line(0, y, length, y)
        # Address field: return line in the 17.7 mm zone, then the recipient.
        pdf.set_font("DejaVu", size=7)
        pdf.set_xy(25, 57.7)
        pdf.cell(80, 4, context.sender)
        pdf.set_font("DejaVu", size=11)
        pdf.set_xy(25, 62.7)
        for line in (
            f"{letter.given_name} {letter.family_name}",
            letter.street,
            f"{letter.postal_code} {letter.city}",
        ):
            pdf.cell(80, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(25)
        # Information block on the right.
        pdf.set_font("DejaVu", size=9)
        pdf.set_xy(125, 50)
        pdf.multi_cell(75, 4.5, f"Abstimmungskarte\nBezirk: {letter.district or '–'}")
        # Body from the first fold on; the text shared by all letters is wrapped once.
        pdf.set_xy(25, 103.46)
        pdf.set_font("DejaVu", size=14)
        for line in self._wrapped("title", 14, f"Ihre Abstimmungskarte: {context.title}"):
            pdf.cell(165, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("DejaVu", size=11)
        pdf.cell(165, 5.5, f"Guten Tag {letter.given_name} {letter.family_name},")
        pdf.ln(11)
        for line in self._wrapped("body", 11, self._body()):
            pdf.cell(165, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        top = pdf.get_y()
        pdf.set_font("DejaVu", size=16)
        pdf.set_xy(25, top + 15)
        pdf.cell(115, 10, letter.code, border=1, align="C")
        self._qr(context.code_url(letter.code), x=150, y=top, size=40)

    def _body(self) -> str:
        context = self.context
        return (
            f"Sie können vom {_local(context.opens_at)} bis zum {_local(context.closes_at)} "
            f"online abstimmen unter\n{context.vote_url}\n\n"
            "Geben Sie dort Ihren persönlichen Abstimmungscode ein, oder scannen Sie den QR-Code: "
            "er öffnet die Seite mit Ihrem Code. Der Code gilt für eine Stimmabgabe. "
            "Bewahren Sie ihn bis dahin sicher auf und geben Sie ihn nicht weiter."
        )

    def _wrapped(self, name: str, size: float, text: str) -> list[str]:
        """Return ``text`` broken into lines once; line breaking is the slow part of a page."""
        if name not in self._lines:
            self.pdf.set_font("DejaVu", size=size)
            self._lines[name] = self.pdf.multi_cell(165, 5, text, dry_run=True, output="LINES")
        return self._lines[name]

    def _qr(self, data: str, *, x: float, y: float, size: float) -> None:
        """Draw a QR code as one path of filled module runs.

        Written as raw path operators: a rect() call per run would take most of the
        time of a letter, and an image per letter would bloat the file.
        """
        import segno

        # A fixed mask: choosing the best one would double the time of a letter.
        matrix = segno.make(data, error="m", micro=False, mask=0, boost_error=False).matrix
        pdf = self.pdf
        k = pdf.k
        module = size / len(matrix) * k
        left, top = x * k, (pdf.h - y) * k
        ops = []
        for row_index, row in enumerate(matrix):
            start = None
            for col_index, dark in enumerate([*row, 0]):
                if dark and start is None:
                    start = col_index
                elif not dark and start is not None:
                    ops.append(
                        f"{left + start * module:.2f} {top - (row_index + 1) * module:.2f} "
                        f"{(col_index - start) * module:.2f} {module:.2f} re"
                    )
                    start = None
        pdf.set_fill_color(0)
        pdf._out(" ".join(ops) + " f")

    def output(self) -> bytes:
        """Return the document."""
        return bytes(self.pdf.output())


WRITERS = {"pdf": PdfLetters, "csv": CsvLetters}
MIMETYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "zip": "application/zip"}
# fpdf2 keeps every page until the end (about 25 kB each): larger print runs are split
# into PDFs of this many letters, handed out together as one ZIP file.
LETTERS_PER_PDF = 5000


def letters_format(fmt: str, count: int) -> str:
    """Return the file format for ``count`` letters asked for as ``fmt``: PDF parts go in a ZIP."""
    return "zip" if fmt == "pdf" and count > LETTERS_PER_PDF else fmt


def write_letters(
    letters: Iterable[Letter],
    context: LetterContext,
    fmt: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Return all letters in one file of format ``fmt``: "pdf", "csv" or "zip" (PDF parts)."""
    if fmt == "zip":
        return _zip_of_pdfs(letters, context, progress)
    writer = WRITERS[fmt](context)
    for count, letter in enumerate(letters, start=1):
        writer.add(letter)
        if progress is not None:
            progress(count)
    return writer.output()


def _zip_of_pdfs(
    letters: Iterable[Letter], context: LetterContext, progress: Callable[[int], None] | None
) -> bytes:
    buffer = io.BytesIO()
    # Stored, not deflated: the PDFs are compressed already.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        part, writer, count = 0, None, 0
        for count, letter in enumerate(letters, start=1):
            if writer is None:
                part, writer = part + 1, PdfLetters(context)
            writer.add(letter)
            if count % LETTERS_PER_PDF == 0:
                archive.writestr(f"abstimmungskarten-{part:03d}.pdf", writer.output())
                writer = None
            if progress is not None:
                progress(count)
        if writer is not None:
            archive.writestr(f"abstimmungskarten-{part:03d}.pdf", writer.output())
    return buffer.getvalue()
