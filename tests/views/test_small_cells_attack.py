"""Attack: read a small group's figures from what is published, directly or by subtraction.

A consultation with districts of 1, 3 and 50 voters, run as a city runs it: the register
imported and the count done on the command line, votes cast online at known hours,
returned cards registered and counted per district by two staff members. Then a stranger
fetches every published page, file and chart and tries to learn any cell of fewer than
MIN_DISTRICT_BALLOTS (10): a figure shown as it is, or what is left of a published total
once the shown cells are taken off. The ballot table must name no district that small.
"""

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session, select

from ballots.models import Ballot
from buergervotum_verifier import verify_bundle
from results.models import PaperCount
from tests.conftest import cast_code, csrf_token, log_in_as, make_staff, spec_data
from voting.core.models import Consultation, Voter, utcnow

MINIMUM = 10  # MIN_DISTRICT_BALLOTS as configured by default
SMALL = {"Am Berg": 1, "Bachtal": 3}
LARGE = "Mitte"
PAPER_FIELDS = {
    "brunnen": ["yes", "no", "abstain", "blank", "invalid"],
    "nutzung": ["garten", "spielplatz", "parken", "blank", "invalid"],
    "projekte": ["baeume", "baenke", "licht", "voted", "blank", "invalid"],
}


@dataclass
class Person:
    """One resident of the register, as the test knows them (the attacker does not)."""

    family_name: str
    district: str
    age: int
    code: str = ""


def register(closing_year: int) -> tuple[str, list[Person]]:
    """Return a register export and its people: 1 in Am Berg, 3 in Bachtal, 50 in Mitte.

    Mitte holds the small age bands: two of 16–17 and three of 75 or older.
    """
    people = [Person("Berg0", "Am Berg", 40)]
    people += [Person(f"Bach{i}", "Bachtal", 40) for i in range(3)]
    ages = [17, 17, 80, 80, 80] + [40] * 20 + [30] * 25
    people += [Person(f"Mitte{i}", LARGE, age) for i, age in enumerate(ages)]
    lines = ["Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum"]
    for i, person in enumerate(people):
        born = f"01.01.{closing_year - person.age}"
        lines.append(
            f"{i + 1};Erika;{person.family_name};Marktstraße 1;67655;Kaiserslautern;"
            f"{person.district};{born}"
        )
    return "\n".join(lines) + "\n", people


def answers(i: int) -> dict[str, Any]:
    return {
        "brunnen": ["yes", "no", "abstain"][i % 3],
        "nutzung": ["garten", "spielplatz", "parken"][i % 3],
        "projekte": [["baeume"], ["baenke", "licht"], []][i % 3],
    }


def paper_figures(ballots: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Return each question's paper count of these ballots, as staff write it down."""
    figures = {key: dict.fromkeys(names, 0) for key, names in PAPER_FIELDS.items()}
    for ballot in ballots:
        figures["brunnen"][ballot["brunnen"]] += 1
        figures["nutzung"][ballot["nutzung"]] += 1
        marked = ballot["projekte"]
        for option in marked:
            figures["projekte"][option] += 1
        figures["projekte"]["voted" if marked else "blank"] += 1
    return figures


def run_consultation(app, session: Session, signer, tmp_path: Path) -> tuple[str, list[Person]]:  # type: ignore[no-untyped-def]
    """Run the whole consultation: 32 votes online, 14 on paper (Am Berg's one among them)."""
    runner = app.test_cli_runner()
    spec = tmp_path / "bezirke.json"
    data = spec_data("bezirke")
    # Open since before the first of the four hours the votes are cast in (see below).
    data["period"]["opens_at"] = (utcnow() - timedelta(hours=7)).isoformat()
    spec.write_text(json.dumps(data), encoding="utf-8")
    for args in (["consultations", "load", str(spec)], ["consultations", "schedule", "bezirke"]):
        assert runner.invoke(args=args).exit_code == 0
    closing_year = (utcnow() + timedelta(days=7)).year
    text, people = register(closing_year)
    (tmp_path / "register.csv").write_text(text, encoding="utf-8")
    letters = tmp_path / "letters.csv"
    imported = runner.invoke(
        args=["electorate", "import", "bezirke", str(tmp_path / "register.csv")]
        + ["--letters", str(letters)]
    )
    assert imported.exit_code == 0, imported.output
    codes = {
        row["family_name"]: row["code"]
        for row in csv.DictReader(io.StringIO(letters.read_text("utf-8-sig")), delimiter=";")
    }
    for person in people:
        person.code = codes[person.family_name]
    assert runner.invoke(args=["consultations", "open", "bezirke"]).exit_code == 0
    consultation_id = session.exec(select(Consultation.id)).one()

    berg, bach, mitte = people[0], people[1:4], people[4:]
    online = [bach[0], *mitte[:4], bach[1], *mitte[5:31]]  # 32: both young, two of three old
    on_paper = [berg, bach[2], *mitte[31:43]]  # 14
    # Known hours: 1 ballot (Bachtal's first) in the first, then 20, 2 and 9.
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=6)
    sizes = [1, 20, 2, 9]
    hours = [start + timedelta(hours=h) for h, n in enumerate(sizes) for _ in range(n)]
    for i, (person, hour) in enumerate(zip(online, hours, strict=True)):
        cast_code(session, consultation_id, person.code, signer, answers(i), now=hour)
        session.commit()

    staff = app.test_client()
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(staff, anna)
    paper_url = "/staff/consultations/bezirke/paper/"
    for person in on_paper:
        token = csrf_token(staff, paper_url)
        marked = staff.post(paper_url + "mark", data={"csrf_token": token, "code": person.code})
        assert marked.status_code == 302
    # Closed before the scheduled end: anna asks with a reason, bernd closes.
    early = ["--actor", "anna", "--reason", "Alle Karten sind zurück."]
    assert runner.invoke(args=["consultations", "request-close", "bezirke", *early]).exit_code == 0
    closed = runner.invoke(args=["consultations", "close", "bezirke", "--actor", "bernd"])
    assert closed.exit_code == 0, closed.output

    # Staff sort the returned cards by the districts the count form offers.
    page = staff.get(paper_url).get_data(as_text=True)
    select_html = re.search(r'<select id="q-brunnen-district".*?</select>', page, re.S)
    offered = set(re.findall(r'<option value="([^"]*)"', select_html.group(0)))
    remainder = offered - {person.district for person in people}
    paper_ballots: dict[str, list[dict[str, Any]]] = {}
    for i, person in enumerate(on_paper):
        counted_in = person.district if person.district in offered else next(iter(remainder))
        paper_ballots.setdefault(counted_in, []).append(answers(i))
    for user in (anna, bernd):
        log_in_as(staff, user)
        for district, ballots in paper_ballots.items():
            for key, figures in paper_figures(ballots).items():
                data = {"csrf_token": csrf_token(staff, paper_url), f"q-{key}-district": district}
                data |= {f"q-{key}-n_{name}": str(n) for name, n in figures.items()}
                entered = staff.post(paper_url + f"count/{key}", data=data)
                assert entered.status_code == 302, entered.get_data(as_text=True)

    assert runner.invoke(args=["results", "tally", "bezirke"]).exit_code == 0
    published = runner.invoke(args=["results", "publish", "bezirke", "--actor", "anna"])
    assert published.exit_code == 0, published.output
    session.rollback()
    return "bezirke", people


