"""The patient index: feeding it from the clinical software, and matching people to it."""
