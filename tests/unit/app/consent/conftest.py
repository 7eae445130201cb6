"""Patients and inbox images in the test vault, for the consent and filing tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.unit.app.consent import vault_rows


@pytest.fixture
def add_patient(login) -> Callable[..., int]:
    """Add a patient to the test vault and return their id."""
    vault = login("admin").vault
    return lambda *args, **kwargs: vault_rows.add_patient(vault, *args, **kwargs)


@pytest.fixture
def add_inbox_image(login) -> Callable[..., int]:
    """Take a small made-up image into the test vault's inbox and return its id."""
    vault = login("admin").vault
    return lambda *args, **kwargs: vault_rows.add_inbox_image(vault, *args, **kwargs)
