"""Paper ballots in the public log: appended after the close, each under a signed head.

Staff key every returned paper ballot twice (voting.paper.ballot_entry); once the two
entries agree, or a third person settled them, ``append_paper_ballot``:

1. locks the consultation's log and checks, under the lock, that voting is closed and the
   count has not begun, so no paper ballot can join a counted log;
2. appends the ballot's leaf, a salted commitment of its own kind (ballots.commitment,
   ``PAPER_TAG``, no tracking code), and stores the ballot with the channel "paper" and no
   district (the sheets were mixed before they were keyed);
3. signs a tree head for it, as a receipt is signed for an online ballot, though nobody
   takes it home: every leaf of the log has exactly one signed head.

The count then seals the paper ballots (ballots.signed_steps.seal_paper_ballots).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.commitment import new_salt, paper_ballot_entry
from ballots.log import append_leaf, lock_log, store_tree_head
from ballots.merkle import leaf_hash
from ballots.models import Ballot
from ballots.receipts import Signer, issued_hour, sign_receipt
from ballots.signed_steps import newest_definition
from voting.core.db import table_of
from voting.core.lifecycle import ConsultationError
from voting.core.models import Status

PAPER = "paper"
# The states of a keyed sheet (ballots.models.PaperBallotEntry): keyed once; keyed twice and
# different; counted (agreed or settled, and in the log unless invalid as a whole).
WAITING, DISPUTED, COUNTED = "waiting", "disputed", "counted"
_INSERT_BALLOT = insert(table_of(Ballot))


class KeyNotNamedError(ConsultationError):
    """The signing key is not one the consultation's definition names: rotated after the close."""


def append_paper_ballot(
    *,
    session: Session,
    consultation_id: int,
    slug: str,
    content: Mapping[str, Any],
    signer: Signer,
    now: datetime,
) -> int:
    """Append one agreed paper ballot to the closed log and sign its head; return its index.

    ``content`` must already be checked against the questions (ballots.content). Writes in
    the session's transaction and does not commit.
    """
    status = lock_log(session=session, consultation_id=consultation_id)
    if status != Status.CLOSED:
        raise ConsultationError(f"{slug}: paper ballots join the log only while it is closed")
    definition = newest_definition(session=session, consultation_id=consultation_id)
    if definition is not None and signer.key_id not in definition["signing_keys"]:
        # A closed consultation gets no new definition, so a verifier would refuse the head.
        raise KeyNotNamedError(f"{slug}: the signing key was rotated after the close")
    salt = new_salt()
    leaf = leaf_hash(paper_ballot_entry(slug, content, salt))
    appended = append_leaf(session=session, consultation_id=consultation_id, leaf_hash=leaf)
    session.execute(
        _INSERT_BALLOT,
        {
            "consultation_id": consultation_id,
            "tracking_code": None,
            "channel": PAPER,
            "content": canonical_json(content).decode("utf-8"),
            "salt": salt,
            "district": "",
            "leaf_index": appended.leaf_index,
            "leaf_hash": leaf.hex(),
        },
    )
    head = sign_receipt(
        {
            "consultation": slug,
            "channel": PAPER,
            "tracking_code": None,
            "leaf_index": appended.leaf_index,
            "leaf_hash": leaf.hex(),
            "tree_size": appended.tree_size,
            "root_hash": appended.root_hash.hex(),
            "definition": appended.definition,
            "issued_at": issued_hour(now),
        },
        signer,
    )
    store_tree_head(session=session, consultation_id=consultation_id, head=head)
    return appended.leaf_index
