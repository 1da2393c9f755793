"""Receipts: Ed25519 over the domain string and the canonical JSON of all other fields."""

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ballots.canonical import canonical_json
from ballots.merkle import leaf_hash
from ballots.receipts import (
    DOMAIN,
    ReceiptError,
    b64url_decode,
    generate_private_key_pem,
    issued_hour,
    load_signer,
    sign_receipt,
    verify_receipt,
)

FIELDS = {
    "consultation": "stadtpark",
    "tracking_code": "T4KM-8ZQX-3NPA",
    "leaf_hash": "00" * 32,
    "issued_at": "2026-11-24T13:00:00Z",
}


@pytest.fixture(scope="module")
def signer():
    return load_signer(generate_private_key_pem())


def keys_of(signer):
    return {signer.key_id: signer.public_raw}


def test_canonical_json_sorts_keys_without_spaces_or_escapes():
    assert canonical_json({"b": [1, "ä"], "a": None}) == '{"a":null,"b":[1,"ä"]}'.encode()
    with pytest.raises(TypeError):
        canonical_json({"share": 0.5})


def test_signature_covers_domain_and_canonical_fields(signer):
    receipt = sign_receipt(FIELDS, signer)
    assert receipt["v"] == 2 and receipt["key_id"] == hashlib.sha256(signer.public_raw).hexdigest()
    message = DOMAIN + canonical_json({k: v for k, v in receipt.items() if k != "signature"})
    # Checked with the bare cryptography API, as an outside verifier would.
    Ed25519PublicKey.from_public_bytes(signer.public_raw).verify(
        b64url_decode(receipt["signature"]), message
    )
    assert "=" not in receipt["signature"]
    verify_receipt(receipt, keys_of(signer))


@pytest.mark.parametrize("field", ["tracking_code", "leaf_hash", "issued_at", "consultation"])
def test_any_change_breaks_the_signature(signer, field):
    receipt = sign_receipt(FIELDS, signer)
    receipt[field] = receipt[field][:-1] + ("0" if receipt[field][-1] != "0" else "1")
    with pytest.raises(ReceiptError, match="signature does not match"):
        verify_receipt(receipt, keys_of(signer))


def test_unknown_key_and_missing_signature_are_reported(signer):
    receipt = sign_receipt(FIELDS, signer)
    with pytest.raises(ReceiptError, match="unknown signing key"):
        verify_receipt(receipt, {})
    del receipt["signature"]
    with pytest.raises(ReceiptError, match="no signature"):
        verify_receipt(receipt, keys_of(signer))


def test_encrypted_key_needs_its_passphrase():
    pem = generate_private_key_pem(b"geheim")
    assert load_signer(pem, b"geheim").key_id
    with pytest.raises((TypeError, ValueError)):
        load_signer(pem, None)


def test_receipt_time_is_kept_to_the_hour():
    from datetime import UTC, datetime

    assert issued_hour(datetime(2026, 11, 24, 13, 59, 7, tzinfo=UTC)) == "2026-11-24T13:00:00Z"


def test_leaf_hash_follows_rfc_9162():
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
