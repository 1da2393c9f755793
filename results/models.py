"""The immutable snapshot of a tally."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from voting.core.models import UTCDateTime, utcnow


class Result(SQLModel, table=True):
    """One tally of a closed consultation; shown to the public once published."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", unique=True)
    tallied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    tallied_by: str = Field(max_length=80)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, max_length=80)
    # {"turnout": {...}, "questions": [{"key", "method", "outcome": {...}}, ...]}
    data: dict[str, Any] = Field(sa_type=JSON)


class PaperCount(SQLModel, table=True):
    """The paper count of one question in one district, entered by one staff member.

    It counts once a second, different staff member has entered the same figures.
    """

    __tablename__ = "paper_count"
    __table_args__ = (UniqueConstraint("consultation_id", "district", "question_key"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    district: str = Field(max_length=100)
    question_key: str = Field(max_length=40)
    # {"option key": n, ..., "blank": n, "invalid": n} (approval also "voted": n).
    figures: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    entered_by: str = Field(max_length=80)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by: str | None = Field(default=None, max_length=80)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
