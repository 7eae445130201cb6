"""What every importer hands on: a patient's details with where they came from, or a problem.

Importers only read; checking and storing happen once, in the service, so a
CSV row, a FHIR resource and an HL7 message are held to the same rules and
reported in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinfile.app.patients.dates import DateOrder
from clinfile.app.patients.details import PatientDetails


@dataclass(frozen=True)
class SourceRecord:
    """One patient read from a file; ``where`` says where (``line 7``, ``message 3``)."""

    where: str
    details: PatientDetails
    date_order: DateOrder = DateOrder.DAY_FIRST


@dataclass(frozen=True)
class SourceProblem:
    """A part of a file that could not be read as a patient, and why, in plain words."""

    where: str
    why: str


class UnreadableSource(ValueError):
    """A whole file cannot be read (wrong layout, not JSON, no messages); ``str()`` says why."""
