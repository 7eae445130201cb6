"""The Clinfile window: PySide6 views over the app services, never rules of its own."""
