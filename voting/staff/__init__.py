"""Staff: login, the consultation dashboard, accounts and the audit trail."""
