"""Which parts of a consultation staff may still change, and saving a draft from the editor."""

from typing import Any

from sqlmodel import Session

from voting.consultations.problems import SpecError
from voting.consultations.services import ConsultationSpec, load_consultation
from voting.core.lifecycle import electorate_size, find_consultation
from voting.core.models import Consultation, Status

# Lock reasons, as codes the editor turns into words.
ANNOUNCED = "announced"  # questions and everything else freeze at "scheduled"
ELECTORATE = "electorate"  # the imported electorate was chosen by these rules
ADDRESS = "address"  # the web address never changes once created
READ_ONLY = "read_only"  # the role may read, not change

ALL_FIELDS = (
    "slug",
    "title",
    "description",
    "summary_easy",
    "kind",
    "opens_at",
    "closes_at",
    "min_age",
    "districts",
    "questions",
)
ELIGIBILITY_FIELDS = ("closes_at", "min_age", "districts")


def locked_fields(*, session: Session, consultation: Consultation | None) -> dict[str, str]:
    """Return the fields that cannot be changed, each with the reason code."""
    if consultation is None:
        return {}
    if consultation.status != Status.DRAFT:
        return dict.fromkeys(ALL_FIELDS, ANNOUNCED)
    locks = {"slug": ADDRESS}
    if electorate_size(session=session, consultation_id=consultation.id):
        # The closing day decides the age; age and districts decided who is in the electorate.
        locks.update(dict.fromkeys(ELIGIBILITY_FIELDS, ELECTORATE))
    return locks


def keep_locked(spec: dict[str, Any], stored: dict[str, Any], locks: dict[str, str]) -> None:
    """Put the stored value of every locked eligibility field back into ``spec``."""
    if "closes_at" in locks:
        spec["period"]["closes_at"] = stored["period"]["closes_at"]
    if "min_age" in locks:
        spec["eligibility"]["min_age"] = stored["eligibility"]["min_age"]
    if "districts" in locks:
        spec["eligibility"]["districts"] = stored["eligibility"]["districts"]


def save_draft(
    *, session: Session, spec: ConsultationSpec, actor: str, slug: str | None
) -> tuple[Consultation, str]:
    """Create a consultation (``slug`` None) or update draft ``slug``; say what happened.

    Refuses (SpecError) a new address that is taken, any change once announced, and a
    change of eligibility or closing day once the electorate is imported.
    """
    existing = find_consultation(session=session, slug=spec.slug)
    # "new" is the editor's own address under /staff/consultations/.
    if slug is None and (existing is not None or spec.slug == "new"):
        raise SpecError.of(("slug",), "address_taken", "this address is taken already")
    if slug is not None:
        if existing is None or spec.slug != slug:
            raise SpecError.of(
                ("slug",), "address_fixed", "the address of a consultation never changes"
            )
        if existing.status != Status.DRAFT:
            raise SpecError.of(
                (), "definition_frozen", "the definition froze when it was announced"
            )
        locks = locked_fields(session=session, consultation=existing)
        if ELECTORATE in locks.values() and (
            spec.period.closes_at != existing.closes_at
            or spec.eligibility.min_age != existing.min_age
            or spec.eligibility.districts != existing.districts
        ):
            raise SpecError.of(
                ("eligibility",),
                "electorate_rules",
                "the electorate was imported with these rules; delete it to change them",
            )
    return load_consultation(session=session, spec=spec, actor=actor)
