"""The import job: store the uploaded register's voters, then write their letters.

Run by the job worker (voting.web.jobs) with the job's row, a session of its own and
the job's folder, where the view left the upload. The voters are committed together
with the job's report, and just before that the letters' data is kept in the job's
folder: a worker stopped while writing the letters (minutes for a large PDF) writes
them from that data when it runs the job again, since the codes exist nowhere else.
"""

from typing import Any

from voting.core.lifecycle import ConsultationError
from voting.core.models import Consultation
from voting.electorate.importing import dump_letters, letters_file, load_letters, store_register
from voting.electorate.letters import MIMETYPES, letters_format
from voting.web.jobs import JobRun


class LettersLost(ConsultationError):
    """The voters are stored but their letters' data is gone: the codes cannot be written."""


def import_register(run: JobRun) -> dict[str, Any]:
    """Import the job's upload if not done yet, then write the letters into its folder."""
    job, session = run.job, run.session
    consultation = session.get(Consultation, job.consultation_id)
    if consultation is None:
        raise ConsultationError("the consultation no longer exists")
    if not job.result:
        raw = run.files.read_input()
        if raw is None:
            raise ConsultationError("the uploaded file is no longer there; upload it again")
        report, letters = store_register(
            session=session,
            consultation=consultation,
            raw=raw,
            skip_bad_lines=bool(job.params.get("skip_bad_lines")),
            pseudonym_key=run.config["PSEUDONYM_KEY"],
            actor=job.actor,
            progress=run.progress,
            min_district_voters=int(run.config["MIN_DISTRICT_BALLOTS"]),
        )
        # Kept before the commit: after it, these letters hold the only copy of the codes.
        run.files.write_pending(dump_letters(letters))
        job.result = report
        session.add(job)
        session.commit()
    else:
        pending = run.files.read_pending()
        if pending is None:
            raise LettersLost("the letters were lost; delete the electorate and import it again")
        letters = load_letters(pending)
        report = dict(job.result)
    fmt = letters_format(str(job.params.get("format", "pdf")), len(letters))
    data = letters_file(
        letters,
        consultation,
        fmt,
        run.config["PUBLIC_URL"],
        run.config["LETTER_SENDER"],
        run.progress,
    )
    run.files.write_output(data)
    return {
        **report,
        "format": fmt,
        "mimetype": MIMETYPES[fmt],
        # PDF parts of a large electorate come as one ZIP.
        "filename": f"abstimmungskarten-{consultation.slug}.{fmt}",
    }
