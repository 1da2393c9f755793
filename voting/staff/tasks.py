"""The counting job: tally a closed consultation, run by the job worker."""

from typing import Any

from ballots.signed_steps import Signing
from results.services import count_consultation
from voting.core.lifecycle import ConsultationError
from voting.core.models import Consultation
from voting.web.jobs import JobRun


def count_votes(run: JobRun) -> dict[str, Any]:
    """Tally the job's consultation; the worker commits it together with the job's row."""
    session = run.session
    consultation = session.get(Consultation, run.job.consultation_id)
    if consultation is None:
        raise ConsultationError("the consultation no longer exists")
    run.progress("tally", 0, 1)
    result = count_consultation(
        session=session,
        consultation=consultation,
        actor=run.job.actor,
        min_district_ballots=int(run.config["MIN_DISTRICT_BALLOTS"]),
        signing=Signing.from_config(run.config),
        progress=lambda done, total: run.progress("tally", done, total),
    )
    session.flush()
    return {"ballots": result.data["turnout"]["ballots"]}
