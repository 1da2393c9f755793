"""Small cells: no figure of a small group can be read, directly or by subtraction."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from results.cells import REMAINDER, hidden_cells, merge_hours, merged_districts, suppress


def cells(*ballots: int) -> list[dict]:
    return [{"district": f"d{i}", "eligible": 100, "ballots": n} for i, n in enumerate(ballots)]


def shown(*ballots: int) -> list[int | None]:
    return [cell["ballots"] for cell in suppress(cells(*ballots), 10)]


def test_cells_below_the_minimum_show_no_number_nor_does_a_zero():
    assert shown(40, 3, 8, 12) == [40, None, None, 12]
    assert shown(40, 0, 12) == [40, None, None]
    assert [c["suppressed"] for c in suppress(cells(40, 3, 8, 12), 10)] == [
        False,
        True,
        True,
        False,
    ]


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    # Otherwise the total minus the shown cells would give the hidden one away.
    assert shown(40, 3, 25, 12) == [40, None, 25, None]


def test_hidden_cells_that_add_up_to_a_small_group_take_another_with_them():
    # 3 + 5 = 8 would be the total minus 40 and 12: two districts' 8 ballots, readable.
    assert shown(40, 3, 5, 12) == [40, None, None, None]


def test_nothing_is_suppressed_when_every_cell_is_large_enough():
    assert shown(10, 11) == [10, 11]
    assert shown() == []


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=12), st.integers(1, 20))
def test_no_small_cell_is_shown_or_left_over_by_subtraction(sizes, minimum):
    hidden = hidden_cells(sizes, minimum)
    assert all(sizes[i] >= minimum for i in range(len(sizes)) if i not in hidden)
    if hidden and len(hidden) < len(sizes):
        # The total minus the shown cells is the sum of the hidden ones: never small.
        assert sum(sizes[i] for i in hidden) >= minimum
    # Only what is needed: every cell shown is at least as large as any added to the hidden.
    added = [sizes[i] for i in hidden if sizes[i] >= minimum]
    kept = [sizes[i] for i in range(len(sizes)) if i not in hidden]
    assert not added or not kept or max(added) <= min(kept)


def test_small_districts_are_stored_under_the_remainder():
    names = merged_districts({"Nord": 10, "Süd": 9, "Ost": 1, "": 30, REMAINDER: 40}, 10)
    assert names == {
        "Nord": "Nord",
        "Süd": REMAINDER,
        "Ost": REMAINDER,
        "": "",
        REMAINDER: REMAINDER,
    }


def hour(n: int) -> datetime:
    return datetime(2025, 3, 1, tzinfo=UTC) + timedelta(hours=n)


def test_hours_are_joined_until_each_period_holds_the_minimum():
    counts = [(hour(0), 1), (hour(1), 20), (hour(2), 2), (hour(4), 9), (hour(5), 3)]
    assert merge_hours(counts, 10, start=hour(-2), end=hour(8)) == [
        (hour(-2), hour(2), 21),
        # 2 + 9 fill the next; the last 3 are too few on their own and join it.
        (hour(2), hour(8), 14),
    ]
    assert merge_hours([(hour(3), 4)], 10) == [(hour(3), hour(4), 4)]
    assert merge_hours([], 10, start=hour(0), end=hour(5)) == []


@given(st.lists(st.integers(min_value=1, max_value=30), max_size=30), st.integers(1, 15))
def test_periods_follow_each_other_and_keep_every_ballot(ballots, minimum):
    counts = [(hour(i), n) for i, n in enumerate(ballots)]
    periods = merge_hours(counts, minimum, start=hour(0), end=hour(len(ballots) + 3))
    assert sum(n for _, _, n in periods) == sum(ballots)
    assert all(
        until == begin for (_, until, _), (begin, _, _) in zip(periods, periods[1:], strict=False)
    )
    if sum(ballots) >= minimum:
        assert all(n >= minimum for _, _, n in periods)
    else:
        assert len(periods) == (1 if ballots else 0)
