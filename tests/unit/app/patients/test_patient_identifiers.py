import random

import pytest

from clinfile.app.patients.identifiers import (
    check_dva,
    check_ihi,
    check_medicare,
    format_medicare,
    luhn_check_digit,
    luhn_valid,
    medicare_check_digit,
)
from tests.demo.patients import valid_ihi, valid_medicare


@pytest.mark.parametrize("number", ["2123456701", "2123 45670 1", "2123-45670-1", "4951235831"])
def test_valid_medicare_numbers_pass(number):
    card, irn = check_medicare(number, "1")
    assert card.valid and irn.valid
    assert card.value.isdigit() and len(card.value) == 10


def test_eleven_digits_are_card_number_and_irn():
    card, irn = check_medicare("21234567011")
    assert (card.value, irn.value) == ("2123456701", "1")
    assert card.valid and irn.valid


@pytest.mark.parametrize(("number", "words"), [
    ("2123456711", "check digit"),
    ("1123456701", "start with a digit from 2 to 6"),
    ("212345670", "10 digits"),
    ("21234A6701", "10 digits"),
])
def test_invalid_medicare_numbers_say_what_is_wrong(number, words):
    card, _ = check_medicare(number, "1")
    assert not card.valid
    assert words in card.problem
    assert card.value == number.replace(" ", "")


@pytest.mark.parametrize("irn", ["0", "12", "A"])
def test_irn_is_one_digit_from_one_to_nine(irn):
    _, position = check_medicare("2123456701", irn)
    assert not position.valid and "IRN" in position.problem


def test_medicare_check_digit_matches_generated_numbers():
    rng = random.Random(3)
    for _ in range(200):
        number = valid_medicare(rng)
        assert len(number) == 10
        assert medicare_check_digit(number[:8]) == int(number[8])
        card, irn = check_medicare(number, str(rng.randint(1, 9)))
        assert card.valid and irn.valid


def test_medicare_is_shown_as_on_the_card():
    assert format_medicare("2123456701", "1") == "2123 45670 1 / 1"


@pytest.mark.parametrize("ihi", ["8003608166690503", "8003 6081 6669 0503", "8003601234567894"])
def test_valid_ihis_pass(ihi):
    assert check_ihi(ihi).valid


@pytest.mark.parametrize(("ihi", "words"), [
    ("8003608166690504", "check digit"),
    ("8003618166690503", "should start with 800360"),
    ("800360816669050", "16 digits"),
])
def test_invalid_ihis_say_what_is_wrong(ihi, words):
    checked = check_ihi(ihi)
    assert not checked.valid and words in checked.problem


def test_luhn_helpers_agree():
    rng = random.Random(5)
    for _ in range(200):
        ihi = valid_ihi(rng)
        assert luhn_valid(ihi) and check_ihi(ihi).valid
        assert luhn_check_digit(ihi[:-1]) == ihi[-1]


@pytest.mark.parametrize("dva", ["NX123456", "QSS12345A", "vx 12345", "N123456", "WX1"])
def test_valid_dva_file_numbers_pass(dva):
    checked = check_dva(dva)
    assert checked.valid
    assert checked.value == checked.value.upper() and " " not in checked.value


@pytest.mark.parametrize("dva", ["AX123456", "NX1234567", "123456", "NXABCD12", "NX12B34"])
def test_invalid_dva_file_numbers_are_flagged(dva):
    checked = check_dva(dva)
    assert not checked.valid and "usual format" in checked.problem


def test_empty_identifiers_are_neither_valid_problems_nor_values():
    assert check_ihi("").value == "" and check_ihi("").valid
    assert check_dva("  ").valid
    card, irn = check_medicare("", "")
    assert card.valid and irn.valid
