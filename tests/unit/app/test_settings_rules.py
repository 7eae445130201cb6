"""Each setting's rule, declared once on the field, is the one validation applies."""

from __future__ import annotations

import dataclasses
from dataclasses import fields

import pytest

from clinfile.app.settings import PracticeSettings, SettingError, rule_of

NUMBERS = [f.name for f in fields(PracticeSettings) if f.type == "int"]
CHOICES = [f.name for f in fields(PracticeSettings) if f.metadata["rule"].choices]


def test_every_setting_declares_a_rule_with_a_label():
    for f in fields(PracticeSettings):
        assert f.metadata["rule"].label


@pytest.mark.parametrize("name", NUMBERS)
def test_numbers_are_refused_just_outside_their_declared_range(name):
    rule = rule_of(name)
    for edge in (rule.minimum, rule.maximum):
        dataclasses.replace(PracticeSettings(), **{name: edge}).validate()
    for outside in (rule.minimum - 1, rule.maximum + 1):
        with pytest.raises(SettingError, match=rule.label):
            dataclasses.replace(PracticeSettings(), **{name: outside}).validate()


@pytest.mark.parametrize("name", CHOICES)
def test_choices_are_the_declared_words_only(name):
    for word, _ in rule_of(name).choices:
        dataclasses.replace(PracticeSettings(), **{name: word}).validate()
    with pytest.raises(SettingError, match="must be one of"):
        dataclasses.replace(PracticeSettings(), **{name: "ASK "}).validate()


def test_the_legal_minimums_say_why():
    assert "health records law" in rule_of("retention_adult_years").allowed
    assert rule_of("retention_adult_years").minimum == 7
    assert rule_of("retention_minor_until_age").minimum == 25
    with pytest.raises(SettingError, match="at least 7 years: health records law"):
        dataclasses.replace(PracticeSettings(), retention_adult_years=6).validate()
