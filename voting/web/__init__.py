"""What every blueprint shares.

The per-request session, logins and role checks, error pages, security headers, rate
limits, i18n glue, background jobs and mail. Imports the foundation only.
"""
