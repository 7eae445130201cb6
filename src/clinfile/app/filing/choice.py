"""The wrong-patient guard: what was chosen for some pictures holds for those pictures only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PatientChoice:
    """The patient a person chose, and the pictures they chose them for.

    Filing to the wrong patient is the worst mistake the desk can help a
    person make. A choice is never carried over to pictures it was not made
    for: a selection that takes in any other picture needs the patient chosen
    again, even when that picture's own clues suggest the same patient (the
    suggestion is offered, and the person confirms it).
    """

    patient_id: int
    pictures: frozenset[int]

    def holds_for(self, selection: Iterable[int]) -> bool:
        """Whether the patient was chosen for every picture now selected."""
        return chosen_for_all(self.pictures, selection)


def chosen_for_all(pictures: frozenset[int], selection: Iterable[int]) -> bool:
    """Whether a choice made for ``pictures`` (a patient, a description) covers the selection.

    A description typed for one picture is as wrong on another patient's
    picture as a patient chosen for it, so both follow the same rule.
    """
    return set(selection) <= pictures
