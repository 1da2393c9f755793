"""Resident accounts: sign-up, e-mail confirmation, login and residency verification."""

import re
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, delete, select

from voting.core.codes import CodeFormatError, CodeTypoError, generate_code, normalise_code
from voting.core.pseudonyms import person_ref, residency_code_hash
from voting.residents.models import ResidencyCode, ResidentAccount
from voting.web.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH

CONFIRM_SALT = "buergervotum/resident-email-confirm"
# Deliberately loose: the confirmation mail is the real check of an address.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified against when no account has the address, so timing does not tell which exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class ResidentError(ValueError):
    """A request about a resident account that cannot be granted; nothing was changed.

    ``reason`` is one of "email_invalid", "password_short", "link_invalid",
    "link_expired", "not_confirmed", "code_format", "code_typo", "unknown_code",
    "code_expired".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_email(email: str) -> str:
    """Return the address as stored: trimmed, lower case."""
    return email.strip().lower()


def register_resident(
    *, session: Session, email: str, password: str, language: str
) -> tuple[ResidentAccount, bool]:
    """Create an unconfirmed account; return it and whether it is new.

    An address that has an account already returns that account unchanged, so
    the caller can write to its owner instead of telling the visitor it exists.
    """
    address = normalise_email(email)
    if not EMAIL_PATTERN.match(address) or len(address) > 254:
        raise ResidentError("email_invalid")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ResidentError("password_short")
    existing = find_resident_by_email(session=session, email=address)
    if existing is not None:
        return existing, False
    account = ResidentAccount(
        email=address, password_hash=_hasher.hash(password), language=language[:5]
    )
    session.add(account)
    session.flush()
    return account, True


def find_resident_by_email(*, session: Session, email: str) -> ResidentAccount | None:
    """Return the account with this address, if any."""
    address = normalise_email(email)
    return session.exec(select(ResidentAccount).where(ResidentAccount.email == address)).first()


def confirmation_token(*, secret_key: str, account: ResidentAccount) -> str:
    """Return the signed token of the link that confirms the account's address."""
    serializer = URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)
    return serializer.dumps({"id": account.id, "email": account.email})


def confirm_email(
    *, session: Session, token: str, secret_key: str, max_age: int, now: datetime
) -> ResidentAccount:
    """Mark the address of the token's account as confirmed; confirming twice is harmless."""
    serializer = URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResidentError("link_expired") from None
    except BadSignature:
        raise ResidentError("link_invalid") from None
    account = session.get(ResidentAccount, data.get("id")) if isinstance(data, dict) else None
    # A token for an address the account no longer has confirms nothing.
    if account is None or account.email != data.get("email"):
        raise ResidentError("link_invalid")
    if account.email_confirmed_at is None:
        account.email_confirmed_at = now
        session.add(account)
        session.flush()
    return account


def authenticate_resident(*, session: Session, email: str, password: str) -> ResidentAccount | None:
    """Return the active account with these credentials, or None."""
    account = find_resident_by_email(session=session, email=email)
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
        session.add(account)
    return account


def issue_residency_code(
    *, session: Session, person_id: str, pseudonym_key: str, now: datetime, valid_days: int
) -> str:
    """Return a new one-time code for a registered person's letter; only its hash is kept.

    Codes issued to the same person before stop working.
    """
    ref = person_ref(pseudonym_key, person_id)
    session.exec(delete(ResidencyCode).where(ResidencyCode.register_ref == ref))
    code = generate_code()
    session.add(
        ResidencyCode(
            register_ref=ref,
            code_hash=residency_code_hash(pseudonym_key, normalise_code(code)),
            expires_at=now + timedelta(days=valid_days),
        )
    )
    session.flush()
    return code


def verify_residency(
    *, session: Session, account: ResidentAccount, code: str, pseudonym_key: str, now: datetime
) -> ResidentAccount:
    """Tie the account to the register reference of the letter's code and use the code up.

    The letter reached the registered address, so it outweighs an older
    account of the same person, which loses its verification.
    """
    if not account.is_confirmed:
        raise ResidentError("not_confirmed")
    try:
        normalised = normalise_code(code)
    except CodeTypoError:
        raise ResidentError("code_typo") from None
    except CodeFormatError:
        raise ResidentError("code_format") from None
    stored = session.exec(
        select(ResidencyCode).where(
            ResidencyCode.code_hash == residency_code_hash(pseudonym_key, normalised)
        )
    ).first()
    if stored is None:
        raise ResidentError("unknown_code")
    if stored.expires_at <= now:
        raise ResidentError("code_expired")
    previous = session.exec(
        select(ResidentAccount).where(
            ResidentAccount.register_ref == stored.register_ref, ResidentAccount.id != account.id
        )
    ).first()
    if previous is not None:
        previous.register_ref = None
        previous.verified_at = None
        session.add(previous)
        session.flush()
    account.register_ref = stored.register_ref
    account.verified_at = now
    session.add(account)
    session.delete(stored)
    session.flush()
    return account


def load_resident(*, session: Session, account_id: str) -> ResidentAccount | None:
    """Return the active account of a session cookie's id."""
    if not account_id.isdigit():
        return None
    account = session.get(ResidentAccount, int(account_id))
    return account if account is not None and account.active else None
