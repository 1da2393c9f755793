"""Bürgervotum's standalone verifier: recount a published consultation from its bundle alone.

It imports nothing of the platform, only the standard library and ``cryptography``.
"""

from buergervotum_verifier.errors import VerificationError
from buergervotum_verifier.verify import Report, main, verify_bundle

__all__ = ["Report", "VerificationError", "main", "verify_bundle"]
