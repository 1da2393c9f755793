"""Write the verifier's test vectors into verifier/tests/vectors: python -m tests.vectors.generate.

The bundles are built with the web app's own log, receipt and counting code, from
a fixed key and fixed ballots, so the files come out byte for byte the same on
every run (tests/unit/test_vectors.py checks that). Each invalid-*.json is the
valid bundle with one thing done wrong, as a dishonest server might. The files
live with the verifier, whose own tests read them without the platform.
"""

import copy
import hashlib
import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ballots import merkle
from ballots.commitment import ballot_entry, paper_ballot_entry
from ballots.receipts import Signer, b64url_encode, sign_receipt
from ballots.statements import (
    CLOSING_DOMAIN,
    DEFINITION_DOMAIN,
    PAPER_DOMAIN,
    sign_statement,
    statement_hash,
)
from results.cells import merge_hours
from results.methods import count
from results.services import question_seed
from voting.core.codes import ALPHABET, format_code

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "verifier" / "tests" / "vectors"
SLUG = "teststadt-2027"
ELIGIBLE = 60
SIGNER = Signer(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test vectors").digest()))
OTHER = Signer(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else").digest()))
QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "brunnen",
        "text": "Soll der Brunnen saniert werden?",
        "method": "yes_no",
        "params": {"quorum": "rlp_buergerentscheid"},
        "options": [
            {"key": "yes", "label": "Ja"},
            {"key": "no", "label": "Nein"},
            {"key": "abstain", "label": "Enthaltung"},
        ],
    },
    {
        "key": "nutzung",
        "text": "Welche Nutzung wünschen Sie?",
        "method": "single",
        "params": {},
        "options": [
            {"key": "garten", "label": "Gemeinschaftsgarten"},
            {"key": "spielplatz", "label": "Spielplatz"},
            {"key": "parken", "label": "Parkplätze"},
        ],
    },
    {
        "key": "projekte",
        "text": "Welche Projekte? Bis zu 2.",
        "method": "approval",
        "params": {"max_choices": 2},
        "options": [
            {"key": "baeume", "label": "Bäume"},
            {"key": "baenke", "label": "Bänke"},
            {"key": "licht", "label": "Licht"},
        ],
    },
]


LINES = [{"key": k, "label": f"Linie {k}"} for k in ("l1", "l2", "l3", "l4")]
PLACES = [{"key": k, "label": k.title()} for k in ("markt", "bahnhof", "schule")]
FUNDS = [{"key": k, "label": k.title()} for k in ("spielplatz", "sitzbaenke", "brunnen", "wlan")]
QUESTIONS += [
    {
        "key": "linien",
        "text": "Welche Buslinie zuerst? Bitte ordnen.",
        "method": "schulze",
        "params": {},
        "options": LINES,
    },
    {
        "key": "takt",
        "text": "Welche Linie bekommt den Zehnminutentakt?",
        "method": "irv",
        "params": {},
        "options": LINES,
    },
    {
        "key": "beirat",
        "text": "Wer kommt in den Beirat? Zwei Sitze.",
        "method": "stv",
        "params": {"seats": 2},
        "options": LINES,
    },
    {
        "key": "orte",
        "text": "Wie gut eignen sich diese Orte?",
        "method": "majority_judgment",
        "params": {"grades": ["ungeeignet", "geht", "gut", "sehr gut"]},
        "options": PLACES,
    },
    {
        "key": "haushalt",
        "text": "Bürgerhaushalt: 100 Tausend Euro (Beträge in Tausend Euro)",
        "method": "pb_equal_shares",
        "params": {
            "budget": 100,
            "costs": {"spielplatz": 45, "sitzbaenke": 15, "brunnen": 40, "wlan": 20},
        },
        "options": FUNDS,
    },
    {
        "key": "name",
        "text": "Wie soll der Park heißen? Bitte ordnen.",
        "method": "borda",
        "params": {},
        "options": [
            {"key": "nordpark", "label": "Nordpark"},
            {"key": "suedpark", "label": "Südpark"},
        ],
    },
]


def ballots(n: int = 24) -> list[tuple[str, dict[str, Any]]]:
    """Return n (tracking code, content) pairs drawn from a fixed seed."""
    rng = random.Random(2027)
    more = random.Random(2028)  # the later questions, leaving the first ones' answers as they were
    lines = [o["key"] for o in LINES]
    result = []
    for i in range(n):
        code = format_code("".join(rng.choice(ALPHABET) for _ in range(12)))
        projects = [o for o in ("baeume", "baenke", "licht") if rng.random() < 0.4][:2]
        content = {
            "brunnen": rng.choice(["yes", "yes", "no", "abstain", None]),
            "nutzung": rng.choice(["garten", "spielplatz", "parken", None]),
            "projekte": projects or None,
        }
        for key in ("linien", "takt", "beirat"):
            ranking = more.sample(lines, more.randint(0, 4))
            content[key] = ranking or None
        grades = {o["key"]: more.randint(0, 3) for o in PLACES if more.random() < 0.8}
        content["orte"] = grades or None
        content["haushalt"] = [o["key"] for o in FUNDS if more.random() < 0.4] or None
        # Every other ballot ranks the other park first: a tie the public lot decides.
        content["name"] = ["nordpark", "suedpark"][:: 1 - 2 * (i % 2)]
        result.append((code, content))
    return result


