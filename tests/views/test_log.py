"""The public log, its proofs, the receipt check and the bundle, through the web app."""

import io
import json
import subprocess
import sys
from pathlib import Path

from ballots import merkle
from buergervotum_verifier import verify_bundle
from results.services import publish_result, tally_consultation
from tests.conftest import close_voting, csrf_token, make_open_consultation, second_reader
from tests.views.test_voting import receipt_from, vote
from voting.app import create_app
from voting.core.codes import generate_code
from voting.core.models import Consultation
from voting.web.db import EXTENSION_KEY as ENGINE

ROOT = Path(__file__).resolve().parents[2]


def cast(client, consultation, count):  # type: ignore[no-untyped-def]
    receipts = []
    for code in consultation.codes[:count]:
        response = vote(client, consultation, code)
        assert response.status_code == 200
        receipts.append(receipt_from(response.get_data(as_text=True)))
    return receipts


def publish(session, consultation):  # type: ignore[no-untyped-def]
    row = session.get(Consultation, consultation.id)
    close_voting(session, row, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=row, actor="test")
    publish_result(session=session, consultation=row, actor="second-reader")
    session.commit()


def test_receipts_are_signed_tree_heads_of_a_gapless_log(client, open_consultation):
    receipts = cast(client, open_consultation, 3)
    assert [(r["leaf_index"], r["tree_size"]) for r in receipts] == [(0, 1), (1, 2), (2, 3)]
    log = client.get(f"/api/v1/consultations/{open_consultation.slug}/log").get_json()
    assert log["tree_size"] == 3 and not log["contents_published"]
    assert log["tree_heads"] == receipts  # every receipt issued is public
    assert all("content" not in leaf for leaf in log["leaves"])
    hashes = [bytes.fromhex(leaf["leaf_hash"]) for leaf in log["leaves"]]
    assert log["root_hash"] == merkle.root(hashes).hex() == receipts[-1]["root_hash"]
    assert (log["start"], log["next_start"]) == (0, None)
    page = client.get(f"/api/v1/consultations/{open_consultation.slug}/log?start=1&limit=1")
    page = page.get_json()
    assert [leaf["leaf_index"] for leaf in page["leaves"]] == [1]
    assert page["tree_heads"] == [receipts[1]] and page["next_start"] == 2
    bad = client.get(f"/api/v1/consultations/{open_consultation.slug}/log?start=-1")
    assert (
        bad.status_code == 400
        and "start muss eine ganze Zahl sein" in bad.get_json()["error"]["message"]
    )
    empty = client.get(f"/api/v1/consultations/{open_consultation.slug}/log?limit=0")
    assert empty.status_code == 400
    assert empty.get_json()["error"]["message"] == "limit muss mindestens 1 sein."

    url = f"/api/v1/consultations/{open_consultation.slug}/log/proof"
    proof = client.get(f"{url}?leaf_index=0&tree_size=3").get_json()["proof"]
    assert merkle.verify_inclusion(
        hashes[0], 0, 3, [bytes.fromhex(h) for h in proof], bytes.fromhex(log["root_hash"])
    )
    proof = client.get(f"{url}?first=1&second=3").get_json()["proof"]
    assert merkle.verify_consistency(
        1,
        3,
        bytes.fromhex(receipts[0]["root_hash"]),
        bytes.fromhex(log["root_hash"]),
        [bytes.fromhex(h) for h in proof],
    )
    for bad, message in (
        ("leaf_index=3&tree_size=3", "Das Protokoll enthält 3 Einträge"),
        ("first=2&second=4", "Das Protokoll enthält 3 Einträge"),
        ("leaf_index=x&tree_size=1", "leaf_index muss eine ganze Zahl sein"),
        ("", "oder first und second"),
    ):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 400 and message in response.get_json()["error"]["message"], (
            bad
        )
    assert client.get("/api/v1/consultations/nirgendwo/log").status_code == 404


