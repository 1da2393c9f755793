"""Ranked, graded and budgeting methods on cases worked out by hand, and the public lot."""

import hashlib
import json

import pytest

from results.methods import InvalidBallot, count
from results.methods.lot import lot_order
from results.methods.params import ParamError, check_params


def repeat(*groups):
    """Yield each ballot as often as given: repeat((3, ["a", "b"]), …)."""
    for n, ballot in groups:
        for _ in range(n):
            yield ballot


def test_schulze_finds_the_winner_of_schulzes_own_example():
    # Schulze (2011), example 1: 45 voters, the winner is E.
    ballots = repeat(
        (5, list("ACBED")),
        (5, list("ADECB")),
        (8, list("BEDAC")),
        (3, list("CABED")),
        (7, list("CAEBD")),
        (2, list("CBADE")),
        (7, list("DCEBA")),
        (8, list("EBADC")),
    )
    outcome = count("schulze", list("ABCDE"), ballots)
    assert outcome.winners == ["E"]
    assert outcome.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert outcome.details["pairwise"][0][1] == 20  # A over B, as in the paper's matrix


def test_irv_transfers_round_by_round_until_a_majority():
    ballots = repeat((4, ["a", "b"]), (3, ["b", "a"]), (2, ["c", "b"]), (1, ["c"]))
    outcome = count("irv", ["a", "b", "c"], ballots)
    rounds = outcome.details["rounds"]
    assert rounds[0]["votes"] == {"a": 4, "b": 3, "c": 3} and "eliminated" not in rounds[0]
    # b and c tie for last. Eliminating c gives b 5 of 9 continuing ballots (c's lone
    # ballot exhausts); eliminating b gives a 7 of 10. Without a lot both are possible.
    assert outcome.details["tie"]["tied"] == ["b", "c"]
    assert outcome.winners == ["a", "b"]


def test_irv_draws_the_tie_by_the_public_lot_and_says_so():
    ballots = list(repeat((4, ["a", "b"]), (3, ["b", "a"]), (2, ["c", "b"]), (1, ["c"])))
    seed = b"root of the ballot log"
    outcome = count("irv", ["a", "b", "c"], ballots, lot_seed=seed)
    loser = lot_order(seed, ["b", "c"])[-1]
    (lot,) = outcome.details["lot"]
    assert lot["drawn"] == loser == outcome.details["rounds"][0]["eliminated"]
    # Anyone can recompute the tickets from the seed.
    assert (
        lot["tickets"][loser]
        == hashlib.sha256(b"buergervotum/lot/v1\n" + seed + loser.encode()).hexdigest()
    )
    assert outcome.winners == (["b"] if loser == "c" else ["a"])


def test_stv_elects_by_quota_and_transfers_the_surplus_exactly():
    # 12 ballots, 2 seats: quota 12 // 3 + 1 = 5. a has 7: surplus 2 of 7 passes on,
    # 2/7 of each a-ballot: 6 go to b (6 x 2/7 = 1 5/7), 1 is non-transferable (2/7).
    # b: 2 + 1 5/7 = 3 5/7; c: 3. c is excluded, its ballots go to b: 6 5/7 >= 5.
    ballots = repeat((6, ["a", "b"]), (1, ["a"]), (2, ["b"]), (3, ["c", "b"]))
    outcome = count("stv", ["a", "b", "c"], ballots, seats=2)
    assert outcome.winners == ["a", "b"]
    stages = outcome.details["stages"]
    assert outcome.details["quota"] == 5
    assert [s["action"] for s in stages] == [
        "first preferences",
        "elected",
        "surplus",
        "excluded",
        "elected",
    ]
    assert stages[2]["votes"]["b"] == "3.7142"
    assert outcome.details["non_transferable"] == "0.2857"


def test_borda_shares_the_points_of_places_not_given():
    # 3 options: ["a"] gives a 2 points, b and c share the 1 point left: 0.5 each.
    outcome = count("borda", ["a", "b", "c"], [["a"], ["b", "c", "a"]])
    assert outcome.details["points"] == {"a": "2", "b": "2.5", "c": "1.5"}
    assert outcome.winners == ["b"]


def test_majority_judgment_uses_the_lower_median_then_the_gauge():
    # a: grades 0,2,2,3 → lower median 2, above 1, below 1 → -1.
    # b: grades 1,2,2,2 → median 2, above 0, below 1 → -1. Tie: reported, not drawn.
    ballots = [{"a": 0, "b": 1}, {"a": 2, "b": 2}, {"a": 2, "b": 2}, {"a": 3, "b": 2}]
    outcome = count("majority_judgment", ["a", "b"], ballots, grades=["0", "1", "2", "3"])
    assert outcome.details["median"] == {"a": 2, "b": 2}
    assert outcome.winners == ["a", "b"] and outcome.details["tie"]["resolved"] is False


def test_an_ungraded_option_gets_the_worst_grade():
    outcome = count("score", ["a", "b"], [{"a": 2}, {"b": 1}], grades=["x", "y", "z"])
    assert outcome.details["totals"] == {"a": 2, "b": 1}


