"""Where on the body an image was taken: a controlled list with laterality, plus free text.

A controlled word lets images of one wound be found and compared over time,
and lets a DICOM export carry Body Part Examined and Laterality (validators
report an error without them). The free text says the rest ("lateral
malleolus, 2 cm above").
"""

from __future__ import annotations

from dataclasses import dataclass

NO_SITE = "none"
SIDES = ("left", "right", "both")

PAIRED_SITES = frozenset({
    "eye", "ear", "cheek", "breast", "axilla", "shoulder", "upper-arm", "elbow", "forearm",
    "wrist", "hand", "finger", "thumb", "hip", "groin", "buttock", "thigh", "knee", "lower-leg",
    "shin", "calf", "ankle", "heel", "foot", "toe",
})
MIDLINE_SITES = frozenset({
    "scalp", "face", "forehead", "nose", "mouth", "lip", "chin", "neck", "chest", "abdomen",
    "upper-back", "lower-back", "sacrum", "perineum", "genitals", "whole-body", "other",
})
BODY_SITES = PAIRED_SITES | MIDLINE_SITES


class BodySiteError(ValueError):
    """A body site that is not on the list or lacks its side; ``str()`` says what to type.

    ``field`` names what to correct, ``site`` or ``side``, so a form can point to it.
    """

    def __init__(self, message: str, field: str = "site") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BodySite:
    """A controlled site, its side where it has one, and free text.

    An empty ``site`` means no body site, as for an image of a document.
    """

    site: str = ""
    laterality: str = ""
    detail: str = ""

    @classmethod
    def parse(cls, text: str) -> BodySite:
        """Read ``[left-|right-|both-]SITE[: free text]``, e.g. ``left-ankle: lateral malleolus``.

        ``none`` means no body site (an image of a document).

        Raises:
            BodySiteError: the site is not on the list, or a paired site has no side.
        """
        word, _, detail = text.partition(":")
        word = word.strip().lower().replace(" ", "-")
        detail = detail.strip()
        if word == NO_SITE:
            return cls(detail=detail)
        side = next((s for s in SIDES if word.startswith(f"{s}-")), "")
        site = word[len(side) + 1:] if side else word
        body_site = cls(site, side, detail)
        body_site.check()
        return body_site

    def check(self) -> None:
        """Refuse a site that is not on the list or a paired site without its side."""
        if not self.site:
            if self.laterality:
                raise BodySiteError("A side was given without a body site.")
            return
        if self.site not in BODY_SITES:
            raise BodySiteError(
                f"'{self.site}' is not on the list of body sites. Use one of: "
                f"{', '.join(sorted(BODY_SITES))} (add left-, right- or both- for paired sites), "
                "or 'none' for an image of a document.")
        if self.site in PAIRED_SITES and self.laterality not in SIDES:
            raise BodySiteError(f"Say which side of the {self.site.replace('-', ' ')}: left, "
                                "right or both sides.", "side")
        if self.site in MIDLINE_SITES and self.laterality:
            raise BodySiteError(f"The {self.site} has no left or right; type just '{self.site}' "
                                "and describe the place after a colon.", "side")

    @property
    def word(self) -> str:
        """The command-line form, e.g. ``left-ankle: lateral malleolus``."""
        head = f"{self.laterality}-{self.site}" if self.laterality else (self.site or NO_SITE)
        return f"{head}: {self.detail}" if self.detail else head

    @property
    def label(self) -> str:
        """The words people see, e.g. ``left ankle (lateral malleolus)``."""
        if not self.site:
            return self.detail or "no body site"
        side = {"both": "both sides,"}.get(self.laterality, self.laterality)
        head = " ".join(part for part in (side, self.site.replace("-", " ")) if part)
        return f"{head} ({self.detail})" if self.detail else head
