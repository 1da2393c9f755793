"""Resident accounts: sign-up, confirmation, login and residency verification by letter code."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, PSEUDONYM_KEY, make_open_consultation, make_resident
from voting.core.codes import generate_code
from voting.core.models import Voter, utcnow
from voting.residents.models import ResidencyCode, ResidentAccount
from voting.residents.services import (
    ResidentError,
    authenticate_resident,
    confirm_email,
    confirmation_token,
    issue_residency_code,
    register_resident,
    verify_residency,
)

SECRET = "test-secret"


def new_account(session, email="Erika@Example.org "):  # type: ignore[no-untyped-def]
    account, created = register_resident(
        session=session, email=email, password=PASSWORD, language="de"
    )
    session.commit()
    return account, created


def confirmed(session, email="erika@example.org"):  # type: ignore[no-untyped-def]
    return make_resident(session, email, person_id=None)


def issue(session, person_id="P00000", days=30):  # type: ignore[no-untyped-def]
    code = issue_residency_code(
        session=session,
        person_id=person_id,
        pseudonym_key=PSEUDONYM_KEY,
        now=utcnow(),
        valid_days=days,
    )
    session.commit()
    return code


def verify(session, account, code):  # type: ignore[no-untyped-def]
    return verify_residency(
        session=session, account=account, code=code, pseudonym_key=PSEUDONYM_KEY, now=utcnow()
    )


def test_sign_up_stores_the_address_in_lower_case_and_an_argon2_hash(session):
    account, created = new_account(session)
    assert created
    assert account.email == "erika@example.org"
    assert account.password_hash.startswith("$argon2")
    assert PASSWORD not in account.password_hash
    assert not account.is_confirmed and not account.is_verified
    assert account.get_id() == f"resident:{account.id}"


def test_signing_up_twice_returns_the_existing_account_unchanged(session):
    first, _ = new_account(session)
    again, created = register_resident(
        session=session, email="ERIKA@example.org", password="another password!", language="en"
    )
    assert not created and again.id == first.id
    assert authenticate_resident(session=session, email="erika@example.org", password=PASSWORD)
    assert len(session.exec(select(ResidentAccount)).all()) == 1


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("no-at-sign.example.org", PASSWORD, "email_invalid"),
        ("erika@localhost", PASSWORD, "email_invalid"),
        ("erika@example.org", "short", "password_short"),
    ],
)
def test_bad_sign_ups_are_refused(session, email, password, reason):
    with pytest.raises(ResidentError) as refused:
        register_resident(session=session, email=email, password=password, language="de")
    assert refused.value.reason == reason


def test_confirmation_link_confirms_once_and_tampering_is_refused(session):
    account, _ = new_account(session)
    token = confirmation_token(secret_key=SECRET, account=account)
    with pytest.raises(ResidentError) as tampered:
        confirm_email(
            session=session, token=token[:-2] + "xx", secret_key=SECRET, max_age=60, now=utcnow()
        )
    assert tampered.value.reason == "link_invalid"
    with pytest.raises(ResidentError) as other_key:
        confirm_email(session=session, token=token, secret_key="other", max_age=60, now=utcnow())
    assert other_key.value.reason == "link_invalid"
    confirm_email(session=session, token=token, secret_key=SECRET, max_age=60, now=utcnow())
    first = account.email_confirmed_at
    confirm_email(session=session, token=token, secret_key=SECRET, max_age=60, now=utcnow())
    assert account.is_confirmed and account.email_confirmed_at == first


def test_expired_confirmation_link_is_refused(session):
    account, _ = new_account(session)
    token = confirmation_token(secret_key=SECRET, account=account)
    with pytest.raises(ResidentError) as refused:
        confirm_email(session=session, token=token, secret_key=SECRET, max_age=-1, now=utcnow())
    assert refused.value.reason == "link_expired"
    assert not account.is_confirmed


def test_login_needs_the_right_password(session):
    new_account(session)
    assert authenticate_resident(session=session, email=" erika@EXAMPLE.org", password=PASSWORD)
    assert (
        authenticate_resident(session=session, email="erika@example.org", password="wrong one!!!!")
        is None
    )
    assert (
        authenticate_resident(session=session, email="nobody@example.org", password=PASSWORD)
        is None
    )


def test_letter_code_ties_the_account_to_the_register_reference_of_the_electorate(session):
    consultation = make_open_consultation(session)
    account = confirmed(session)
    code = issue(session, "P00003")
    verify(session, account, code)
    session.commit()
    voter_refs = set(
        session.exec(select(Voter.ref).where(Voter.consultation_id == consultation.id))
    )
    assert account.is_verified and account.register_ref in voter_refs
    # Only the keyed hash of the code was stored, and it is used up now.
    assert session.exec(select(ResidencyCode)).all() == []


def test_letter_code_works_once(session):
    first = confirmed(session)
    second = confirmed(session, "other@example.org")
    code = issue(session)
    verify(session, first, code)
    session.commit()
    with pytest.raises(ResidentError) as refused:
        verify(session, second, code)
    assert refused.value.reason == "unknown_code"


def test_unconfirmed_accounts_cannot_verify(session):
    account = confirmed(session)
    account.email_confirmed_at = None
    with pytest.raises(ResidentError) as refused:
        verify(session, account, issue(session))
    assert refused.value.reason == "not_confirmed"


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"), "code_typo"),
        (lambda code: code[:10], "code_format"),
        (lambda _code: generate_code(), "unknown_code"),
    ],
)
def test_wrong_codes_are_refused_and_change_nothing(session, mangle, reason):
    account = confirmed(session)
    code = issue(session)
    with pytest.raises(ResidentError) as refused:
        verify(session, account, mangle(code))
    assert refused.value.reason == reason
    assert not account.is_verified


def test_expired_codes_are_refused(session):
    account = confirmed(session)
    code = issue(session, days=0)
    with pytest.raises(ResidentError) as refused:
        verify(session, account, code)
    assert refused.value.reason == "code_expired"


def test_a_new_letter_replaces_the_old_code(session):
    account = confirmed(session)
    old = issue(session)
    new = issue(session)
    with pytest.raises(ResidentError):
        verify(session, account, old)
    verify(session, account, new)
    assert account.is_verified


def test_a_new_account_of_the_same_person_takes_over_the_verification(session):
    old = make_resident(session, "old@example.org", "P00001")
    new = confirmed(session, "new@example.org")
    verify(session, new, issue(session, "P00001"))
    session.commit()
    session.refresh(old)
    assert new.is_verified and not old.is_verified
    assert utcnow() - new.verified_at < timedelta(minutes=1)
