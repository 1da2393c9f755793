"""Residents' proposals: submission, support and moderation."""