def test_a_stranger_recounts_the_published_bundle(client, session, open_consultation, tmp_path):
    receipts = cast(client, open_consultation, 4)
    bundle_url = f"/api/v1/consultations/{open_consultation.slug}/bundle"
    assert client.get(bundle_url).status_code == 404  # embargoed until publication
    publish(session, open_consultation)
    log = client.get(f"/api/v1/consultations/{open_consultation.slug}/log").get_json()
    assert log["leaves"][0]["content"] == {
        "brunnen": "yes",
        "nutzung": "garten",
        "projekte": ["baeume", "licht"],
    }
    response = client.get(bundle_url)
    assert response.status_code == 200
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(response.data)
    data = json.loads(response.data)
    assert data["turnout"] == {"eligible": 5, "participation_marks": 4, "paper_marks": 0}
    assert data["keys"] == client.get("/keys.json").get_json()["keys"]
    paths = []
    for receipt in receipts:
        path = tmp_path / f"{receipt['tracking_code']}.json"
        path.write_text(json.dumps(receipt))
        paths += ["--receipt", str(path)]
    key_id = receipts[0]["key_id"]
    verifier = [sys.executable, "-m", "buergervotum_verifier"]
    done = subprocess.run(
        [*verifier, str(bundle), *paths, "--expect-key", key_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "4 ballots, 4 signed tree heads and 4 receipts verified" in done.stdout


def test_receipt_check_api_before_and_after_publication(client, session, open_consultation):
    receipt = cast(client, open_consultation, 2)[0]
    check = client.post("/api/v1/receipts/verify", json=receipt).get_json()
    assert check["signature_valid"] and check["included"] and check["counted"] is None
    assert check["tree_size"] == 2 and check["problem"] is None
    forged = {**receipt, "tracking_code": "AAAA-BBBB-CCCC"}
    check = client.post("/api/v1/receipts/verify", json=forged).get_json()
    assert not check["signature_valid"] and not check["included"]
    assert client.post("/api/v1/receipts/verify", data="kein JSON").status_code == 400
    by_code = {"tracking_code": receipt["tracking_code"].lower()}
    assert client.post("/api/v1/receipts/verify", json=by_code).get_json()["included"]

    publish(session, open_consultation)
    check = client.post("/api/v1/receipts/verify", json=receipt).get_json()
    assert check["counted"] is True
    assert check["content"] == {
        "brunnen": "yes",
        "nutzung": "garten",
        "projekte": ["baeume", "licht"],
    }


def test_check_my_vote_page(client, session, open_consultation):
    receipt = cast(client, open_consultation, 1)[0]
    page = client.get("/verify").get_data(as_text=True)
    assert "Meine Stimme prüfen" in page

    def post(**data):  # type: ignore[no-untyped-def]
        return client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"), **data})

    response = post(receipt=json.dumps(receipt))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Signatur gültig" in html and "Im Protokoll enthalten" in html
    assert "nach der Veröffentlichung" in html
    publish(session, open_consultation)
    upload = (io.BytesIO(json.dumps(receipt).encode()), "quittung.json")
    html = post(receipt_file=upload).get_data(as_text=True)
    assert "Mit diesem Inhalt gezählt" in html and "Gemeinschaftsgarten" in html
    html = post(tracking_code=receipt["tracking_code"]).get_data(as_text=True)
    assert "Mit diesem Inhalt gezählt" in html
    tampered = json.dumps({**receipt, "leaf_index": 0, "tree_size": 2})
    assert "Signatur ungültig" in post(receipt=tampered).get_data(as_text=True)
    for bad in ({"receipt": "{kaputt"}, {"tracking_code": "XXXX-XXXX-XXXX"}, {}):
        response = post(**bad)
        assert response.status_code == 400
        assert "Quittung" in response.get_data(as_text=True)
    # A NUL byte cannot be stored in PostgreSQL text: still a 400, never a 500.
    response = post(tracking_code="T4KM\x00")
    assert response.status_code == 400
    assert "Steuerzeichen" in response.get_data(as_text=True)


def test_code_guessing_locks_out_one_address_for_one_consultation(app, client, session):
    app.config["CODE_GUESS_LIMIT"] = "3 per hour"
    consultation = make_open_consultation(session, voters=4)
    other = make_open_consultation(session, voters=1, slug="bahnhof")
    cast(client, consultation, 2)  # votes with good codes do not count against the limit
    wrong = "K7QM-9XDR-2TAW-P4NB-5HCE"
    for _ in range(3):
        assert vote(client, consultation, wrong).status_code in (400, 403)
    locked = vote(client, consultation, consultation.codes[2])
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 3600
    assert "zu viele ungültige Codes eingegeben" in locked.get_data(as_text=True)
    log = client.get(f"/api/v1/consultations/{consultation.slug}/log").get_json()
    assert log["tree_size"] == 2  # the locked-out request stored nothing
    assert vote(client, other, other.codes[0]).status_code == 200


def test_old_receipts_still_verify_after_the_key_is_rotated(
    app, client, session, open_consultation, tmp_path
):
    before = cast(client, open_consultation, 1)[0]
    runner = app.test_cli_runner()
    new_path = tmp_path / "neuer-schluessel.pem"
    app.config["SIGNING_KEY_PATH"] = str(new_path)
    result = runner.invoke(args=["keys", "generate"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["keys", "generate"]).exit_code != 0  # never overwritten
    app.extensions.pop("buergervotum.signer")  # as after a restart: load the new key
    after = vote(client, open_consultation, open_consultation.codes[1])
    after = receipt_from(after.get_data(as_text=True))
    assert before["key_id"] != after["key_id"]
    keys = [k["key_id"] for k in client.get("/keys.json").get_json()["keys"]]
    assert keys == [before["key_id"], after["key_id"]]
    for receipt in (before, after):
        check = client.post("/api/v1/receipts/verify", json=receipt).get_json()
        assert check["signature_valid"] and check["included"]
    publish(session, open_consultation)
    bundle = json.loads(client.get(f"/api/v1/consultations/{open_consultation.slug}/bundle").data)
    assert verify_bundle(bundle, {"before": before, "after": after}).ballots == 2


def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(app, session, open_consultation):
    proxied = create_app(
        {
            **app.config,
            "TRUSTED_PROXIES": 1,
            "CODE_GUESS_LIMIT": "1 per hour",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = proxied.test_client()

    def guess(address: str) -> int:
        url = f"/consultations/{open_consultation.slug}/vote"
        data = {"code": generate_code()}
        return client.post(url, data=data, headers={"X-Forwarded-For": address}).status_code

    assert [guess("198.51.100.1"), guess("198.51.100.1")] == [403, 429]
    assert guess("198.51.100.2") == 403
    proxied.extensions[ENGINE].dispose()


def test_odd_receipts_get_an_answer_never_a_server_error(client, open_consultation):
    receipt = cast(client, open_consultation, 1)[0]
    odd = [
        [receipt],
        {**receipt, "consultation": ["stadtpark"]},
        {**receipt, "key_id": {"a": 1}, "signature": 7},
        {**receipt, "signature": "***"},
        {**receipt, "v": 3},
        {k: v for k, v in receipt.items() if k != "leaf_index"},
    ]
    for body in odd:
        response = client.post("/api/v1/receipts/verify", json=body)
        assert response.status_code in (200, 400), body
        assert response.status_code == 400 or not response.get_json()["signature_valid"], body
