"""The one error the verifier raises: the first check that failed, in words."""


class VerificationError(Exception):
    """The first check that failed, in words."""