def test_greedy_budgeting_skips_what_no_longer_fits():
    ballots = repeat((5, ["big"]), (4, ["mid", "small"]), (3, ["small"]))
    outcome = count(
        "pb_greedy",
        ["big", "mid", "small"],
        ballots,
        budget=1000,
        costs={"big": 700, "mid": 400, "small": 300},
    )
    # small (7 votes, 300) then big (5, 700): 1000; mid (4, 400) no longer fits.
    assert outcome.winners == ["small", "big"]
    assert outcome.details["spent"] == 1000


@pytest.mark.parametrize(
    ("method", "ballot", "params"),
    [
        ("irv", ["a", "a"], {}),
        ("schulze", {"a", "b"}, {}),
        ("score", {"a": 5}, {"grades": ["x", "y"]}),
        ("majority_judgment", {"a": True}, {"grades": ["x", "y"]}),
        ("borda", ["z"], {}),
    ],
)
def test_ballots_that_do_not_fit_stop_the_count(method, ballot, params):
    with pytest.raises(InvalidBallot):
        count(method, ["a", "b"], [ballot], **params)


@pytest.mark.parametrize(
    ("method", "options", "votes", "params"),
    [
        ("borda", ["a", "b"], [["a"], None], {}),
        ("schulze", ["a", "b"], [["a", "b"], ["b"]], {"lot_seed": b"s"}),
        ("irv", ["a", "b"], [["a"], ["b"]], {}),
        ("stv", ["a", "b", "c"], [["a", "b"], ["c"]], {"seats": 2}),
        ("majority_judgment", ["a", "b"], [{"a": 1}], {"grades": ["x", "y"]}),
        ("pb_equal_shares", ["a", "b"], [["a"], ["b"]], {"budget": 10, "costs": {"a": 3, "b": 5}}),
    ],
)
def test_new_details_publish_as_json_without_floats(method, options, votes, params):
    outcome = count(method, options, iter(votes), **params)
    text = json.dumps(outcome.details)
    assert json.loads(text) == outcome.details
    assert not any(isinstance(v, float) for v in _leaves(outcome.details))


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@pytest.mark.parametrize(
    ("method", "params", "location", "code"),
    [
        ("stv", {}, ("params", "seats"), "missing_param"),
        ("stv", {"seats": 3}, ("params", "seats"), "whole_number_range"),
        ("score", {"grades": ["only"]}, ("params", "grades"), "grade_names"),
        ("pb_greedy", {"budget": 100}, ("params", "costs"), "missing_param"),
        (
            "pb_greedy",
            {"budget": 0, "costs": {"a": 1, "b": 1, "c": 1}},
            ("params", "budget"),
            "positive_amount",
        ),
        (
            "pb_greedy",
            {"budget": 9, "costs": {"a": 1, "b": 1}},
            ("params", "costs", "c"),
            "option_cost_missing",
        ),
        (
            "pb_greedy",
            {"budget": 9, "costs": {"a": 1, "b": 1, "c": -4}},
            ("params", "costs", "c"),
            "option_cost_invalid",
        ),
        (
            "pb_greedy",
            {"budget": 9, "costs": {"a": 1, "b": 1, "c": 1, "d": 1}},
            ("params", "costs", "d"),
            "cost_without_option",
        ),
        ("pb_greedy", {"budget": 9, "costs": [1, 2, 3]}, ("params", "costs"), "costs_not_mapping"),
        (
            "pb_equal_shares",
            {"budget": 9, "costs": {"a": 1, "b": 1, "c": 1}, "completion": "add2"},
            ("params", "completion"),
            "not_one_of",
        ),
        ("irv", {"seats": 2}, ("params", "seats"), "no_params"),
        ("approval", {"seats": 2}, ("params", "seats"), "unknown_param"),
        ("approval", {"max_choices": 4}, ("params", "max_choices"), "whole_number_range"),
        ("yes_no", {"quorum": "bayern"}, ("params", "quorum"), "not_one_of"),
    ],
)
def test_parameters_that_do_not_fit_are_named(method, params, location, code):
    with pytest.raises(ParamError) as error:
        check_params(method, ["a", "b", "c"], params)
    assert (error.value.location, error.value.code) == (location, code)
    assert str(error.value).startswith(".".join(location) + ": ")


def test_greedy_reports_a_tie_that_decides_what_is_funded_and_draws_it_with_a_seed():
    ballots = [["a"], ["b"], ["a"], ["b"]]
    params = {"budget": 100, "costs": {"a": 60, "b": 70}}
    open_tie = count("pb_greedy", ["a", "b"], ballots, **params)
    assert open_tie.winners == [] and open_tie.details["tie"]["tied"] == ["a", "b"]
    drawn = count("pb_greedy", ["a", "b"], ballots, lot_seed=b"root", **params)
    assert drawn.winners == [lot_order(b"root", ["a", "b"])[0]]
    assert drawn.details["lot"][0]["tied"] == ["a", "b"]
