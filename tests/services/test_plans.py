"""The Vorhabenliste: projects with their planned participation, linked to what exists."""

import pytest

from tests.conftest import make_resident
from tests.services.test_proposals import FIELDS, published
from voting.plans.services import (
    PlanError,
    ProjectFields,
    list_projects,
    project_consultations,
    project_proposals,
    save_project,
)

PROJECT = ProjectFields(
    title="Umgestaltung Stiftsplatz",
    timeframe="Frühjahr 2027",
    participation_form="Online-Befragung und Workshop",
    district="Innenstadt",
)


def test_projects_link_to_their_proposals_and_public_consultations(session, open_consultation):
    proposal = published(session)
    draft = published(session, author=make_resident(session, "b@example.org", "P00002"))
    draft.status = "submitted"  # withdrawn from the public again
    session.add(draft)
    fields = ProjectFields(
        **{
            **PROJECT.__dict__,
            "consultation_ids": [open_consultation.id],
            "proposal_ids": [proposal.id, draft.id],
        }
    )
    project = save_project(session=session, project=None, fields=fields, actor="redaktion")
    session.commit()
    assert [p.title for p in list_projects(session=session, district="Innenstadt")] == [
        PROJECT.title
    ]
    assert list_projects(session=session, district="Nord") == []
    assert [
        c.slug
        for c in project_consultations(session=session, project_id=project.id, public_only=True)
    ] == [open_consultation.slug]
    assert [
        p.title for p in project_proposals(session=session, project_id=project.id, public_only=True)
    ] == [FIELDS.title]
    assert len(project_proposals(session=session, project_id=project.id, public_only=False)) == 2


def test_editing_replaces_the_links(session, open_consultation):
    proposal = published(session)
    linked = ProjectFields(
        **{
            **PROJECT.__dict__,
            "consultation_ids": [open_consultation.id],
            "proposal_ids": [proposal.id],
        }
    )
    project = save_project(session=session, project=None, fields=linked, actor="r")
    save_project(session=session, project=project, fields=PROJECT, actor="r")
    session.commit()
    assert project_consultations(session=session, project_id=project.id, public_only=False) == []
    assert proposal.project_id is None


@pytest.mark.parametrize("link", ["consultation_ids", "proposal_ids"])
def test_links_to_nothing_are_refused(session, link):
    fields = ProjectFields(**{**PROJECT.__dict__, link: [999]})
    with pytest.raises(PlanError):
        save_project(session=session, project=None, fields=fields, actor="r")
