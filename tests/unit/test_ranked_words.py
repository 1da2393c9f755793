"""Ranked counts in words, from published details alone (docs/counting-rules.md, 4.5-4.7)."""

from results.methods import count
from results.ranked_words import irv_words, schulze_words

LABELS = {"a": "Rad", "b": "Bus", "c": "Bahn", "d": "Auto"}


def question(method, options, answers, lot_seed):  # type: ignore[no-untyped-def]
    outcome = count(method, options, answers, lot_seed=lot_seed)
    return {"winners": outcome.winners, "ranking": outcome.ranking, "details": outcome.details}


def test_irv_rounds_name_transfers_exhausted_ballots_and_lots(app):
    # The counting rules' example: rounds 1 to 3 each end in a tie drawn by lot.
    answers = [["a"], ["a", "b"], ["b", "c"], ["c", "b"], ["d", "c"], ["d", "a"]]
    q = question("irv", ["a", "b", "c", "d"], answers, b"seed")
    with app.test_request_context(headers={"Accept-Language": "de"}):
        words = irv_words(q, LABELS)
    rounds = q["details"]["rounds"]
    assert len(words) == len(rounds)
    loser = LABELS[rounds[0]["eliminated"]]
    assert words[0].startswith(
        f"Runde 1: {loser} scheidet mit 1 Stimme aus (Gleichstand bei den wenigsten Stimmen, "
        "durch Los entschieden); 1 Stimme geht an "
    )
    winner, last = q["winners"][0], rounds[-1]["votes"]
    assert words[-1] == (
        f"Runde {len(rounds)}: {LABELS[winner]} hat {last[winner]} von {sum(last.values())} "
        "Stimmen, mehr als die Hälfte, und gewinnt."
    )
    assert any("verfällt" in sentence or "verfallen" in sentence for sentence in words)


def test_schulze_names_ties_decided_by_lot(app):
    # The counting rules' cycle: a and b share the first tier and the lot names the winner.
    answers = [["a", "b", "c"], ["a", "b", "c"], ["b", "c", "a"], ["b", "c", "a"], ["c", "a", "b"]]
    q = question("schulze", ["a", "b", "c"], answers, b"seed")
    with app.test_request_context(headers={"Accept-Language": "de"}):
        words = schulze_words(q, LABELS)
    winner, other = LABELS[q["winners"][0]], ({"Rad", "Bus"} - {LABELS[q["winners"][0]]}).pop()
    assert words[0] == "Vollständige Rangfolge: 1. Rad, Bus (gleichauf), 3. Bahn."
    assert (
        f"{winner} und {other} sind gleichauf: Die stärksten Pfade in beide Richtungen haben die "
        "Stärke 1; das Los hat entschieden." in words
    )
    # The path to Bahn may lead through the other option: each link is named.
    assert any(sentence.startswith(f"{winner} schlägt Bahn:") for sentence in words)
