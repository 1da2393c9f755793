import json

import pytest

from results.methods import METHODS, InvalidBallot, UnknownMethod, count, register

YES_NO = ["yes", "no", "abstain"]


def ballots(**counts: int):
    """Yield each answer as often as given, lazily, as the database would stream them."""
    for answer, n in counts.items():
        for _ in range(n):
            yield None if answer == "blank" else answer


def rlp(**counts: int):
    return count("yes_no", YES_NO, ballots(**counts), quorum="rlp_buergerentscheid", eligible=1000)


# --- registry ---------------------------------------------------------------------------------


def test_known_methods_are_registered():
    assert {"yes_no", "single", "approval"} <= set(METHODS)


def test_unknown_method_is_a_value_error_naming_it():
    with pytest.raises(UnknownMethod, match="'condorcet'") as error:
        count("condorcet", ["a"], [])
    assert isinstance(error.value, ValueError)


def test_a_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        register("single")(lambda options, ballots: None)


@pytest.mark.parametrize(
    ("method", "options", "votes", "params"),
    [
        ("yes_no", YES_NO, ["yes", "no", "abstain", None], {}),
        ("yes_no", YES_NO, ["yes", None], {"quorum": "rlp_buergerentscheid", "eligible": 9}),
        ("single", ["a", "b"], ["a", None], {}),
        ("approval", ["a", "b"], [["a", "b"], None], {}),
    ],
)
def test_details_publish_as_json_without_floats(method, options, votes, params):
    outcome = count(method, options, iter(votes), **params)
    text = json.dumps(outcome.details)
    assert json.loads(text) == outcome.details
    assert "." not in text  # no float crept in


# --- yes_no -----------------------------------------------------------------------------------


def test_yes_no_majority_of_yes_and_no_wins():
    outcome = count("yes_no", YES_NO, ballots(yes=7, no=3, abstain=2, blank=1))
    assert outcome.winners == ["yes"]
    assert outcome.ranking == [["yes"], ["no"]]
    assert outcome.details == {
        "counts": {"yes": 7, "no": 3, "abstain": 2},
        "blank": 1,
        "valid": 10,
        "decision": "accepted",
    }


def test_yes_no_rejected():
    outcome = count("yes_no", YES_NO, ballots(yes=2, no=5))
    assert (outcome.winners, outcome.details["decision"]) == (["no"], "rejected")


def test_yes_no_tie_counts_as_answered_no():
    outcome = count("yes_no", YES_NO, ballots(yes=4, no=4, abstain=1))
    assert outcome.winners == ["no"]
    assert outcome.ranking == [["yes", "no"]]
    assert outcome.details["decision"] == "rejected"


@pytest.mark.parametrize("quorum", ["none", "rlp_buergerentscheid"])
def test_yes_no_nobody_answering_decides_nothing(quorum):  # type: ignore[no-untyped-def]
    outcome = count("yes_no", YES_NO, ballots(abstain=3, blank=1), quorum=quorum, eligible=10)
    assert outcome.winners == []
    assert outcome.details["decision"] == "not_decided"


def test_yes_no_abstentions_do_not_count_in_the_valid_base():
    outcome = count("yes_no", YES_NO, ballots(yes=3, no=2, abstain=10))
    assert outcome.details["valid"] == 5
    assert outcome.details["decision"] == "accepted"


def test_rlp_quorum_exactly_15_percent_of_eligible_is_enough():
    outcome = rlp(yes=150, no=10)
    assert outcome.winners == ["yes"]
    assert outcome.details["decision"] == "accepted"
    assert outcome.details["quorum"] == {
        "rule": "rlp_buergerentscheid",
        "eligible": 1000,
        "required": 150,
        "reached": True,
    }


def test_rlp_quorum_one_vote_less_leaves_it_undecided():
    outcome = rlp(yes=149, no=10)
    assert outcome.winners == []
    assert outcome.details["decision"] == "not_decided"
    assert outcome.details["quorum"]["reached"] is False


def test_rlp_quorum_applies_to_a_no_majority_too():
    assert rlp(yes=10, no=150).details["decision"] == "rejected"
    assert rlp(yes=10, no=149).details["decision"] == "not_decided"


def test_rlp_quorum_counts_whole_votes():
    # 15 % of 1001 is 150.15: 150 votes fall short, 151 are needed.
    options = dict(quorum="rlp_buergerentscheid", eligible=1001)
    short = count("yes_no", YES_NO, ballots(yes=150), **options)
    enough = count("yes_no", YES_NO, ballots(yes=151), **options)
    assert short.details["quorum"]["required"] == 151
    assert short.details["decision"] == "not_decided"
    assert enough.details["decision"] == "accepted"