def result_of(
    contents: list[dict[str, Any]], questions: list[dict[str, Any]], root: bytes
) -> dict[str, Any]:
    """Count with the web app's methods, in the shape the app publishes, lots drawn from root."""
    published = []
    for q in questions:
        params = dict(q["params"])
        if q["method"] == "yes_no" and params.get("quorum", "none") != "none":
            params["eligible"] = ELIGIBLE
        options = [o["key"] for o in q["options"]]
        seed = question_seed(root, q["key"])
        outcome = count(
            q["method"], options, (c[q["key"]] for c in contents), **params, lot_seed=seed
        )
        published.append(
            {
                "key": q["key"],
                "text": q["text"],
                "method": q["method"],
                "options": q["options"],
                "winners": outcome.winners,
                "ranking": outcome.ranking,
                "details": outcome.details,
            }
        )
    return {
        "consultation": SLUG,
        "published_at": "2027-03-30T09:00:00Z",
        "turnout": {
            "eligible": ELIGIBLE,
            "ballots": len(contents),
            "minimum_cell": THRESHOLD,
            "by_district": [],
            "by_age": [],
        },
        "questions": published,
        "lot_seed": root.hex(),
    }


def fixed_salt(code: str) -> str:
    """Return a ballot's salt, derived from its code so the files are the same on every run."""
    return hashlib.sha256(b"test vectors salt " + code.encode("ascii")).hexdigest()


MANIFEST = {
    "title": "Zukunft des Stadtparks",
    "kind": "binding",
    "opens_at": "2027-03-01T07:00:00Z",
    "closes_at": "2027-03-29T16:00:00Z",
}
CLOSED_AT = "2027-03-29T16:00:00Z"
THRESHOLD = 10


