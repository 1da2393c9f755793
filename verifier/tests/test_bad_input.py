"""Hostile or broken files: each ends with exit status 1 and one line naming what and where."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from buergervotum_verifier.verify import main

VERIFIER = Path(__file__).resolve().parents[1]
VALID = Path(__file__).resolve().parent / "vectors" / "valid.json"


def valid() -> dict:
    return json.loads(VALID.read_text(encoding="utf-8"))


def refused(capsys, tmp_path, bundle: bytes | str | dict, *receipts: bytes | str | dict) -> str:
    """Run the verifier on these files; assert exit 1 and one FAILED line; return that line."""
    paths = []
    for number, data in enumerate([bundle, *receipts]):
        if isinstance(data, dict | list):
            data = json.dumps(data, ensure_ascii=False)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = tmp_path / f"file{number}.json"
        path.write_bytes(data)
        paths.append(str(path))
    status = main(paths)
    out, err = capsys.readouterr()
    assert status == 1, out
    assert out == "" and err.startswith("FAILED: ") and err.count("\n") == 1, err
    return err.strip()


def planted(path: list, value: object = "PLACEHOLDER") -> dict:
    """Return the valid bundle with ``value`` at ``path``."""
    bundle = valid()
    target = bundle
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return bundle


def test_deep_nesting_is_refused_with_its_place(capsys, tmp_path):
    # The object opens the first level at column 1, the lists the next ones from column 12.
    line = refused(capsys, tmp_path, '{"leaves": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert line.endswith("file0.json: line 1 column 111: nested more than 100 levels deep")


def test_brackets_inside_strings_do_not_count_as_nesting(capsys, tmp_path):
    text = '{"title": "[[[[\\"[[[[", "leaves": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert refused(capsys, tmp_path, text).endswith(
        "line 1 column 134: nested more than 100 levels deep"
    )


def test_deep_nesting_inside_a_ballot_is_refused(capsys, tmp_path):
    text = json.dumps(planted(["leaves", 3, "content", "name"]), ensure_ascii=False)
    text = text.replace('"PLACEHOLDER"', "[" * 50_000 + "]" * 50_000)
    assert "nested more than 100 levels deep" in refused(capsys, tmp_path, text)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1e400", "tree_size: the number 1e400 is not a whole number"),
        ("24.0", "tree_size: the number 24.0 is not a whole number"),
        ("9" * 100_000, "tree_size: the integer 99999999999999999999… (100000 characters)"),
        ("-9007199254740992", "tree_size: the integer -9007199254740992 is beyond ±(2^53 - 1)"),
        ("NaN", "tree_size: NaN is not a JSON number"),
        ("Infinity", "tree_size: Infinity is not a JSON number"),
        ("-Infinity", "tree_size: -Infinity is not a JSON number"),
    ],
)
def test_numbers_beyond_integers_are_refused(capsys, tmp_path, raw, says):
    text = json.dumps(planted(["tree_size"]), ensure_ascii=False)
    assert f"file0.json: {says}" in refused(capsys, tmp_path, text.replace('"PLACEHOLDER"', raw))


def test_a_key_named_twice_is_refused_not_merged(capsys, tmp_path):
    text = json.dumps(valid(), ensure_ascii=False)
    leaf = json.dumps(valid()["leaves"][12], ensure_ascii=False)
    twice = leaf[:-1] + ',"salt":"' + "0" * 64 + '"}'
    line = refused(capsys, tmp_path, text.replace(leaf, twice))
    assert line == "FAILED: " + str(tmp_path / "file0.json") + (
        ": leaves[12]: the key 'salt' appears twice in one object"
    )


def test_a_key_named_twice_at_the_top_is_refused(capsys, tmp_path):
    text = json.dumps(valid(), ensure_ascii=False)
    line = refused(capsys, tmp_path, text[:-1] + ',"root_hash":"' + "0" * 64 + '"}')
    assert line.endswith(
        "file0.json: the top level: the key 'root_hash' appears twice in one object"
    )


def test_invalid_utf8_is_refused_with_its_place(capsys, tmp_path):
    data = json.dumps(valid(), ensure_ascii=False).encode("utf-8")
    at = data.index(b"Zukunft")
    line = refused(capsys, tmp_path, data[:at] + b"\xff" + data[at + 1 :])
    assert f"file0.json: line 1 column {at + 1}: not UTF-8 (byte {at}: invalid start byte)" in line


@pytest.mark.parametrize(
    ("escape", "says"),
    [
        ("\\ud800", "leaves[3].content.projekte[0]: a string holds a lone surrogate"),
        ("\\udc00x", "leaves[3].content.projekte[0]: a string holds a lone surrogate"),
    ],
)
def test_a_lone_surrogate_is_refused_as_no_unicode(capsys, tmp_path, escape, says):
    text = json.dumps(planted(["leaves", 3, "content", "projekte"], ["PLACEHOLDER"]))
    assert says in refused(capsys, tmp_path, text.replace("PLACEHOLDER", escape))


def test_a_surrogate_pair_is_one_character_and_read(capsys, tmp_path):
    # An emoji written as an escaped pair is text like any other: the title then differs.
    text = json.dumps(planted(["consultation", "title"]))
    line = refused(capsys, tmp_path, text.replace("PLACEHOLDER", "\\ud83d\\ude00"))
    assert "the bundle's title differs from the signed definition's" in line


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ([1, 2], "the top level: expected a JSON object, found an array"),
        ("text", 'the top level: expected a JSON object, found "text"'),
    ],
)
def test_a_file_that_is_no_object_is_refused(capsys, tmp_path, document, says):
    assert refused(capsys, tmp_path, json.dumps(document)).endswith(says)


def test_truncated_and_empty_files_are_refused(capsys, tmp_path):
    text = json.dumps(valid(), ensure_ascii=False)
    line = refused(capsys, tmp_path, text[: text.index("Zukunft")])
    assert "file0.json: line 1 column 88: Unterminated string starting at" in line
    assert "file0.json: line 1 column 1: Expecting value" in refused(capsys, tmp_path, "")


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        (["consultation"], "Park", 'consultation: expected an object, found "Park"'),
        (["leaves"], {"0": 1}, "leaves: expected an array, found an object"),
        (
            ["leaves", 1, "leaf_index"],
            True,
            "leaves[1].leaf_index: expected an integer, found true",
        ),
        (["leaves", 2, "leaf_hash"], "AB" * 32, "leaves[2].leaf_hash: expected 64 lowercase hex"),
        (["leaves", 2, "tracking_code"], 7, "leaves[2].tracking_code: expected a string or null"),
        (["leaves", 2, "tracking_code"], None, "leaf 2: an online ballot needs its tracking code"),
        (["leaves", 2, "channel"], "post", 'leaves[2].channel: expected "online" or "paper"'),
        (["tree_heads", 4, "tree_size"], False, "tree_heads[4].tree_size: expected an integer"),
        (["tree_heads", 4], [], "tree_heads[4]: expected an object, found an array"),
        (["turnout", "eligible"], "60", 'turnout.eligible: expected an integer, found "60"'),
        (["consultation", "questions", 0, "options", 1], "Nein", "questions[0].options[1]: exp"),
        (["result", "questions"], None, "result.questions: expected an array, found null"),
        (["turnout", "paper_marks"], {}, "turnout.paper_marks: expected an integer, found an obj"),
        (["result", "turnout", "by_hour", 1], "x", "result.turnout.by_hour[1]: expected an object"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(capsys, tmp_path, path, value, says):
    assert f"FAILED: {says}" in refused(capsys, tmp_path, planted(path, value)).replace(
        "FAILED: consultation.questions", "FAILED: questions"
    )


@pytest.mark.parametrize(
    ("path", "says"),
    [
        (["leaves", 5, "salt"], "leaves[5].salt: missing"),
        (["tree_heads", 0, "tree_size"], "tree_heads[0].tree_size: missing"),
        (["turnout"], "turnout: missing"),
        (["consultation", "id"], "consultation.id: missing"),
    ],
)
def test_a_missing_field_is_named(capsys, tmp_path, path, says):
    bundle = valid()
    target = bundle
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    assert refused(capsys, tmp_path, bundle) == f"FAILED: {says}"


def test_a_float_leaf_index_is_refused_while_reading(capsys, tmp_path):
    text = json.dumps(planted(["leaves", 1, "leaf_index"]), ensure_ascii=False)
    line = refused(capsys, tmp_path, text.replace('"PLACEHOLDER"', "1.0"))
    assert line.endswith(
        "leaves[1].leaf_index: the number 1.0 is not a whole number; a bundle holds no others"
    )


def test_bad_receipts_are_named(capsys, tmp_path):
    receipt = valid()["tree_heads"][3]
    line = refused(capsys, tmp_path, valid(), {**receipt, "leaf_index": True})
    assert line.endswith("file1.json: leaf_index: expected an integer, found true")
    assert line.startswith("FAILED: receipt ")
    line = refused(capsys, tmp_path, valid(), [receipt])
    assert line.endswith("file1.json: the top level: expected a JSON object, found an array")
    line = refused(capsys, tmp_path, valid(), json.dumps(receipt)[:-1] + ',"v":1}')
    assert line.endswith("file1.json: the top level: the key 'v' appears twice in one object")


def test_a_message_stays_on_one_line(capsys, tmp_path):
    status = main([str(tmp_path / "neue\nzeile.json")])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1
    assert "neue\\nzeile.json: cannot be read as JSON" in err


def test_the_command_line_prints_no_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    done = subprocess.run(
        [sys.executable, "-m", "buergervotum_verifier", str(path)],
        cwd=VERIFIER,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"FAILED: {path}: line 1 column 101: nested more than 100 levels deep\n"


def test_mutated_bundles_end_in_one_line(capsys, tmp_path):
    """Fuzz, lightly: cut the valid bundle short, or change its bytes, at a few hundred places."""
    data = VALID.read_bytes()
    rng = random.Random(19)
    path = tmp_path / "bundle.json"
    cuts = sorted(rng.sample(range(len(data)), 120))
    changes = [(rng.randrange(len(data)), rng.randrange(256)) for _ in range(200)]
    mutants = [data[:cut] for cut in cuts]
    mutants += [data[:at] + bytes([value]) + data[at + 1 :] for at, value in changes]
    for mutant in mutants:
        path.write_bytes(mutant)
        status = main([str(path)])
        out, err = capsys.readouterr()
        if status == 0:  # a change the bundle does not commit to (a question's text, a label)
            assert out.startswith("OK: ") and err == ""
            continue
        assert status == 1 and out == "", out
        assert err.startswith("FAILED: ") and err.count("\n") == 1, err
        assert "fault of the verifier" not in err, err


def test_every_field_of_a_wrong_type_is_named_or_judged(capsys, tmp_path):
    """Each value of the valid bundle (the first leaf and head standing for all) in turn
    replaced by one of another type: refused with a message that is not the catch-all."""
    others = [None, True, "x", [], {"a": 1}, 7]
    places: list[list] = []

    def walk(value: object, path: list) -> None:
        if path:
            places.append(path)
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, [*path, key])
        elif isinstance(value, list):
            for index, inner in enumerate(
                value[:1] if path in (["leaves"], ["tree_heads"]) else value
            ):
                walk(inner, [*path, index])

    walk(valid(), [])
    for number, path in enumerate(places):
        bundle = planted(path, others[number % len(others)])
        path_file = tmp_path / "bundle.json"
        path_file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
        status = main([str(path_file)])
        out, err = capsys.readouterr()
        assert status in (0, 1), path
        assert "malformed" not in err and "fault of the verifier" not in err, (path, err)
