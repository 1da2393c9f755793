"""An insider reading log files, looking for what ties a vote to a person or a moment.

The attacker knows the paths of the vote requests and reads every line. A line about a
vote request is bad if it also holds an IP address (v4 or v6, loopback included) or a
time finer than the hour. Then the attacker pairs the order of the lines that name a
cast and an address with the order of the ballot log's leaves: the k-th such line is
taken to be leaf k, and a voter is exposed if it names them and their ballot is leaf k.
"""

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# Candidates only; ipaddress decides. IPv6 needs a "::" or eight groups, so times do not pass.
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?![0-9A-Fa-f:])")
# 10:04, 10:04:13, 10:04:13.123, 10:04:13,123; and Unix times with or without fractions.
_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?![\d:])")
_EPOCH = re.compile(r"(?<![\d.])(1\d{9})(?:\.(\d+))?(?![\d.])")


def addresses_in(line: str) -> list[str]:
    """Return the IP addresses written in a line."""
    found = []
    for candidate in _IPV4.findall(line) + _IPV6.findall(line):
        for text in (candidate, candidate.rstrip(".:")):
            try:
                if text != "::":
                    found.append(str(ipaddress.ip_address(text)))
                    break
            except ValueError:
                continue
    return found


def has_time_finer_than_hour(line: str) -> bool:
    """Tell whether a line states a time of day with minutes, seconds or a fraction."""
    for _hour, minute, second, fraction in _CLOCK.findall(line):
        if int(minute) or int(second or 0) or int(fraction or 0):
            return True
    for seconds, fraction in _EPOCH.findall(line):
        if int(seconds) % 3600 or int(fraction or 0):
            return True
    return False


@dataclass(frozen=True)
class Findings:
    """What the attacker got out of the logs."""

    vote_lines: int  # lines naming a vote request
    with_address: int  # of them, lines with an IP address
    with_fine_time: int  # of them, lines with a time finer than the hour
    cast_lines: int  # of them, lines naming a cast (a POST to the vote path)
    paired: int  # voters whose own cast line stands at their leaf's position

    def summary(self, voters: int) -> str:
        return (
            f"{self.with_address} of {self.vote_lines} vote lines carry an address, "
            f"{self.with_fine_time} a time finer than the hour; {self.cast_lines} cast lines; "
            f"{self.paired} of {voters} voters paired with their leaf by line order"
        )


def attack(
    lines: Iterable[str],
    *,
    vote_path: str,
    leaf_of: Mapping[str, int],
    is_vote_line: Callable[[str], bool] | None = None,
) -> Findings:
    """Read every line; ``leaf_of`` maps each voter's address to their ballot's leaf index.

    A line is about a vote request if ``is_vote_line`` says so, by default if it holds
    ``vote_path`` or the word "vote"; it names a cast if it holds "POST" and ``vote_path``.
    """
    vote_lines = with_address = with_fine_time = cast_lines = paired = 0
    addressed_casts = 0
    for line in lines:
        if is_vote_line is not None and not is_vote_line(line):
            continue
        if is_vote_line is None and vote_path not in line and "vote" not in line.lower():
            continue
        vote_lines += 1
        in_line = addresses_in(line)
        with_address += bool(in_line)
        with_fine_time += has_time_finer_than_hour(line)
        if "POST" in line and vote_path in line:
            cast_lines += 1
            if in_line:
                paired += any(leaf_of.get(address) == addressed_casts for address in in_line)
                addressed_casts += 1
    return Findings(vote_lines, with_address, with_fine_time, cast_lines, paired)
