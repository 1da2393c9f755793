"""The forms of residents and staff that the site map lists, with valid submissions."""

import io
from typing import Any

from tests.conftest import PASSWORD
from tests.sitemap_data import CLOSED, DRAFT, OPEN, RESIDENTS, FormCase, Site


def resident_forms(site: Site) -> list[FormCase]:
    """Return the residents' forms: register, log in, verify, vote by account, propose."""
    extra = site.extra
    proposal = {
        "title": "Trinkbrunnen am Stiftsplatz",
        "text": "Im Sommer fehlt Wasser.",
        "district": "Innenstadt",
        "cost_estimate": "15.000 €",
    }
    # The fuzzer never fills a required field (password_again, text, …), so junk cannot pass.
    return [
        FormCase(
            "residents.register",
            {},
            {"email": "neu2@example.org", "password": PASSWORD, "password_again": PASSWORD},
            fuzzed=("email", "password"),
        ),
        FormCase(
            "residents.login",
            {},
            {"email": RESIDENTS["resident"], "password": PASSWORD},
            fuzzed=("email", "password"),
        ),
        FormCase("residents.issue_code", {}, {"person_id": "P00003"}, "editor"),
        FormCase(
            "residents.verify", {}, {"code": extra.residency_code}, "newcomer", fuzzed=("code",)
        ),
        FormCase(
            "resident_vote.vote",
            {"slug": site.slugs[OPEN]},
            {"q_brunnen": "no", "q_nutzung": "spielplatz"},
            # A blank ballot is a valid vote: junk gets no valid token here.
            "resident",
        ),
        FormCase("proposals.new", {}, proposal, "resident", fuzzed=("title", "cost_estimate")),
        FormCase(
            "proposals.edit",
            {"proposal_id": extra.revisable_proposal},
            proposal,
            "resident",
            fuzzed=("title", "district"),
        ),
        FormCase("proposals.support", {"proposal_id": extra.published_proposal}, {}, "resident"),
    ]


def staff_forms(site: Site) -> list[FormCase]:
    """Return the staff forms before the consultations change state."""
    slugs, extra = site.slugs, site.extra
    project = {
        "title": "Radweg Lauterstraße",
        "description": "Ein geschützter Radweg.",
        "district": "Innenstadt",
        "timeframe": "Herbst 2027",
        "participation_form": "Online-Befragung",
    }
    draft = {"slug": slugs[DRAFT]}
    return [
        FormCase(
            "proposals.moderate",
            {"proposal_id": extra.submitted_proposal},
            {"decision": "publish", "note": ""},
            "editor",
            fuzzed=("note",),
        ),
        FormCase(
            "proposals.to_option",
            {"proposal_id": extra.published_proposal},
            {"question": str(extra.option_question)},
            "editor",
        ),
        FormCase("plans.new", {}, project, "editor", fuzzed=("title", "description")),
        FormCase(
            "plans.edit",
            {"project_id": extra.project},
            project,
            "editor",
            fuzzed=("title", "district"),
        ),
        FormCase("editor.create", {}, EDITOR_FORM, "editor", fuzzed=("title", "slug")),
        FormCase(
            "editor.edit",
            draft,
            {**EDITOR_FORM, "slug": slugs[DRAFT]},
            "editor",
            fuzzed=("title", "description"),
        ),
        FormCase("electorate.preview", draft, REGISTER, "editor", fuzzed=("letters",)),
        FormCase(
            "electorate.start_import",
            draft,
            {**REGISTER, "letters": "csv"},
            "editor",
            fuzzed=("letters", "skip_bad_lines"),
        ),
        FormCase("electorate.delete", draft, {"understood": "y"}, "editor"),
        FormCase("staff.job_letters", {"job_id": extra.job}, {}, "editor"),
        FormCase(
            "paper.mark",
            {"slug": slugs[OPEN]},
            {"code": site.codes[-2]},
            "editor",
            fuzzed=("code",),
        ),
        FormCase(
            "paper.count",
            {"slug": slugs[CLOSED], "question_key": "brunnen"},
            {f"q-brunnen-{k}": v for k, v in PAPER_COUNT.items()},
            "editor",
            fuzzed=("q-brunnen-district", "q-brunnen-n_yes"),
        ),
        FormCase(
            "paper_ballots.key",
            {"slug": slugs[CLOSED]},
            {"sheet": "5", "q_brunnen": "yes"},
            "editor",
            fuzzed=("sheet", "q_brunnen"),
        ),
        FormCase(
            "paper_ballots.settle",
            {"slug": slugs[CLOSED], "sheet": extra.disputed_sheet},
            {"sheet": str(extra.disputed_sheet), "q_brunnen": "no"},
            "editor",
            fuzzed=("q_brunnen", "invalid"),
        ),
        FormCase(
            "paper.discard",
            {"slug": slugs[CLOSED], "count_id": extra.paper_count},
            {},
            "editor",
        ),
        FormCase(
            "accounts.create",
            {},
            {"username": "kasse", "role": "auditor", "password": PASSWORD + " lang"},
            "admin",
            fuzzed=("username", "role"),
        ),
        FormCase(
            "accounts.update",
            {"user_id": extra.auditor},
            {f"u{extra.auditor}-role": "auditor", f"u{extra.auditor}-active": "y"},
            "admin",
        ),
    ]


# The two paper ballots of the closed consultation, counted for its yes/no question.
PAPER_COUNT = {"district": "Innenstadt", "n_yes": 2, "n_no": 0, "n_abstain": 0, "n_blank": 0}
PAPER_COUNT |= {"n_invalid": 0}
# A valid new consultation in the editor, one question.
EDITOR_FORM = {
    "slug": "neue-radwege",
    "title": "Radwege 2030",
    "description": "Wo sollen neue Radwege entstehen?",
    "kind": "advisory",
    "opens_at": "2030-03-01T08:00",
    "closes_at": "2030-03-15T18:00",
    "min_age": "16",
    "districts": "",
    "questions-0-text": "Welche Strecke zuerst?",
    "questions-0-key": "strecke",
    "questions-0-method": "single",
    "questions-0-params": "",
    "questions-0-options": "ring | Ringstraße\nbahnhof | Zum Bahnhof",
    "save": "1",
}
# A register of two adults, as the city's registration office exports it.
REGISTER = {
    "register": (
        "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"
        "1;Jürgen;Weiß;Marktstraße 1;67655;Kaiserslautern;Innenstadt;01.02.1960\n"
        "2;Ayşe;Öztürk;Pfaffstraße 3;67655;Kaiserslautern;Innenstadt;03.04.1999\n"
    ).encode(),
}


def form_data(case: FormCase) -> dict[str, Any]:
    """Return the fields of a case as the test client posts them; bytes become a file upload."""
    return {
        key: (io.BytesIO(value), f"{key}.csv") if isinstance(value, bytes) else value
        for key, value in case.fields.items()
    }
