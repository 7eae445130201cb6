from datetime import date

from clinfile.app.patients.names import are_nicknames, fold, nicknames, sound_key, tokens
from clinfile.app.patients.query import PartialDate, parse_query

TODAY = date(2026, 6, 1)


def test_names_become_comparable_tokens():
    assert tokens("O'Brien") == ["obrien"]
    assert tokens("Smith-Jones") == ["smith", "jones"]
    assert tokens("Nguyễn Thị") == ["nguyen", "thi"]
    assert tokens("Dr John  Smith") == ["john", "smith"]
    assert fold("ÉLODIE") == "elodie"


def test_common_short_forms_are_known_both_ways():
    assert are_nicknames("bill", "william") and are_nicknames("william", "bill")
    assert are_nicknames("liz", "elizabeth") and are_nicknames("jo", "joanne")
    assert {"joanne", "josephine", "joseph"} <= nicknames("jo")
    assert not are_nicknames("john", "joanne")


def test_sound_alike_spellings_share_a_key():
    assert sound_key("smith") == sound_key("smyth") == sound_key("smithe")
    assert sound_key("catherine") == sound_key("kathryn")
    assert sound_key("philips") == sound_key("fillips")
    assert sound_key("smith") != sound_key("jones")


def test_names_and_date_in_any_order():
    query = parse_query("smith jo 12/3/80", today=TODAY)
    assert query.names == ("smith", "jo")
    assert query.birth_dates == (date(1980, 3, 12),)
    assert parse_query("12/03/1980 Jo Smith", today=TODAY).names == ("jo", "smith")


def test_medicare_number_typed_in_groups_is_joined():
    query = parse_query("2123 45670 1", today=TODAY)
    assert query.numbers == ("2123456701",) and not query.names


def test_record_numbers_with_letters_are_codes():
    assert parse_query("MRN004521", today=TODAY).codes == ("mrn004521",)


def test_a_date_still_being_typed_is_a_partial_date():
    assert parse_query("smith jo 12/3/8", today=TODAY).partial_date == PartialDate(12, 3, "8")
    assert parse_query("smith 12/3", today=TODAY).partial_date == PartialDate(12, 3, "")


def test_packed_digits_that_are_a_real_date_count_as_a_date_too():
    query = parse_query("12031980", today=TODAY)
    assert date(1980, 3, 12) in query.birth_dates and query.numbers == ("12031980",)


def test_iso_dates_and_hyphenated_names_do_not_get_confused():
    query = parse_query("O'Brien, Mary-Anne 1980-03-12", today=TODAY)
    assert query.names == ("obrien", "mary", "anne")
    assert query.birth_dates == (date(1980, 3, 12),)


def test_empty_text_is_an_empty_query():
    assert parse_query("   ").empty
