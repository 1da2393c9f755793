"""German is the default language: every string of the interface has a translation."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "translations/de/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def messages():
    with CATALOGUE.open("rb") as file:
        return [message for message in read_po(file) if message.id]


def test_every_message_is_translated_and_none_is_fuzzy():
    missing = [
        message.id
        for message in messages()
        if message.fuzzy
        or not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert missing == []


def test_translations_keep_the_placeholders():
    for message in messages():
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        target = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(" ".join(source)))
        for text in target:
            assert set(PLACEHOLDER.findall(text)) <= expected, message.id
            assert set(PLACEHOLDER.findall(text)) >= expected - {"%(num)d"}, message.id
