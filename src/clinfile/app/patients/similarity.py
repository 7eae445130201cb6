"""How alike two name tokens are, as a score and a kind that can be said in words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

from clinfile.app.patients.names import are_nicknames, sound_key


class Likeness(StrEnum):
    """Why two name tokens were taken to be the same name."""

    SAME = "same"
    NICKNAME = "nickname"
    STARTS = "starts"
    STARTS_ROUGHLY = "starts roughly"
    INITIAL = "initial"
    ONE_LETTER = "one letter different"
    SWAPPED_LETTERS = "two letters swapped"
    TWO_LETTERS = "two letters different"
    SOUNDS = "sounds the same"
    SIMILAR = "spelt similarly"


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A typed token against a stored one: 0 to 100, and why."""

    score: float
    likeness: Likeness


def typo_allowance(token: str) -> int:
    """How many letters may differ for a typed token still to be taken as a typo."""
    if len(token) < 3:
        return 0
    return 1 if len(token) < 6 else 2


@lru_cache(maxsize=262144)
def compare(typed: str, stored: str) -> TokenMatch | None:
    """Compare a typed name token with a stored one; None when they are not alike.

    The typed token may be unfinished, so a stored name that starts with it
    is a match, worth more the more of the name was typed.
    """
    if typed == stored:
        return TokenMatch(100.0, Likeness.SAME)
    if are_nicknames(typed, stored):
        return TokenMatch(92.0, Likeness.NICKNAME)
    if stored.startswith(typed):
        if len(typed) == 1:
            return TokenMatch(62.0, Likeness.INITIAL)
        return TokenMatch(80.0 + 15.0 * len(typed) / len(stored), Likeness.STARTS)
    allowance = typo_allowance(typed)
    if allowance:
        distance = OSA.distance(typed, stored, score_cutoff=allowance)
        if distance <= allowance:
            if distance == 1:
                kind = (Likeness.SWAPPED_LETTERS if len(typed) == len(stored)
                        and sorted(typed) == sorted(stored) else Likeness.ONE_LETTER)
                return TokenMatch(90.0 if len(typed) >= 5 else 82.0, kind)
            return TokenMatch(78.0, Likeness.TWO_LETTERS)
    if len(typed) >= 3 and len(sound_key(typed)) >= 2 and sound_key(typed) == sound_key(stored):
        return TokenMatch(80.0, Likeness.SOUNDS)
    if len(typed) >= 4 and OSA.distance(typed, stored[:len(typed)], score_cutoff=1) <= 1:
        return TokenMatch(74.0, Likeness.STARTS_ROUGHLY)
    similar = ratio(typed, stored, score_cutoff=75)
    if similar and len(typed) >= 4:
        return TokenMatch(similar * 0.85, Likeness.SIMILAR)
    return None
