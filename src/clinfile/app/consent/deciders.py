"""Who decides for a patient: the patient, or a substitute decision maker.

The design: "Minors and patients without capacity: record the substitute
decision maker." The guidance in ``seeds/`` speaks only of "the patient's
consent"; it does not say who gives it for a child or an adult who cannot.
So the rule here is the nearest one the consent model can keep: the age on
the day of consent says who is expected to decide — a parent or guardian
for a patient under 18, the patient from 18 — and a consent that departs
from that (an adult who lacks capacity, a mature minor deciding for
themselves) says why in its note, so a later reader need not guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinfile.app.consent.model import DecisionMaker

ADULT_AGE = 18


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


@dataclass(frozen=True)
class ExpectedDecider:
    """Who is expected to decide for a patient of this age, and the words that say why."""

    age: int

    @property
    def substitute(self) -> bool:
        """Whether a substitute decision maker is expected (a child)."""
        return self.age < ADULT_AGE

    @property
    def words(self) -> str:
        """What the consent dialog says beside 'someone else decides'."""
        years = f"{self.age} year{'s' if self.age != 1 else ''} old"
        if self.substitute:
            return (f"The patient is {years}: a parent or guardian decides for a child. If "
                    "the patient decides for themselves (a mature minor), say why in the note.")
        return (f"The patient is {years} and decides for themselves; if someone else decides "
                "(the patient lacks capacity), say why in the note.")


def expected_decider(birth_date: str | None, today: date) -> ExpectedDecider | None:
    """Who should decide for a patient born on ``birth_date`` (ISO), or None if it is unknown."""
    if not birth_date:
        return None
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        return None
    return ExpectedDecider(age_on(born, today))


def decider_problem(birth_date: str | None, decided_by: DecisionMaker, note: str,
                    today: date) -> str | None:
    """Say what is missing when who decided departs from what the patient's age expects.

    An unknown date of birth asks nothing: the person recording sees the patient.
    """
    expected = expected_decider(birth_date, today)
    if expected is None or note.strip() or expected.substitute != decided_by.is_patient:
        return None
    if expected.substitute:
        return (f"The patient is {expected.age}, a child: record the parent or guardian who "
                "decided, or say in the note why the patient decides for themselves "
                "(for example, a mature minor who understands).")
    return (f"The patient is {expected.age}, an adult, who decides for themselves: say in the "
            f"note why {decided_by.name} decides instead (for example, the patient lacks "
            "capacity, under a guardianship order).")
