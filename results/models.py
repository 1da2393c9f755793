"""The immutable snapshot of a tally."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from voting.models import UTCDateTime, utcnow


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