# The attacker: fetch everything, then take shown cells off published totals.


class Tables(HTMLParser):
    """Every table of a page as its caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._text: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag in ("caption", "td", "th"):
            self._text = []
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._text is not None:
            self.tables[-1] = ("".join(self._text).strip(), self.tables[-1][1])
        elif tag in ("td", "th") and self._text is not None:
            self._row.append(" ".join("".join(self._text).split()))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append(self._row)
        if tag in ("caption", "td", "th"):
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


Figures = dict[str, int]


def size(figures: Mapping[str, int]) -> int:
    """Return how many ballots (or voters) a cell's figures stand for."""
    if "voted" in figures:  # approval: ballots with a mark, blank and invalid ones
        return figures["voted"] + figures.get("blank", 0) + figures.get("invalid", 0)
    return sum(figures.values())


@dataclass
class Breakdown:
    """A published breakdown as the attacker pieced it together from every source."""

    name: str
    total: Figures | None
    cells: dict[str, Figures | None]

    def show(self, label: str, figures: Figures | None) -> None:
        """Learn a cell from one more source; a figure shown anywhere is known."""
        if figures is not None or label not in self.cells:
            self.cells[label] = figures if figures is not None else self.cells.get(label)


def recover(breakdown: Breakdown, minimum: int) -> list[str]:
    """Return every cell below ``minimum`` the breakdown gives away, directly or by subtraction."""
    found = [
        f"{breakdown.name}: {label} shown as {figures}"
        for label, figures in breakdown.cells.items()
        if figures is not None and size(figures) < minimum
    ]
    hidden = [label for label, figures in breakdown.cells.items() if figures is None]
    if hidden and breakdown.total is not None:
        rest = dict(breakdown.total)
        for figures in breakdown.cells.values():
            for name, n in (figures or {}).items():
                rest[name] = rest.get(name, 0) - n
        if size(rest) < minimum:
            found.append(f"{breakdown.name}: {' + '.join(hidden)} = {rest} by subtraction")
    return found


def number(text: str) -> int:
    return int(text.replace(".", "").replace("\u202f", ""))


