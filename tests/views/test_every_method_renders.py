"""Every method × channel of the published demo renders: page, chart, table and downloads."""

import csv
import io
import json
import re
from pathlib import Path

from results.methods import METHODS

SLUG = "buergerhaushalt-demo"
BUDGETS = ("pb_greedy", "pb_equal_shares")


def test_every_question_of_every_method_shows_a_chart_a_table_and_its_downloads(
    app, client, tmp_path: Path
):
    app.instance_path = str(tmp_path)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    page = client.get(f"/consultations/{SLUG}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    result = client.get(f"/api/v1/consultations/{SLUG}/results").get_json()
    assert {q["method"] for q in result["questions"]} == set(METHODS)
    # Online and paper ballots both count: 34 cast online, 8 keyed from paper.
    assert (result["turnout"]["ballots"], result["turnout"]["paper_ballots"]) == (42, 8)
    problems = []
    for question in result["questions"]:
        key, method = question["key"], question["method"]
        chart = re.search(rf'<img class="chart" src="[^"]*/results/{key}\.svg" alt="([^"]+)"', html)
        if chart is None or len(chart.group(1)) < 20:
            problems.append(f"{method}: no chart with alt text on the page")
        downloads = {
            "svg": ("image/svg+xml", b"<?xml"),
            "png": ("image/png", b"\x89PNG"),
            "csv": ("text/csv", None),
            "json": ("application/json", None),
        }
        for fmt, (kind, start) in downloads.items():
            response = client.get(f"/consultations/{SLUG}/results/{key}.{fmt}")
            if response.status_code != 200 or not response.content_type.startswith(kind):
                problems.append(f"{method}: {fmt} answers {response.status_code}")
            elif start and not response.data.startswith(start):
                problems.append(f"{method}: {fmt} is no {fmt}")
        table = client.get(f"/consultations/{SLUG}/results/{key}.csv").get_data(as_text=True)
        if len(list(csv.reader(io.StringIO(table.lstrip("\ufeff")), delimiter=";"))) < 3:
            problems.append(f"{method}: the CSV holds no table")
        as_json = json.loads(client.get(f"/consultations/{SLUG}/results/{key}.json").data)
        if as_json["winners"] != question["winners"]:
            problems.append(f"{method}: the JSON download differs from the API")
        embed = client.get(f"/embed/{SLUG}/{key}")
        if (
            embed.status_code != 200
            or chart is None
            or chart.group(1) not in embed.get_data(as_text=True)
        ):
            problems.append(f"{method}: the embed shows no chart with its alt text")
        pabulib = client.get(f"/consultations/{SLUG}/results/{key}.pb")
        if method in BUDGETS and (pabulib.status_code != 200 or b"PROJECTS" not in pabulib.data):
            problems.append(f"{method}: no Pabulib file")
        if method not in BUDGETS and pabulib.status_code != 404:
            problems.append(f"{method}: a Pabulib file for a question that is no budget")
    assert problems == [], "\n".join(problems)
    assert html.count("<table") >= len(result["questions"])
