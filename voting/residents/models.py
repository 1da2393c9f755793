"""Resident accounts and the one-time codes that verify residency by letter."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from voting.core.models import LoginUser, UTCDateTime, utcnow

# Prefix of a resident's id in the session cookie; staff ids stay plain numbers.
RESIDENT_ID_PREFIX = "resident:"


class ResidentAccount(LoginUser, SQLModel, table=True):
    """A resident's login; once verified, tied to the pseudonymous register reference."""

    __tablename__ = "resident_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    # The language mails to this resident are written in.
    language: str = Field(default="de", max_length=5)
    email_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Keyed hash of the person id, as Voter.ref; unique, so one account per person.
    register_ref: str | None = Field(default=None, max_length=64, unique=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def is_confirmed(self) -> bool:
        """Tell whether the e-mail address has been confirmed."""
        return self.email_confirmed_at is not None

    @property
    def is_verified(self) -> bool:
        """Tell whether residency has been verified with a letter code."""
        return self.register_ref is not None

    def get_id(self) -> str:
        return f"{RESIDENT_ID_PREFIX}{self.id}"

    @property
    def is_resident(self) -> bool:
        return True

    def may(self, *_roles: str) -> bool:
        """Tell whether this user has a staff role: a resident never has."""
        return False


class ResidencyCode(SQLModel, table=True):
    """A one-time code sent by letter to a registered resident; only its keyed hash is kept."""

    __tablename__ = "residency_code"

    id: int | None = Field(default=None, primary_key=True)
    register_ref: str = Field(max_length=64, index=True)
    code_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
