"""Casting ballots, participation marks and signed receipts."""
