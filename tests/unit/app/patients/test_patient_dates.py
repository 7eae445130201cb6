from datetime import date

import pytest

from clinfile.app.patients.dates import (
    DateOrder,
    UnreadableDate,
    day_month_swapped,
    full_year,
    one_digit_away,
    one_digit_variants,
    parse_birth_date,
    show,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("12/03/1980", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("12/3/80", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("12-03-1980", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("12.03.1980", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("1980-03-12", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("1980-03-12", DateOrder.YEAR_FIRST, date(1980, 3, 12)),
    ("19800312", DateOrder.YEAR_FIRST, date(1980, 3, 12)),
    ("12031980", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("03/12/1980", DateOrder.MONTH_FIRST, date(1980, 3, 12)),
    ("12/03/1980 00:00:00", DateOrder.DAY_FIRST, date(1980, 3, 12)),
    ("1/6/25", DateOrder.DAY_FIRST, date(2025, 6, 1)),
])
def test_dates_of_birth_are_read_as_practices_write_them(text, order, expected):
    assert parse_birth_date(text, order, today=TODAY) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("31/02/1980", "not a real date"),
    ("12/03/2030", "in the future"),
    ("12/03/1780", "too long ago"),
    ("March 1980", "not a date"),
    ("", "no date of birth"),
])
def test_unreadable_dates_say_why(text, words):
    with pytest.raises(UnreadableDate, match=words):
        parse_birth_date(text, today=TODAY)


def test_a_search_may_hold_a_date_in_the_future():
    assert parse_birth_date("12/03/2047", today=TODAY, allow_future=True) == date(2047, 3, 12)


def test_two_digit_years_are_never_in_the_future():
    assert full_year(26, today=TODAY) == 2026
    assert full_year(27, today=TODAY) == 1927


def test_day_and_month_swapped():
    assert day_month_swapped(date(1980, 3, 12)) == date(1980, 12, 3)
    assert day_month_swapped(date(1980, 3, 13)) is None
    assert day_month_swapped(date(1980, 3, 3)) is None


def test_one_digit_away():
    assert one_digit_away(date(1980, 3, 12), date(1981, 3, 12))
    assert one_digit_away(date(1980, 3, 12), date(1980, 3, 17))
    assert not one_digit_away(date(1980, 3, 12), date(1981, 3, 13))
    variants = one_digit_variants(date(1980, 3, 12))
    assert date(1980, 3, 13) in variants and date(1990, 3, 12) in variants
    assert all(one_digit_away(v, date(1980, 3, 12)) for v in variants)


def test_dates_are_shown_the_australian_way():
    assert show(date(1980, 3, 12)) == "12/03/1980"
