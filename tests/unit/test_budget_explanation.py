"""The equal-shares explanation, on a profile small enough to work out by hand."""

from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from results.budget_explanation import decisive_lots, explain_equal_shares
from results.methods import count

OPTIONS = ["spiel", "radweg", "baenke", "brunnen"]
COSTS = {"spiel": 30, "radweg": 40, "baenke": 15, "brunnen": 25}
# Seven voters; Spielplatz 5 votes, Radweg 4, Bänke 3, Brunnen 1.
BALLOTS = [
    ["spiel", "radweg"],
    ["spiel", "radweg"],
    ["spiel", "radweg"],
    ["spiel", "baenke"],
    ["baenke"],
    ["baenke", "brunnen"],
    ["spiel", "radweg"],
]


def explain(ballots, budget=70, costs=COSTS, completion="none", lot_seed=None):  # type: ignore[no-untyped-def]
    outcome = count(
        "pb_equal_shares",
        list(costs),
        ballots,
        budget=budget,
        costs=costs,
        completion=completion,
        lot_seed=lot_seed,
    )
    approvals = Counter(tuple(b) for b in ballots if b)
    return outcome, explain_equal_shares(
        list(costs),
        approvals,
        budget=budget,
        costs=costs,
        details=outcome.details,
        lot_seed=lot_seed,
    )


def test_rounds_say_who_paid_how_much_and_the_effective_support():
    outcome, e = explain(BALLOTS)
    assert outcome.winners == ["spiel", "baenke"]
    assert (e["voters"], e["share"], e["share_raised"]) == (7, "10", False)
    first, second = e["rounds"]
    # Round 1: five supporters with 10 € each pay 30 / 5 = 6 €; Radweg would have had 4.
    assert first == {
        "project": "spiel",
        "cost": 30,
        "votes": 5,
        "price": "6",
        "paid_price": 5,
        "paid_rest": 0,
        "rest_total": "0",
        "paid_nothing": 0,
        "effective": "5",
        "next": {"project": "radweg", "effective": "4"},
    }
    # Round 2: the Bänke supporter who paid for the Spielplatz has 4 € and pays it all; the
    # other two pay (15 - 4) / 2 = 5.50 € each: effective support 15 / 5.5 = 30/11.
    assert second["price"] == "11/2"
    assert (second["paid_price"], second["paid_rest"], second["rest_total"]) == (2, 1, "4")
    assert Fraction(second["effective"]) == Fraction(30, 11)
    assert e["completion"] == []


def test_each_unfunded_project_has_its_reason():
    _outcome, e = explain(BALLOTS)
    radweg, brunnen = e["unfunded"]
    # Outbid in round 1 (4 against 5); at 40 / 5 = 8 € a vote it would have matched; its four
    # supporters kept 10 - 6 = 4 € each, 16 € of its 40 €.
    assert radweg == {
        "project": "radweg",
        "votes": 4,
        "cost": 40,
        "reason": "outbid",
        "round": 1,
        "effective": "4",
        "price": "10",
        "winner": "spiel",
        "winner_effective": "5",
        "needed_price": "8",
        "money": "16",
    }
    # One vote of 10 € never reaches 25 €.
    assert brunnen == {
        "project": "brunnen",
        "votes": 1,
        "cost": 25,
        "reason": "too_dear",
        "money": "10",
    }


def test_greedy_comparison_and_ballot_lengths():
    _outcome, e = explain(BALLOTS)
    assert e["greedy"] == {
        "funded": ["spiel", "radweg"],
        "spent": 70,
        "only_equal_shares": ["baenke"],
        "only_greedy": ["radweg"],
        # The voters of ["baenke"] and ["baenke", "brunnen"] get nothing by votes.
        "voters_without_project": {"equal_shares": 0, "greedy": 2},
    }
    assert e["ballot_lengths"] == [[1, 1], [2, 6]]


def test_add1_explains_the_share_it_kept_and_a_greedy_completion_is_named():
    _outcome, e = explain(BALLOTS, completion="add1")
    # 70 / 7 = 10 is raised in whole euros while A and C still fit: up to 15 €.
    assert (e["share"], e["share_raised"]) == ("15", True)
    assert [r["project"] for r in e["rounds"]] == ["spiel", "baenke"]
    assert e["rounds"][1]["paid_price"] == 3  # with 15 € everyone can pay 5 €
    outcome, e = explain(BALLOTS, completion="greedy")
    # 25 € are left after the rounds: Radweg (40 €) does not fit, Brunnen (25 €) does.
    assert outcome.winners == ["spiel", "baenke", "brunnen"]
    assert e["completion"] == ["brunnen"]
    assert [u["project"] for u in e["unfunded"]] == ["radweg"]


def test_no_ballots_leaves_every_project_without_votes():
    _outcome, e = explain([None, None])
    assert e["voters"] == 0
    assert [u["reason"] for u in e["unfunded"]] == ["no_votes"] * 4


def test_a_lot_is_decisive_only_if_a_tied_project_went_unfunded():
    details = {
        "funded": ["a", "b"],
        "lot": [
            {"stage": "s", "tied": ["a", "b"], "drawn": "a", "tickets": {}},
            {"stage": "s", "tied": ["b", "c"], "drawn": "b", "tickets": {}},
        ],
    }
    assert [lot["tied"] for lot in decisive_lots(details)] == [["b", "c"]]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from("abcd"), min_size=1, max_size=4, unique=True).map(sorted),
        max_size=12,
    ),
    st.dictionaries(st.sampled_from("abcd"), st.integers(1, 30), min_size=4, max_size=4),
    st.integers(1, 60),
    st.sampled_from(["none", "add1", "greedy"]),
)
def test_the_replay_follows_every_count(ballots, costs, budget, completion):  # type: ignore[no-untyped-def]
    costs = {k: costs[k] for k in "abcd"}
    outcome, e = explain(ballots, budget, costs, completion, lot_seed=b"seed")
    rounds = [r["project"] for r in e.get("rounds", [])]
    assert rounds + e.get("completion", []) == outcome.winners
    assert {u["project"] for u in e["unfunded"]} == set("abcd") - set(outcome.winners)
    for item in e.get("rounds", []):
        paid = item["paid_price"] * Fraction(item["price"]) + Fraction(item["rest_total"])
        assert paid == item["cost"]
