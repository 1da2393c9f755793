"""Turnout overall, by district, by age band and over time, with small cells suppressed.

Districts and age bands follow results.cells.suppress; hours are merged into periods of at
least the minimum (results.cells.merge_hours). Districts are the merged ones stored at the
import of the electorate, the remainder among them.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ballots.models import Participation, TurnoutCounter
from results.cells import HOUR, REMAINDER, merge_hours, suppress
from voting.core.models import Consultation, Voter

# Upper ends of the age bands (inclusive); the last band is open. Ages are reached in the
# year the consultation closes: only the birth year is stored.
AGE_BANDS = (17, 24, 34, 44, 54, 64, 74)


def age_band(age: int, min_age: int) -> str:
    """Return the label of the age band holding `age`, e.g. "25–34" or "75+"."""
    lower = min_age
    for upper in AGE_BANDS:
        if upper < min_age:
            continue
        if age <= upper:
            return f"{lower}–{upper}"
        lower = upper + 1
    return f"{lower}+"


def _pairs(session: Session, column: Any, consultation_id: int) -> tuple[dict, dict]:
    eligible = dict(
        session.execute(
            select(column, func.count())
            .where(Voter.consultation_id == consultation_id)
            .group_by(column)
        ).all()
    )
    voted = dict(
        session.execute(
            select(column, func.count())
            .select_from(Participation)
            .join(Voter, Voter.id == Participation.voter_id)
            .where(Participation.consultation_id == consultation_id)
            .group_by(column)
        ).all()
    )
    return eligible, voted


def _cells(
    keys: Iterable[str], eligible: dict[str, int], voted: dict[str, int], name: str
) -> list[dict[str, Any]]:
    return [{name: key, "eligible": eligible[key], "ballots": voted.get(key, 0)} for key in keys]


def turnout(
    *, session: Session, consultation: Consultation, ballots: int, eligible: int, minimum: int
) -> dict[str, Any]:
    """Return the turnout figures of a closed consultation, small cells suppressed."""
    by_district_eligible, by_district_voted = _pairs(session, Voter.district, consultation.id)
    # The remainder of small districts comes last, after the districts in their own right.
    districts = sorted(by_district_eligible, key=lambda name: (name == REMAINDER, name))
    year = consultation.closes_at.year
    years_eligible, years_voted = _pairs(session, Voter.birth_year, consultation.id)
    band_eligible: dict[str, int] = {}
    band_voted: dict[str, int] = {}
    order: list[str] = []
    for birth_year in sorted(years_eligible, reverse=True):
        band = age_band(year - birth_year, consultation.min_age)
        if band not in band_eligible:
            order.append(band)
        band_eligible[band] = band_eligible.get(band, 0) + years_eligible[birth_year]
        band_voted[band] = band_voted.get(band, 0) + years_voted.get(birth_year, 0)
    hours = session.execute(
        select(TurnoutCounter.hour, TurnoutCounter.ballots)
        .where(TurnoutCounter.consultation_id == consultation.id)
        .order_by(TurnoutCounter.hour)
    ).all()
    periods = merge_hours(
        [(hour, n) for hour, n in hours],
        minimum,
        start=_hour(consultation.opens_at),
        end=_hour(consultation.closes_at + HOUR - timedelta(microseconds=1)),
    )
    return {
        "eligible": eligible,
        "ballots": ballots,
        "minimum_cell": minimum,
        "by_district": suppress(
            _cells(districts, by_district_eligible, by_district_voted, "district"), minimum
        ),
        "by_age": suppress(_cells(order, band_eligible, band_voted, "band"), minimum),
        # Each period from "hour" up to "until"; hours with few ballots share a period.
        "by_hour": [
            {"hour": _utc(begin), "until": _utc(until), "ballots": n} for begin, until, n in periods
        ],
    }


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _utc(hour: datetime) -> str:
    return hour.astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")