def test_rlp_quorum_is_not_met_by_abstentions():
    outcome = rlp(yes=100, no=0, abstain=900)
    assert outcome.details["decision"] == "not_decided"
    assert outcome.details["counts"]["abstain"] == 900


def test_rlp_tie_counts_as_answered_no_whatever_the_quorum():
    for yes_and_no in (200, 1):  # above the quorum of 150, and far below it
        outcome = rlp(yes=yes_and_no, no=yes_and_no)
        assert outcome.details["decision"] == "rejected"
        assert outcome.details["quorum"]["reached"] is False
        assert outcome.winners == ["no"]


@pytest.mark.parametrize("eligible", [None, 0])
def test_rlp_quorum_needs_the_eligible_count(eligible):
    with pytest.raises(ValueError, match="eligible"):
        count("yes_no", YES_NO, [], quorum="rlp_buergerentscheid", eligible=eligible)


def test_yes_no_rejects_unknown_quorum_and_other_options():
    with pytest.raises(ValueError, match="quorum"):
        count("yes_no", YES_NO, [], quorum="bavaria")
    with pytest.raises(ValueError, match="options"):
        count("yes_no", ["yes", "no"], [])


@pytest.mark.parametrize("ballot", ["maybe", "Yes", ["yes"], 1])
def test_yes_no_rejects_other_answers(ballot):
    with pytest.raises(InvalidBallot, match="is not one option"):
        count("yes_no", YES_NO, ["yes", ballot])


# --- single -----------------------------------------------------------------------------------


def test_single_counts_every_option_in_order():
    outcome = count("single", ["a", "b", "c"], ballots(c=3, a=5, blank=2))
    assert outcome.details == {"counts": {"a": 5, "b": 0, "c": 3}, "valid": 8, "blank": 2}
    assert outcome.winners == ["a"]
    assert outcome.ranking == [["a"], ["c"], ["b"]]


def test_single_tie_gives_several_winners_in_option_order():
    outcome = count("single", ["a", "b", "c"], ballots(c=4, b=4, a=1))
    assert outcome.winners == ["b", "c"]
    assert outcome.ranking == [["b", "c"], ["a"]]


def test_single_without_valid_votes_has_no_winner():
    outcome = count("single", ["a", "b"], ballots(blank=3))
    assert outcome.winners == []
    assert outcome.ranking == [["a", "b"]]
    assert outcome.details["blank"] == 3


@pytest.mark.parametrize("ballot", ["d", ["a"], ""])
def test_single_rejects_what_is_not_one_option(ballot):
    with pytest.raises(InvalidBallot, match="not one option"):
        count("single", ["a", "b"], ["a", ballot])


# --- approval ---------------------------------------------------------------------------------


def test_approval_counts_each_option_not_combinations():
    votes = (b for b in [["a", "b"], ("b",), {"b", "c"}, None, []])
    outcome = count("approval", ["a", "b", "c"], votes)
    assert outcome.details == {
        "counts": {"a": 1, "b": 3, "c": 1},
        "ballots": 3,
        "blank": 2,
        "approvals": 5,
    }
    assert outcome.winners == ["b"]
    assert outcome.ranking == [["b"], ["a", "c"]]


def test_approval_tie_and_no_votes():
    assert count("approval", ["a", "b"], [["a"], ["b"]]).winners == ["a", "b"]
    assert count("approval", ["a", "b"], [None]).winners == []


@pytest.mark.parametrize(
    ("ballot", "params", "problem"),
    [
        (["a", "x"], {}, "names an option this question does not have"),
        (["a", "a"], {}, "more than once"),
        ("ab", {}, "wrong form"),
        (["a", "b", "c"], {"max_choices": 2}, "more than 2"),
        (["a"], {"min_choices": 2}, "fewer than 2"),
    ],
)
def test_approval_rejects_ballots_that_do_not_fit(ballot, params, problem):
    with pytest.raises(InvalidBallot, match=problem):
        count("approval", ["a", "b", "c"], [ballot], **params)


def test_approval_limits_allow_ballots_within_them():
    outcome = count("approval", ["a", "b", "c"], [["a", "b"], ["c"]], max_choices=2)
    assert outcome.details["ballots"] == 2


def test_approval_rejects_limits_no_ballot_can_meet():
    with pytest.raises(ValueError, match="allow no ballot"):
        count("approval", ["a", "b"], [], min_choices=3, max_choices=2)
