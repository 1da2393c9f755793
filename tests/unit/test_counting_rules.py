"""The platform's counting gives exactly the results docs/counting-rules.md shows.

verifier/tests/test_counting_rules.py holds the verifier to the same examples, so the
document, the platform and the verifier cannot drift apart.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from results.methods import count
from results.services import question_seed

DOC = Path(__file__).resolve().parents[2] / "docs" / "counting-rules.md"
BLOCK = re.compile(r"^```json example=(\S+) (input|result)\n(.*?)\n```$", re.M | re.S)
ROOT = re.compile(r'^```json example=lot\n.*?"root": "([0-9a-f]{64})"', re.M | re.S)


def read_examples() -> dict[str, dict[str, Any]]:
    """Return every counting example of the document as {name: {"input", "result"}}."""
    examples: dict[str, dict[str, Any]] = {}
    for name, part, text in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        examples.setdefault(name, {})[part] = json.loads(text)
    return examples


EXAMPLES = read_examples()
MATCH = ROOT.search(DOC.read_text(encoding="utf-8"))
assert MATCH, "docs/counting-rules.md shows no lot example with its root"
LOG_ROOT = bytes.fromhex(MATCH[1])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_count_of_an_example_is_the_result_the_document_shows(name):
    given, shown = EXAMPLES[name]["input"], EXAMPLES[name]["result"]
    spec = given["question"]
    params = dict(spec["params"])
    if params.get("quorum", "none") != "none":
        params["eligible"] = given["eligible"]
    outcome = count(
        spec["method"],
        spec["options"],
        iter(given["answers"]),
        **params,
        lot_seed=question_seed(LOG_ROOT, spec["key"]),
    )
    counted = {"winners": outcome.winners, "ranking": outcome.ranking, "details": outcome.details}
    assert counted == shown, json.dumps(counted, ensure_ascii=False)
