"""Resident accounts: sign-up, login, residency verification and voting by account."""
