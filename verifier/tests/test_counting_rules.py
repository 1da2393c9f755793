"""Every worked example of docs/counting-rules.md recounts to exactly the result it shows.

The document is the specification a stranger implements a verifier from; its examples are
blocks marked ```json example=NAME input``` and ```json example=NAME result```. Counting each
input here keeps the document and the verifier from drifting apart.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from buergervotum_verifier.recount import RECOUNTS, Question, check_answer, recount, recount_for
from buergervotum_verifier.recount_common import Lot, question_seed

DOC = Path(__file__).resolve().parents[2] / "docs" / "counting-rules.md"
BLOCK = re.compile(r"^```json example=(\S+)(?: (input|result))?\n(.*?)\n```$", re.M | re.S)
MOST_ANSWERS = 6  # small enough to recount by hand

if not DOC.exists():  # the verifier's folder copied without the rest of the checkout
    pytest.skip(f"{DOC} is not here", allow_module_level=True)


def read_examples() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the lot example and every counting example as {name: {"input", "result"}}."""
    lot: dict[str, Any] = {}
    examples: dict[str, dict[str, Any]] = {}
    for name, part, text in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if name == "lot" and not part:
            lot = json.loads(text)
            continue
        parts = examples.setdefault(name, {})
        assert part and part not in parts, f"example {name!r} has no or a second {part!r} block"
        parts[part] = json.loads(text)
    return lot, examples


LOT, EXAMPLES = read_examples()
ROOT = bytes.fromhex(LOT["root"])


def question(example: dict[str, Any]) -> Question:
    spec = example["input"]["question"]
    return Question(spec["key"], spec["method"], tuple(spec["options"]), spec["params"])


def test_every_example_shows_its_input_and_its_result():
    assert EXAMPLES
    for name, parts in EXAMPLES.items():
        assert set(parts) == {"input", "result"}, name


def test_the_examples_cover_every_method_and_every_completion():
    methods = {question(example).method for example in EXAMPLES.values()}
    assert methods == set(RECOUNTS)
    completions = {
        question(example).params.get("completion", "add1")
        for example in EXAMPLES.values()
        if question(example).method == "pb_equal_shares"
    }
    assert completions == {"none", "add1", "greedy"}


def test_the_lot_example_derives_the_seed_tickets_and_order_shown():
    seed = question_seed(ROOT, LOT["question"])
    lot = Lot(seed)
    assert seed.hex() == LOT["seed"]
    assert {option: lot.ticket(option) for option in LOT["tickets"]} == LOT["tickets"]
    assert lot.order(LOT["tickets"]) == LOT["lot_order"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_recount_of_an_example_is_the_result_the_document_shows(name):
    example = EXAMPLES[name]
    asked = question(example)
    answers = example["input"]["answers"]
    assert len(answers) <= MOST_ANSWERS
    recount_for(asked)
    for answer in answers:
        check_answer(asked, answer)
    counted = recount(asked, iter(answers), example["input"]["eligible"], ROOT)
    assert counted == example["result"], json.dumps(counted, ensure_ascii=False)