def svg_steps(svg: str) -> list[int]:
    """Read the turnout chart's cumulative steps back from the line's path and the y ticks."""
    ticks = re.findall(r'<g id="ytick_\d+">.*?<use [^>]*y="([\d.]+)".*?>([\d.]+)</text>', svg, re.S)
    (y0, v0), (y1, v1) = [(float(y), number(v)) for y, v in ticks[:2]]
    path = re.search(r'<path d="([^"]+)"[^>]*stroke: #0072b2; stroke-width: 2', svg).group(1)
    ys = [float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", path)]
    values = [round(v0 + (y - y0) * (v1 - v0) / (y1 - y0)) for y in ys]
    steps = [b - a for a, b in zip([0, *values], values, strict=False)]
    return [step for step in steps if step]


def attack(client: FlaskClient, slug: str, minimum: int) -> tuple[list[str], dict[str, str]]:
    """Fetch every published page, file and chart; return what was recovered, and the bodies."""
    api = client.get(f"/api/v1/consultations/{slug}/results").get_json()
    keys = [question["key"] for question in api["questions"]]
    urls = [
        f"/consultations/{slug}",
        f"/consultations/{slug}/results",
        f"/api/v1/consultations/{slug}/results",
        f"/api/v1/consultations/{slug}/bundle",
        f"/api/v1/consultations/{slug}/log",
        "/api/v1/consultations",
        f"/consultations/{slug}/turnout.svg",
        f"/consultations/{slug}/turnout.png",
    ]
    for key in keys:
        urls += [f"/consultations/{slug}/results/{key}.{ext}" for ext in ("csv", "json", "svg")]
        urls += [f"/consultations/{slug}/results/{key}.png", f"/embed/{slug}/{key}"]
    bodies = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            bodies[url] = response.get_data(as_text=not url.endswith(".png"))
    bundle = json.loads(bodies[f"/api/v1/consultations/{slug}/bundle"])
    paper = api["paper"]
    combined = paper["turnout"]["combined"] if paper else api["turnout"]["ballots"]

    breakdowns: dict[str, Breakdown] = {}

    def breakdown(name: str, total: Figures | None) -> Breakdown:
        return breakdowns.setdefault(name, Breakdown(name, total, {}))

    # JSON: the result API and the bundle's copy of the result.
    for source in (api, bundle["result"]):
        turnout = source["turnout"]
        for name, part, key in (("district", "by_district", "district"), ("age", "by_age", "band")):
            item = breakdown(f"turnout by {name}", {"ballots": combined})
            for cell in turnout[part]:
                shown = None if cell["ballots"] is None else {"ballots": cell["ballots"]}
                item.show(str(cell[key]), shown)
        hourly = breakdown("turnout by hour", {"ballots": turnout["ballots"]})
        for cell in turnout.get("by_hour", []):
            hourly.show(cell["hour"], {"ballots": cell["ballots"]})
    if paper:
        questions = {question["key"]: question for question in api["questions"]}
        for item in paper["questions"]:
            protocol = breakdown(f"paper protocol {item['key']}", item.get("paper"))
            for entry in paper["protocol"]:
                if entry["question"] == item["key"]:
                    protocol.show(entry["district"] or "(no district)", entry.get("figures"))
            online = questions[item["key"]]["details"]["counts"]
            if item.get("combined"):
                both = item["combined"]["details"]["counts"]
                channel = breakdown(f"channels {item['key']}", None)
                channel.show("paper", {k: both[k] - online[k] for k in online})
    # HTML: the result page's tables, the same cells as a reader sees them.
    tables = Tables()
    tables.feed(bodies[f"/consultations/{slug}/results"])
    for caption, rows in tables.tables:
        if caption.startswith("Beteiligung nach"):
            name = "turnout by age" if "Alter" in caption else "turnout by district"
            for row in rows[1:]:
                shown = {"ballots": number(row[2])} if len(row) == 4 else None
                breakdown(name, {"ballots": combined}).show(row[0], shown)
        elif caption.startswith("Zählprotokoll"):
            for district, key, text in rows[1:]:
                pairs = re.findall(r"(\w+): ([\d.]+)", text)
                shown = {name: number(n) for name, n in pairs} or None
                breakdown(f"paper protocol {key}", None).show(district, shown)
    # SVG: the turnout chart's line, step by step.
    chart = bodies.get(f"/consultations/{slug}/turnout.svg")
    if chart:
        steps = breakdown("turnout chart", None)
        for i, step in enumerate(svg_steps(chart)):
            steps.show(f"step {i}", {"ballots": step})

    found = [line for item in breakdowns.values() for line in recover(item, minimum)]
    return found, {url: body for url, body in bodies.items() if isinstance(body, str)}


def test_no_published_page_file_or_chart_gives_away_a_small_cell(app, session, signer, tmp_path):  # type: ignore[no-untyped-def]
    slug, people = run_consultation(app, session, signer, tmp_path)
    found, bodies = attack(app.test_client(), slug, MINIMUM)
    assert found == [], "\n".join(found)
    # Not even their names: the small districts were merged before anything was stored.
    for url, body in bodies.items():
        for name in SMALL:
            assert name not in body, f"{name} in {url}"
    # Nor does any table: a stored district is a large one of the register, or the remainder.
    register_sizes: dict[str, int] = {}
    for person in people:
        register_sizes[person.district] = register_sizes.get(person.district, 0) + 1
    for column in (Ballot.district, Voter.district, PaperCount.district):
        stored = set(session.exec(select(column).distinct()))
        assert stored, column
        assert all(register_sizes.get(name, MINIMUM) >= MINIMUM for name in stored), stored
    # And what was published still verifies: hiding cells broke no signed number.
    bundle = app.test_client().get(f"/api/v1/consultations/{slug}/bundle").get_json()
    assert verify_bundle(bundle).ballots == 32