def definitions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the signed definitions: version 1 when announced, version 2 with the count."""
    chain: list[dict[str, Any]] = []
    for eligible in (None, ELIGIBLE):
        fields = {
            "consultation": SLUG,
            "version": len(chain) + 1,
            "previous": statement_hash(chain[-1]) if chain else None,
            **MANIFEST,
            "eligibility": {"min_age": 16, "districts": []},
            "eligible": eligible,
            "suppression_threshold": THRESHOLD,
            "signing_keys": [SIGNER.key_id],
            "questions": copy.deepcopy(questions),
        }
        chain.append(sign_statement(fields, SIGNER, DEFINITION_DOMAIN))
    return chain


# Paper ballots are keyed the morning after the close, then sealed by the count.
PAPER_KEYED_AT = "2027-03-30T08:00:00Z"
PAPER_SEALED_AT = "2027-03-30T08:45:00Z"


def issued_at(index: int) -> str:
    """Return the hour the receipt of ballot ``index`` was issued: ten ballots an hour."""
    return f"2027-03-{2 + index // 240 % 27:02d}T{index // 10 % 24:02d}:00:00Z"


def hourly(heads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the turnout by period as the server publishes it (results.cells.merge_hours)."""
    counts = Counter(
        datetime.strptime(h["issued_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for h in heads
    )
    periods = merge_hours(
        sorted(counts.items()),
        THRESHOLD,
        start=datetime(2027, 3, 1, 7, tzinfo=UTC),
        end=datetime(2027, 3, 29, 16, tzinfo=UTC),
    )
    stamp = "%Y-%m-%dT%H:00:00Z"
    return [
        {"hour": begin.strftime(stamp), "until": until.strftime(stamp), "ballots": n}
        for begin, until, n in periods
    ]


def bundle(
    entries: list[tuple[str, dict[str, Any]]],
    questions: list[dict[str, Any]] = QUESTIONS,
    result: dict[str, Any] | None = None,
    paper: tuple[list[dict[str, Any]], int, int] | None = None,
) -> dict[str, Any]:
    """Return the bundle a server would publish after logging ``entries`` in order.

    ``paper`` is (contents, invalid, cards): the paper ballots keyed after the close, how
    many sheets were invalid as a whole, and how many polling cards came back by post.
    """
    chain = definitions(questions)
    leaves, heads, frontier = [], [], []
    for index, (code, content) in enumerate(entries):
        salt = fixed_salt(code)
        leaf = merkle.leaf_hash(ballot_entry(SLUG, code, content, salt))
        frontier = merkle.append(frontier, index, leaf)
        leaves.append(
            {
                "leaf_index": index,
                "channel": "online",
                "tracking_code": code,
                "leaf_hash": leaf.hex(),
                "salt": salt,
                "content": content,
            }
        )
        fields = {
            "consultation": SLUG,
            "tracking_code": code,
            "leaf_index": index,
            "leaf_hash": leaf.hex(),
            "tree_size": index + 1,
            "root_hash": merkle.frontier_root(frontier).hex(),
            "definition": statement_hash(chain[-1]),
            "issued_at": issued_at(index),
        }
        heads.append(sign_receipt(fields, SIGNER))
    online = len(leaves)
    papers, invalid, cards = paper or ([], 0, 0)
    closing = sign_statement(
        {
            "consultation": SLUG,
            "definition": statement_hash(chain[-1]),
            "closed_at": CLOSED_AT,
            "tree_size": online,
            "root_hash": merkle.frontier_root(frontier).hex(),
            "participation_marks": online + cards,
            "paper_marks": cards,
        },
        SIGNER,
        CLOSING_DOMAIN,
    )
    for index, content in enumerate(papers, start=online):
        salt = fixed_salt(f"paper {index}")
        leaf = merkle.leaf_hash(paper_ballot_entry(SLUG, content, salt))
        frontier = merkle.append(frontier, index, leaf)
        leaves.append(
            {
                "leaf_index": index,
                "channel": "paper",
                "tracking_code": None,
                "leaf_hash": leaf.hex(),
                "salt": salt,
                "content": content,
            }
        )
        fields = {
            "consultation": SLUG,
            "channel": "paper",
            "tracking_code": None,
            "leaf_index": index,
            "leaf_hash": leaf.hex(),
            "tree_size": index + 1,
            "root_hash": merkle.frontier_root(frontier).hex(),
            "definition": statement_hash(chain[-1]),
            "issued_at": PAPER_KEYED_AT,
        }
        heads.append(sign_receipt(fields, SIGNER))
    root = merkle.frontier_root(frontier)
    seal = None
    if paper:
        seal = sign_statement(
            {
                "consultation": SLUG,
                "definition": statement_hash(chain[-1]),
                "closing": statement_hash(closing),
                "tree_size": len(leaves),
                "root_hash": root.hex(),
                "paper_ballots": len(papers),
                "invalid_paper_ballots": invalid,
                "sealed_at": PAPER_SEALED_AT,
            },
            SIGNER,
            PAPER_DOMAIN,
        )
    contents = [c for _, c in entries] + papers
    published = copy.deepcopy(result) if result else result_of(contents, questions, root)
    published["turnout"] = {**published["turnout"], "by_hour": hourly(heads[:online])}
    if paper:
        published["turnout"]["paper_ballots"] = len(papers)
        published["turnout"]["invalid_paper_ballots"] = invalid
    return {
        "format": "buergervotum-bundle/v3",
        "consultation": {"id": SLUG, **MANIFEST, "questions": copy.deepcopy(questions)},
        "keys": [
            {
                "key_id": SIGNER.key_id,
                "algorithm": "Ed25519",
                "public_key": b64url_encode(SIGNER.public_raw),
                "created_at": "2027-02-01T10:00:00Z",
            }
        ],
        "definitions": chain,
        "closing": closing,
        "paper_seal": seal,
        "tree_size": len(leaves),
        "root_hash": root.hex(),
        "leaves": leaves,
        "tree_heads": heads,
        "turnout": {"eligible": ELIGIBLE, "participation_marks": online, "paper_marks": cards},
        "result": published,
    }


def _flip(text: str) -> str:
    return text[:-1] + chr(ord(text[-1]) ^ 1)


def vectors() -> dict[str, dict[str, Any]]:
    """Return every vector by file name."""
    entries = ballots()
    valid = bundle(entries)
    out = {"valid.json": valid}

    flipped = copy.deepcopy(valid)
    flipped["leaves"][7]["content"]["nutzung"] = _flip(str(entries[7][1]["nutzung"] or "garten"))
    out["invalid-flipped-content.json"] = flipped

    # The salt published for a ballot is not the one its leaf was committed with.
    resalted = copy.deepcopy(valid)
    resalted["leaves"][11]["salt"] = fixed_salt("another salt")
    out["invalid-wrong-salt.json"] = resalted

    # The last ballot and its receipt vanish; log, root, counts and result are made to fit,
    # but the signed closing head still says where the log ended.
    dropped = bundle(entries[:-1])
    dropped["closing"] = valid["closing"]
    out["invalid-dropped-ballot.json"] = dropped

    # A ballot is appended after the last receipt, without a tree head of its own.
    appended = bundle([*entries, entries[0]])
    appended["tree_heads"] = appended["tree_heads"][:-1]
    out["invalid-appended-ballot.json"] = appended

    # A question's text and a method's budget are changed after the definition was signed.
    reworded = copy.deepcopy(valid)
    reworded["consultation"]["questions"][0]["text"] = "Soll der Brunnen abgerissen werden?"
    out["invalid-reworded-question.json"] = reworded
    rebudgeted = copy.deepcopy(valid)
    budget = next(q for q in rebudgeted["definitions"][-1]["questions"] if "budget" in q["params"])
    budget["params"]["budget"] += 1
    out["invalid-changed-budget.json"] = rebudgeted

    # The electorate is said to be larger than signed (a quorum would then fail or pass).
    enlarged = copy.deepcopy(valid)
    enlarged["turnout"]["eligible"] += 40
    out["invalid-changed-eligible.json"] = enlarged

    # The turnout by hour moves a ballot to another hour than its signed receipt states.
    moved = copy.deepcopy(valid)
    by_hour = moved["result"]["turnout"]["by_hour"]
    by_hour[0]["ballots"] -= 1
    by_hour[1]["ballots"] += 1
    out["invalid-moved-turnout.json"] = moved

    # A copy of ballot 3 is appended, logged, signed and counted.
    out["invalid-duplicated-ballot.json"] = bundle([*entries, entries[3]])

    rewritten = copy.deepcopy(valid)
    head = {k: v for k, v in rewritten["tree_heads"][4].items() if k not in ("v", "key_id")}
    del head["signature"]
    head["root_hash"] = merkle.root([merkle.leaf_hash(b"another history")] * 5).hex()
    rewritten["tree_heads"][4] = sign_receipt(head, SIGNER)
    out["invalid-rewritten-tree-head.json"] = rewritten

    forged = copy.deepcopy(valid)
    head = {k: v for k, v in forged["tree_heads"][9].items() if k != "signature"}
    forged["tree_heads"][9] = {**head, "signature": sign_receipt(head, OTHER)["signature"]}
    out["invalid-forged-signature.json"] = forged

    changed = copy.deepcopy(valid)
    counts = changed["result"]["questions"][1]["details"]["counts"]
    counts["parken"] += 1
    counts["garten"] -= 1
    out["invalid-changed-result.json"] = changed

    overfull = [(code, dict(content)) for code, content in entries]
    overfull[4][1]["projekte"] = ["baeume", "baenke", "licht"]
    out["invalid-too-many-choices.json"] = bundle(overfull, result=valid["result"])

    unknown = copy.deepcopy(QUESTIONS)
    unknown[1] = {**unknown[1], "method": "copeland"}
    out["invalid-unknown-method.json"] = bundle(entries, unknown, result=valid["result"])

    # The lots are drawn from a seed of the server's choosing instead of the log's root.
    chosen = copy.deepcopy(valid)
    other_root = hashlib.sha256(b"a root the server liked better").digest()
    chosen["result"] = result_of([c for _, c in entries], QUESTIONS, other_root)
    chosen["result"]["turnout"] = valid["result"]["turnout"]
    out["invalid-chosen-lot-seed.json"] = chosen

    # Six cards came back by post: four valid sheets, one invalid, one envelope empty.
    sheets = [content for _, content in ballots()[:4]]
    out["valid-with-paper.json"] = with_paper = bundle(entries, paper=(sheets, 1, 6))

    # A paper ballot is added after the seal: log, root and result fit, the seal does not.
    unsealed = bundle(entries, paper=([*sheets, sheets[0]], 1, 6))
    unsealed["paper_seal"] = with_paper["paper_seal"]
    out["invalid-paper-ballot-after-seal.json"] = unsealed

    # More paper ballots than polling cards came back, all signed and sealed.
    out["invalid-more-paper-than-cards.json"] = bundle(entries, paper=(sheets, 3, 6))

    # A paper ballot passed off as an online one: keyed by staff, given a tracking code.
    disguised = copy.deepcopy(with_paper)
    disguised["leaves"][-1]["channel"] = "online"
    disguised["leaves"][-1]["tracking_code"] = "PAPR-PAPR-PAPR"
    out["invalid-paper-ballot-as-online.json"] = disguised
    return out


def render(data: dict[str, Any]) -> str:
    """Return a vector file's text."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    """Write every vector into the verifier's tests."""
    for name, data in vectors().items():
        (TARGET / name).write_text(render(data), encoding="utf-8")
        print(f"wrote {(TARGET / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
