"""Participatory budgeting against pabutools, on seeded random instances; add1 by hand."""

import random
from fractions import Fraction

import pytest

from results.methods import count

pytest.importorskip("pabutools", reason="reference extra not installed")
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project  # noqa: E402
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares  # noqa: E402


def instance(seed: int, projects: int = 12, voters: int = 60):
    """Return options, costs, budget and approval ballots of a random PB instance."""
    rng = random.Random(seed)
    options = [f"p{i}" for i in range(rng.randint(3, projects))]
    costs = {o: rng.choice([100, 150, 200, 250, 400, 700]) * rng.randint(1, 9) for o in options}
    budget = sum(costs.values()) * rng.randint(20, 70) // 100
    popularity = {o: rng.random() for o in options}
    ballots = []
    for _ in range(rng.randint(5, voters)):
        chosen = [o for o in options if rng.random() < popularity[o]] or [rng.choice(options)]
        ballots.append(chosen)
    return options, costs, budget, ballots


def theirs(options, costs, budget, ballots):
    projects = {o: Project(o, costs[o]) for o in options}
    inst = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot(projects[o] for o in b) for b in ballots])
    return inst, profile


@pytest.mark.parametrize("seed", range(40))
def test_greedy_is_pabutools_greedy_by_votes(seed):
    options, costs, budget, ballots = instance(seed)
    ours = count("pb_greedy", options, ballots, budget=budget, costs=costs)
    if "tie" in ours.details:
        pytest.skip("equal votes whose order decides; pabutools orders them by name")
    inst, profile = theirs(options, costs, budget, ballots)
    # With cost satisfaction, satisfaction per cost is the number of approvals.
    allocation = greedy_utilitarian_welfare(inst, profile, sat_class=Cost_Sat)
    # pabutools goes on to projects nobody approved (they come last); we fund none of them.
    approved = {o for b in ballots for o in b}
    assert sorted(ours.winners) == sorted(p.name for p in allocation if p.name in approved)


@pytest.mark.parametrize("seed", range(40))
def test_equal_shares_without_completion_is_pabutools_mes(seed):
    options, costs, budget, ballots = instance(seed)
    ours = count("pb_equal_shares", options, ballots, budget=budget, costs=costs, completion="none")
    if "tie" in ours.details:
        pytest.skip("equal price and votes; pabutools breaks such ties by name")
    inst, profile = theirs(options, costs, budget, ballots)
    allocation = method_of_equal_shares(inst, profile, sat_class=Cost_Sat)
    assert ours.winners == [p.name for p in allocation]
    assert ours.details["spent"] == sum(costs[o] for o in ours.winners) <= budget


def skewed_instance(seed: int, projects: int, voters: int):
    """Return a larger instance with a few popular projects, as real ones have."""
    rng = random.Random(seed)
    options = [f"p{i:02d}" for i in range(projects)]
    costs = {p: rng.randint(5, 200) * 1_000 for p in options}
    popularity = {p: 0.02 + 0.25 * rng.random() ** 2 for p in options}
    ballots = []
    for _ in range(voters):
        chosen = [p for p in options if rng.random() < popularity[p]]
        ballots.append(chosen or [rng.choice(options)])
    return options, costs, sum(costs.values()) // 2, ballots


@pytest.mark.parametrize("seed", range(16))
def test_equal_shares_on_larger_instances(seed):
    # Many rounds leave supporters with unequal money, so caps take several passes.
    options, costs, budget, ballots = skewed_instance(seed, projects=25, voters=400)
    ours = count("pb_equal_shares", options, ballots, budget=budget, costs=costs, completion="none")
    if "tie" in ours.details:
        pytest.skip("equal price and votes; pabutools breaks such ties by name")
    inst, profile = theirs(options, costs, budget, ballots)
    allocation = method_of_equal_shares(inst, profile, sat_class=Cost_Sat)
    # The same projects, funded in the same order.
    assert ours.winners == [p.name for p in allocation]


# add1 by hand. Voters 1 and 2 approve A (240) and C (90); voter 3 approves B (120) and C.
ADD1_BALLOTS = [["a", "c"], ["a", "c"], ["b", "c"]]
ADD1_COSTS = {"a": 240, "b": 120, "c": 90}


def test_add1_stops_at_the_first_raise_that_overspends():
    # Budget 400, 133 1/3 each: C first (30 each, rho 1/3); then A needs 240 from
    # 2 x 103 1/3 and B 120 from 103 1/3: neither. Cost 90.
    # 133 + k each leaves 103 + k after C: A is affordable from k = 17 (2 x 120), at rho 1/2,
    # before B (rho 1); then voter 3 still has 120, exactly B. So k = 17 funds A, B and C
    # for 450 > 400: the count stops there and keeps k = 16's outcome, C alone.
    outcome = count("pb_equal_shares", ["a", "b", "c"], ADD1_BALLOTS, budget=400, costs=ADD1_COSTS)
    assert outcome.winners == ["c"]
    assert outcome.details["per_voter_budget"] == "149"
    assert outcome.details["spent"] == 90


def test_add1_keeps_a_raise_that_funds_more_within_the_budget():
    # Voters 1 and 2 approve A (240) and C (90), voter 3 only C; budget 340, 113 1/3 each.
    # C first (30 each); A needs 240 from 2 x 83 1/3: no. Cost 90.
    # 113 + k leaves 83 + k after C: from k = 37 (150 each) A is funded too, for 330 <= 340.
    # With every project funded, raising further cannot change anything: 150 it is.
    outcome = count(
        "pb_equal_shares",
        ["a", "c"],
        [["a", "c"], ["a", "c"], ["c"]],
        budget=340,
        costs={"a": 240, "c": 90},
    )
    assert outcome.winners == ["c", "a"]
    assert outcome.details["per_voter_budget"] == "150"
    assert outcome.details["spent"] == 330
    plain = count(
        "pb_equal_shares",
        ["a", "c"],
        [["a", "c"], ["a", "c"], ["c"]],
        budget=340,
        costs={"a": 240, "c": 90},
        completion="none",
    )
    assert plain.winners == ["c"]


def test_exact_shares_do_not_lose_a_cent():
    # 3 voters share 100: 33 1/3 each, exactly enough for a project costing 100.
    outcome = count(
        "pb_equal_shares",
        ["x", "y"],
        [["x"], ["x"], ["x"]],
        budget=100,
        costs={"x": 100, "y": 50},
        completion="none",
    )
    assert outcome.winners == ["x"]
    assert Fraction(100, 3) * 3 == 100


def test_our_pabulib_files_read_the_same_in_pabutools():
    from pabutools.election.pabulib import parse_pabulib_from_string

    from results.pabulib import approval_instance, write_pb

    options, costs, budget, ballots = instance(7)
    text = write_pb(
        approval_instance(
            meta={"description": "test", "budget": str(budget)},
            projects=[(o, o.upper(), costs[o]) for o in options],
            ballots=iter(ballots),
        )
    )
    inst, profile = parse_pabulib_from_string(text)
    assert int(inst.budget_limit) == budget
    assert {p.name: int(p.cost) for p in inst} == costs
    assert sorted(sorted(p.name for p in b) for b in profile) == sorted(sorted(b) for b in ballots)
    ours = count("pb_equal_shares", options, ballots, budget=budget, costs=costs, completion="none")
    if "tie" not in ours.details:
        theirs = method_of_equal_shares(inst, profile, sat_class=Cost_Sat)
        assert ours.winners == [p.name for p in theirs]
