"""Defining consultations: the editor, the JSON format and the public pages."""
