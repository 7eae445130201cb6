"""The consent form's words stay plain: around a Year 8 reading level or easier."""

from __future__ import annotations

import re

from clinfile.app.consent.vocabulary import Purpose
from clinfile.app.reports import consent_wording as words

PATIENT_FACING = [
    words.INTRODUCTION,
    *(text for _, text in words.EXPLANATIONS),
    *(text for _, text in words.PURPOSE_TEXT.values()),
    words.PATIENT_STATEMENT,
    words.SUBSTITUTE_NOTE,
    words.ASK_US,
]


def syllables(word: str) -> int:
    """Count vowel groups, less a silent final e: rough, but steady enough to catch drift."""
    word = word.lower()
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def flesch_kincaid_grade(text: str) -> float:
    sentences = [s for s in re.split(r"[.!?:]+", text) if s.strip()]
    found = re.findall(r"[A-Za-z']+", text)
    return (0.39 * len(found) / len(sentences)
            + 11.8 * sum(syllables(w) for w in found) / len(found) - 15.59)


def test_the_patient_facing_words_read_at_year_8_or_easier():
    text = re.sub(r"<[^>]+>", "", " ".join(PATIENT_FACING))
    assert flesch_kincaid_grade(text) <= 8.0


def test_no_sentence_runs_on():
    text = re.sub(r"<[^>]+>", "", " ".join(PATIENT_FACING))
    longest = max(len(s.split()) for s in re.split(r"[.!?:]+", text))
    assert longest <= 25


def test_every_purpose_has_plain_words():
    assert set(words.PURPOSE_TEXT) == set(Purpose)
