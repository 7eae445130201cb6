"""The words of consent and filing: image kinds, purposes, recipients and methods.

The command line uses the short words (``clinical-photo``, ``education``);
people see the plain labels. The lists follow the two guidance texts in
``shared/seeds``: Avant's "Clinical images – a snapshot of the issues" names
the kinds of image and the purposes, the AMA guide names who may see an image
and how consent is obtained.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

Word = TypeVar("Word", bound=StrEnum)


def normalised(text: str) -> str:
    """Return a word as every comparison of the vocabulary sees it.

    People type "STUDENTS", " The  Public" or a full-width letter from a phone
    keyboard and mean the plain word; an invisible formatting character
    (a zero-width space, a direction mark) must not turn a class of people
    into a stranger's name. So: Unicode NFKC, case folded, invisible
    formatting dropped, whitespace collapsed to single spaces and stripped.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


def parse_word(enum_type: type[Word], text: str) -> Word:
    """Read a command-line word or its plain label, however it is cased or spaced.

    ``clinical-care``, ``Clinical Care`` and ``clinical care`` are one
    purpose; ``students``, ``STUDENTS`` and ``The  Public`` are classes of
    people.

    Raises:
        ValueError: the text is none of the enum's words.
    """
    wanted = normalised(text)
    for member in enum_type:
        if wanted in _spellings(member):
            return member
    raise ValueError(f"{text!r} is not one of: {words(enum_type)}")


def _spellings(member: StrEnum) -> set[str]:
    """The ways of writing one word: as on the command line, with spaces, or as people see it."""
    label = normalised(getattr(member, "label", str(member)))
    bare_label = label.removeprefix("the ").removeprefix("a ")
    word = normalised(str(member))
    return {word, word.replace("-", " "), label, bare_label}


class _Word(StrEnum):
    """A word of the vocabulary, written beside the label people see: ``WORD = "word", "label"``.

    Every kind of word keeps its label in the same place and the same way,
    so a new word cannot be added without the words people see for it.
    """

    label: str

    def __new__(cls, word: str, label: str) -> _Word:
        member = str.__new__(cls, word)
        member._value_ = word
        member.label = label
        return member


class ImageKind(_Word):
    """What an image is and where it came from; each kind needs a different consent basis.

    Avant: "A clinical image may be an image of part of a patient's body or an
    image of a document", and it treats images "from colleagues" and "from
    patients" separately.
    """

    CLINICAL_PHOTO = "clinical-photo", "clinical photo"
    DOCUMENT = "document", "image of a document"
    PATIENT_SENT = "patient-sent", "sent by the patient"
    COLLEAGUE_INTERNAL = "colleague-internal", "from a colleague in this practice"
    COLLEAGUE_EXTERNAL = "colleague-external", "from a clinician outside the practice"


class Purpose(_Word):
    """Why an image is used.

    Avant: "Images may be taken and shared for different purposes including
    providing clinical care and for education or research"; publication
    covers "any social media platform" and showing it "at a conference".
    """

    CLINICAL_CARE = "clinical-care", "clinical care"
    EDUCATION = "education", "education"
    RESEARCH = "research", "research"
    PUBLICATION = "publication", "publication or social media"

    @property
    def clinical(self) -> bool:
        """Whether this is the patient's own clinical care (every other purpose is not)."""
        return self is Purpose.CLINICAL_CARE


class RecipientClass(_Word):
    """Who may see an image, as a group of people.

    AMA: make sure the patient understands "to whom it will be shown"; Avant:
    discuss "who the image will be shared with and why".
    """

    TREATING_TEAM = "treating-team", "the treating team"
    SPECIALIST = "specialist", "a referral specialist"
    PRACTICE_STAFF = "practice-staff", "practice staff"
    STUDENTS = "students", "students"
    RESEARCHERS = "researchers", "researchers"
    PUBLIC = "public", "the public"

    @property
    def gives_care(self) -> bool:
        """Whether people in this group look after the patient.

        Students, researchers and the public do not: showing them an image is
        education, research or publication, never the patient's clinical care.
        """
        return self in _CARE_CLASSES


_CARE_CLASSES = frozenset(
    {RecipientClass.TREATING_TEAM, RecipientClass.SPECIALIST, RecipientClass.PRACTICE_STAFF}
)


@dataclass(frozen=True)
class Recipient:
    """Who a use is for: a class of people or one named person or service.

    A named recipient is taken to be a clinician the image is sent to for the
    patient's care or advice (Avant: forwarding "to another practitioner for
    clinical advice"); a consent covers a named recipient only when it names
    them.
    """

    group: RecipientClass | None = None
    name: str = ""

    @classmethod
    def parse(cls, word: str) -> Recipient:
        """Read a command-line word: a class word however written, or any other text as a name."""
        if not normalised(word):
            raise ValueError("a recipient needs a class word or a name")
        try:
            return cls(group=parse_word(RecipientClass, word))
        except ValueError:
            return cls(name=" ".join(word.split()))

    @property
    def names_a_group(self) -> RecipientClass | None:
        """The class of people a named recipient's name spells, if it spells one.

        "Students" typed where a person's name belongs is not a person: taken
        as a name it would look after the patient, and slip students past
        the rule that they never see an image for clinical care.
        """
        if self.group:
            return None
        try:
            return parse_word(RecipientClass, self.name)
        except ValueError:
            return None

    @property
    def gives_care(self) -> bool:
        """Whether this recipient looks after the patient (named clinicians do)."""
        return self.group.gives_care if self.group else True

    @property
    def in_practice(self) -> bool:
        """Whether the recipient works in this practice."""
        return self.group in (RecipientClass.TREATING_TEAM, RecipientClass.PRACTICE_STAFF)

    @property
    def word(self) -> str:
        """The command-line word for this recipient."""
        return str(self.group) if self.group else self.name

    @property
    def label(self) -> str:
        """The words people see."""
        return self.group.label if self.group else self.name

    def same_as(self, other: Recipient) -> bool:
        """Whether two recipients are the same class, or the same name however cased or spaced.

        A named person is never the same as a class, whatever the name says.
        """
        if self.group or other.group:
            return self.group == other.group
        return normalised(self.name) == normalised(other.name)


# Whom a picture goes to when it joins the patient's own care record: the
# printed summary reception imports, and the practice's PACS archive.
CARE_RECORD = Recipient(group=RecipientClass.TREATING_TEAM)


class Method(_Word):
    """How consent was obtained.

    Verbal and written consent are express; implied consent comes from the
    patient sending the image (Avant: "consent is implied but only for the
    purpose for which the image was provided"); a document image needs none
    for care (Avant: "you do not need to obtain specific consent").
    """

    VERBAL = "verbal", "verbal"
    WRITTEN = "written", "written"
    IMPLIED = "implied", "implied by the patient sending the image"
    NOT_REQUIRED = "not-required", "not required (image of a document)"

    @property
    def express(self) -> bool:
        """Whether the patient said yes themselves, aloud or on paper."""
        return self in (Method.VERBAL, Method.WRITTEN)


def words(enum_type: type[StrEnum]) -> str:
    """Return an enum's command-line words joined for a help text or message."""
    return ", ".join(str(member) for member in enum_type)
