"""Who is expected to decide, by age on the day of consent."""

from __future__ import annotations

from datetime import date

from clinfile.app.consent.deciders import age_on, decider_problem, expected_decider
from clinfile.app.consent.model import DecisionMaker

TODAY = date(2026, 12, 1)
PARENT = DecisionMaker("Anh Tran", "mother")


def test_age_counts_whole_years_to_the_birthday():
    assert age_on(date(2008, 12, 2), TODAY) == 17
    assert age_on(date(2008, 12, 1), TODAY) == 18


def test_a_child_is_expected_to_have_a_substitute_and_an_adult_to_decide():
    assert expected_decider("2019-06-01", TODAY).substitute
    assert not expected_decider("1980-06-01", TODAY).substitute
    assert expected_decider(None, TODAY) is None
    assert expected_decider("not a date", TODAY) is None


def test_departing_from_what_the_age_expects_needs_a_note():
    assert decider_problem("2019-06-01", PARENT, "", TODAY) is None
    assert "mature minor" in decider_problem("2019-06-01", DecisionMaker(), "", TODAY)
    assert decider_problem("2009-06-01", DecisionMaker(), "mature minor, understands", TODAY) \
        is None
    assert decider_problem("1980-06-01", DecisionMaker(), "", TODAY) is None
    assert "lacks capacity" in decider_problem("1980-06-01", PARENT, "", TODAY)
    assert decider_problem("1980-06-01", PARENT, "lacks capacity", TODAY) is None
    assert decider_problem(None, PARENT, "", TODAY) is None
