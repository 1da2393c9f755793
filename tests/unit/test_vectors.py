"""The verifier's shipped vectors are what the platform's own code writes today."""

from buergervotum_verifier import verify_bundle
from tests.vectors import generate


def test_the_shipped_vectors_are_what_the_generator_writes():
    vectors = generate.vectors()
    assert sorted(vectors) == sorted(p.name for p in generate.TARGET.glob("*.json"))
    for name, data in vectors.items():
        assert (generate.TARGET / name).read_text(encoding="utf-8") == generate.render(data), name
    # The platform's log, receipts and counting, as they are now, pass the verifier.
    assert verify_bundle(vectors["valid.json"]).ballots == 24
