"""Pabulib files in and out, so budgets can be recounted with the research community's tools."""

import pytest

from results.methods import count
from results.pabulib import PabulibError, approval_instance, read_pb, write_pb

# Laid out like the files published on pabulib.org: META, PROJECTS, VOTES, ";" and quotes.
SAMPLE = """META
key;value
description;Bürgerhaushalt Musterstadt
country;Germany
unit;Musterstadt
instance;2026
num_projects;4
num_votes;6
budget;100000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;category
1;60000;4;"Spielplatz; Am Markt";Kinder
2;30000;3;Trinkbrunnen;Umwelt
3;50000.0;3;Radweg;Verkehr
4;20000;1;Bänke;Umwelt
VOTES
voter_id;vote;age;sex
1;1,2;34;F
2;1,3;51;M
3;1,2,4;27;F
4;1;19;M
5;2,3;66;F
6;3;45;M
"""


def test_a_published_style_file_is_read_and_recounted():
    instance = read_pb(SAMPLE)
    assert instance.budget == 100_000
    assert instance.costs == {"1": 60_000, "2": 30_000, "3": 50_000, "4": 20_000}
    assert instance.projects["1"]["name"] == "Spielplatz; Am Markt"
    assert list(instance.ballots())[2] == ["1", "2", "4"]
    outcome = count(
        "pb_greedy",
        list(instance.projects),
        instance.ballots(),
        budget=instance.budget,
        costs=instance.costs,
        lot_seed=b"seed",
    )
    # 1 (4 votes, 60.000), then 2 and 3 with 3 votes: only 2 (30.000) still fits.
    assert outcome.winners == ["1", "2"] and outcome.details["spent"] == 90_000


def test_writing_and_reading_again_changes_nothing():
    instance = read_pb(SAMPLE)
    again = read_pb(write_pb(instance))
    assert again == instance


def test_an_export_of_a_question_lists_every_non_blank_ballot():
    instance = approval_instance(
        meta={"description": "Stadtpark", "budget": "1000"},
        projects=[("a", "Bäume", 600), ("b", "Bänke; neu", 300)],
        ballots=iter([["a"], None, ["a", "b"]]),
        funded=["a"],
    )
    text = write_pb(instance)
    assert '"Bänke; neu"' in text
    back = read_pb(text)
    assert list(back.ballots()) == [["a"], ["a", "b"]]
    assert back.projects["a"]["votes"] == "2" and back.projects["a"]["selected"] == "1"
    assert back.meta["num_votes"] == "2" and back.meta["vote_type"] == "approval"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("project_id;cost\n1;10\n", "line 1: data before"),
        ("META\nkey;value\nbudget;10\n", "no PROJECTS"),
        ("META\nkey;value\nPROJECTS\nproject_id;cost\n1;10;x\n", "line 5: 3 fields"),
        (
            "META\nkey;value\nPROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n1;2\n",
            "unknown",
        ),
    ],
)
def test_files_that_do_not_fit_are_refused_naming_the_line(text, message):
    with pytest.raises(PabulibError, match=message):
        read_pb(text)


def test_costs_must_be_whole_amounts():
    instance = read_pb(SAMPLE.replace("50000.0", "50000.5"))
    with pytest.raises(PabulibError, match="cost of project 3"):
        _ = instance.costs
