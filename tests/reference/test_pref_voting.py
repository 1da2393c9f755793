"""Every ranked, graded and single-winner method against pref-voting, on seeded random profiles.

Few voters and few options make ties common, so the tie reporting is compared too: without a
lot seed our winners are the tied top tier, which is what pref-voting returns as well.
"""

import random

import pytest

from results.methods import count

pv = pytest.importorskip("pref_voting", reason="reference extra not installed")
from pref_voting.grade_methods import approval as pv_approval  # noqa: E402
from pref_voting.grade_methods import majority_judgement, score_voting  # noqa: E402
from pref_voting.grade_profiles import GradeProfile  # noqa: E402
from pref_voting.iterative_methods import instant_runoff_put  # noqa: E402
from pref_voting.margin_based_methods import beat_path  # noqa: E402
from pref_voting.profiles_with_ties import ProfileWithTies  # noqa: E402
from pref_voting.proportional_methods import stv_scottish  # noqa: E402
from pref_voting.scoring_methods import borda_for_profile_with_ties, plurality  # noqa: E402

SEEDS = range(30)


def options_for(rng: random.Random) -> list[str]:
    return [f"o{i}" for i in range(rng.randint(3, 5))]


def full_rankings(rng: random.Random, options: list[str], voters: int) -> list[list[str]]:
    return [rng.sample(options, len(options)) for _ in range(voters)]


def truncated_rankings(rng: random.Random, options: list[str], voters: int) -> list[list[str]]:
    return [rng.sample(options, rng.randint(1, len(options))) for _ in range(voters)]


def names(options: list[str], winners) -> list[str]:
    return sorted(options[c] for c in winners)


def with_ties(rankings: list[list[str]], options: list[str]) -> ProfileWithTies:
    """Return truncated rankings with unranked options below the ranked ones, as we count."""
    profile = ProfileWithTies(
        [{options.index(o): place for place, o in enumerate(r, 1)} for r in rankings],
        candidates=list(range(len(options))),
    )
    profile.use_extended_strict_preference()
    return profile


@pytest.mark.parametrize("seed", SEEDS)
def test_single_choice_is_plurality(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = full_rankings(rng, options, rng.randint(1, 9))
    ours = count("single", options, [r[0] for r in rankings])
    theirs = plurality(with_ties(rankings, options))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_borda_on_full_rankings(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = full_rankings(rng, options, rng.randint(1, 9))
    ours = count("borda", options, rankings)
    # On full rankings the symmetric count is 2 x Borda - (n - 1): the same winners.
    theirs = borda_for_profile_with_ties(with_ties(rankings, options))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_borda_on_truncated_rankings_is_the_averaged_count(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = truncated_rankings(rng, options, rng.randint(1, 9))
    ours = count("borda", options, rankings)
    theirs = borda_for_profile_with_ties(with_ties(rankings, options))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_schulze_is_beat_path(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = truncated_rankings(rng, options, rng.randint(1, 9))
    ours = count("schulze", options, rankings)
    theirs = beat_path(with_ties(rankings, options))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_irv_without_a_lot_names_every_possible_winner(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = full_rankings(rng, options, rng.randint(1, 9))
    ours = count("irv", options, rankings)
    theirs = instant_runoff_put(with_ties(rankings, options))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_irv_with_a_lot_elects_one_possible_winner(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = full_rankings(rng, options, rng.randint(1, 9))
    ours = count("irv", options, rankings, lot_seed=seed.to_bytes(4, "big"))
    theirs = instant_runoff_put(with_ties(rankings, options))
    assert len(ours.winners) == 1
    assert ours.winners[0] in names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_approval(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    sets = [rng.sample(options, rng.randint(1, len(options))) for _ in range(rng.randint(1, 9))]
    ours = count("approval", options, sets)
    theirs = pv_approval(
        GradeProfile(
            [{options.index(o): 1 for o in s} for s in sets],
            [0, 1],
            candidates=list(range(len(options))),
        )
    )
    assert sorted(ours.winners) == names(options, theirs)


def grade_ballots(rng: random.Random, options: list[str], scale: int) -> list[dict[str, int]]:
    return [{o: rng.randrange(scale) for o in options} for _ in range(rng.randint(1, 9))]


@pytest.mark.parametrize("seed", SEEDS)
def test_majority_judgment(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    grades = [f"g{i}" for i in range(rng.randint(2, 6))]
    ballots = grade_ballots(rng, options, len(grades))
    ours = count("majority_judgment", options, ballots, grades=grades)
    profile = GradeProfile(
        [{options.index(o): g for o, g in b.items()} for b in ballots],
        list(range(len(grades))),
    )
    assert sorted(ours.winners) == names(options, majority_judgement(profile))


@pytest.mark.parametrize("seed", SEEDS)
def test_score(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    grades = [f"g{i}" for i in range(rng.randint(2, 6))]
    ballots = grade_ballots(rng, options, len(grades))
    ours = count("score", options, ballots, grades=grades)
    profile = GradeProfile(
        [{options.index(o): g for o, g in b.items()} for b in ballots],
        list(range(len(grades))),
    )
    assert sorted(ours.winners) == names(options, score_voting(profile))


@pytest.mark.parametrize("seed", range(25))
def test_stv_agrees_with_scottish_stv_where_no_lot_is_needed(seed):
    rng = random.Random(seed)
    options = [f"o{i}" for i in range(rng.randint(4, 7))]
    seats = rng.randint(2, 3)
    # Voters lean towards a few favourites, so surpluses and transfers happen.
    weights = [rng.random() ** 2 for _ in options]
    rankings = []
    for _ in range(rng.randint(30, 90)):
        pool, ranking = list(options), []
        for _ in range(rng.randint(1, len(options))):
            pick = rng.choices(pool, [weights[options.index(o)] for o in pool])[0]
            pool.remove(pick)
            ranking.append(pick)
        rankings.append(ranking)
    ours = count("stv", options, rankings, seats=seats)
    if "tie" in ours.details:
        pytest.skip("a tie that only a lot can break; the two lots differ")
    theirs = stv_scottish(with_ties(rankings, options), num_seats=seats, rng=random.Random(0))
    assert sorted(ours.winners) == names(options, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_irv_on_truncated_rankings(seed):
    rng = random.Random(seed)
    options = options_for(rng)
    rankings = truncated_rankings(rng, options, rng.randint(1, 9))
    ours = count("irv", options, rankings)
    profile = ProfileWithTies(
        [{options.index(o): place for place, o in enumerate(r, 1)} for r in rankings],
        candidates=list(range(len(options))),
    )
    assert sorted(ours.winners) == names(options, instant_runoff_put(profile))
