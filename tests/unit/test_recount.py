"""The verifier's ballot checks: each malformed answer is named with its reason."""

import pytest

from ballots.recount import Question, RecountError, check_answer, recount

YES_NO = Question("brunnen", "yes_no", ("yes", "no", "abstain"))
SINGLE = Question("nutzung", "single", ("garten", "parken"))
APPROVAL = Question("projekte", "approval", ("a", "b", "c"), {"max_choices": 2})


@pytest.mark.parametrize(
    ("question", "answer", "reason"),
    [
        (YES_NO, "vielleicht", "'vielleicht' is not an option"),
        (YES_NO, ["yes"], "expected one option key"),
        (SINGLE, 3, "expected one option key"),
        (APPROVAL, "a", "expected a list of option keys"),
        (APPROVAL, ["a", "a"], "an option is marked twice"),
        (APPROVAL, ["b", "a"], "not in ballot order"),
        (APPROVAL, ["a", "b", "c"], "3 options marked, at most 2 allowed"),
        (APPROVAL, [], "0 options marked, at least 1 needed"),
        (APPROVAL, ["z"], "'z' is not an option"),
    ],
)
def test_malformed_answers_are_refused_with_their_reason(question, answer, reason):
    with pytest.raises(RecountError, match=reason):
        check_answer(question, answer)


def test_blank_answers_are_well_formed_and_counted_as_blank():
    for question in (YES_NO, SINGLE, APPROVAL):
        check_answer(question, None)
    assert recount(SINGLE, [None, "parken"], eligible=10)["details"] == {
        "counts": {"garten": 0, "parken": 1},
        "valid": 1,
        "blank": 1,
    }


def test_an_unknown_method_or_quorum_is_named():
    with pytest.raises(RecountError, match="method 'schulze', which this verifier does not know"):
        check_answer(Question("rang", "schulze", ("a", "b")), ["a", "b"])
    odd = Question("brunnen", "yes_no", ("yes", "no", "abstain"), {"quorum": "bayern"})
    with pytest.raises(RecountError, match="unknown quorum rule 'bayern'"):
        recount(odd, ["yes"], eligible=10)
