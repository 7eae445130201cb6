"""Consent records and the rules that decide each use of an image (the gate is in app.uses)."""
