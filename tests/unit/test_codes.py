"""Polling codes: enough entropy, easy to type, typos caught before any lookup."""

import itertools
import math
import re

import pytest

from voting.core.codes import (
    ALPHABET,
    LENGTH,
    CodeFormatError,
    CodeTypoError,
    generate_code,
    normalise_code,
)


def test_codes_are_grouped_and_carry_at_least_80_random_bits():
    code = generate_code()
    assert re.fullmatch(r"([2-9A-HJ-NP-Z]{4}-){4}[2-9A-HJ-NP-Z]{4}", code)
    assert len(ALPHABET) == 32 and not set("01IO") & set(ALPHABET)
    random_bits = (LENGTH - 1) * math.log2(len(ALPHABET))  # the last character is the check
    assert random_bits >= 80
    assert len({generate_code() for _ in range(1000)}) == 1000


def test_input_is_forgiving_about_case_spaces_and_dashes():
    code = generate_code()
    assert normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")


def test_every_single_mistyped_character_is_caught():
    code = normalise_code(generate_code())
    for position, replacement in itertools.product(range(len(code)), ALPHABET):
        if replacement == code[position]:
            continue
        typo = code[:position] + replacement + code[position + 1 :]
        with pytest.raises(CodeTypoError):
            normalise_code(typo)


def test_most_swapped_neighbours_are_caught():
    caught = total = 0
    for _ in range(200):
        code = normalise_code(generate_code())
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            total += 1
            try:
                normalise_code(swapped)
            except CodeTypoError:
                caught += 1
    assert caught / total > 0.9


@pytest.mark.parametrize("raw", ["", "K7QM-9XDR", "K7QM-9XDR-2TAW-P4NB-5HCE-XXXX", "O" * 20])
def test_wrong_length_or_characters_is_a_format_error(raw):
    with pytest.raises(CodeFormatError):
        normalise_code(raw)
