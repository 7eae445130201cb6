"""Consent records, the rules that decide each use of an image, and the gate every use passes."""
