"""Who may do what. Every check is made here, in the core, not only in the window.

A person holds one role or several (a solo GP is admin and clinician at
once) and may do whatever any of their roles allows. The three roles follow
how a practice divides the work: the practice manager administers (users,
settings, deletion and the list of what is due for it, audit), clinicians do
everything clinical, and reception takes images in, matches and files what
patients send and document images, and prints forms. Recording consent for a
clinical photo is a clinician's act, because consent is obtained in the
consultation (AMA guide: "ensure you obtain and document patient consent");
reception may only record a consent a clinician has already documented.
Anyone may record that a patient withdrew consent: a patient who says so to
whoever answers the phone must be heard at once. Likewise anyone may report
a picture sent to the wrong person, since whoever notices it reports it
(every role sends something out: exports, summaries, forms); reading every
report stays with the practice manager.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from clinfile.app.errors import MeantForPeople


class Role(StrEnum):
    """A user's role."""

    ADMIN = "admin"
    CLINICIAN = "clinician"
    RECEPTION = "reception"


class Permission(StrEnum):
    """One kind of act the core guards."""

    MANAGE_USERS = "manage users"
    CHANGE_SETTINGS = "change settings"
    DELETE_IMAGES = "delete images"
    SEE_DELETIONS_DUE = "see which pictures are due for deletion"
    EXPORT_AUDIT = "export the audit trail"
    VIEW_AUDIT = "view the audit trail"
    VERIFY_VAULT = "verify the vault"
    BACKUP_VAULT = "back up the vault"
    CHANGE_KEYS = "change the vault's keys"
    SEAL_AUDIT = "seal the audit trail"
    IMPORT_IMAGES = "import images"
    VIEW_IMAGES = "view images"
    MANAGE_PATIENTS = "manage the patient index"
    SEARCH_PATIENTS = "search patients"
    FILE_PATIENT_SENT = "file images sent by patients and document images"
    FILE_CLINICAL = "file clinical photos"
    RECORD_CLINICAL_CONSENT = "record consent for clinical photos and non-clinical uses"
    RECORD_DOCUMENTED_CONSENT = "record a consent a clinician documented"
    CORRECT_FILING = "correct a filing"
    PRINT_FORMS = "print consent forms and summaries"
    EXPORT_IMAGES = "export and send images"
    RECORD_WITHDRAWAL = "record that a patient withdrew consent"
    VIEW_RETENTION = "see when a record may be deleted"
    REPORT_INCIDENT = "report a picture sent to the wrong person"
    READ_INCIDENTS = "read every report of a picture sent to the wrong person"


_EVERYONE = {
    Permission.RECORD_WITHDRAWAL,
    Permission.VIEW_RETENTION,
    Permission.REPORT_INCIDENT,
}

_RECEPTION = _EVERYONE | {
    Permission.IMPORT_IMAGES,
    Permission.VIEW_IMAGES,
    Permission.SEARCH_PATIENTS,
    Permission.MANAGE_PATIENTS,
    Permission.FILE_PATIENT_SENT,
    Permission.RECORD_DOCUMENTED_CONSENT,
    Permission.PRINT_FORMS,
}

_CLINICIAN = _RECEPTION | {
    Permission.FILE_CLINICAL,
    Permission.RECORD_CLINICAL_CONSENT,
    Permission.CORRECT_FILING,
    Permission.EXPORT_IMAGES,
}

_ADMIN = _EVERYONE | {
    Permission.READ_INCIDENTS,
    Permission.MANAGE_USERS,
    Permission.CHANGE_SETTINGS,
    Permission.DELETE_IMAGES,
    Permission.SEE_DELETIONS_DUE,
    Permission.EXPORT_AUDIT,
    Permission.VIEW_AUDIT,
    Permission.VERIFY_VAULT,
    Permission.BACKUP_VAULT,
    Permission.CHANGE_KEYS,
    Permission.SEAL_AUDIT,
    Permission.MANAGE_PATIENTS,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(_ADMIN),
    Role.CLINICIAN: frozenset(_CLINICIAN),
    Role.RECEPTION: frozenset(_RECEPTION),
}


#: The act of printing a consent form, named so on every button and in every piece of
#: advice: a person told to do it looks for these words.
PRINT_CONSENT_FORM = "Print consent form"

# What a person may do instead of an act their roles do not carry, for the few
# acts the window would otherwise simply not offer.
INSTEAD: dict[Permission, str] = {
    Permission.EXPORT_IMAGES: (
        "Exports are made by a clinician, who decides whether the patient's consent covers "
        "them. You can file what patients send, record a consent a clinician documented, "
        f"and print for the clinical record with \u201c{PRINT_CONSENT_FORM}\u201d or "
        "\u201cPrint summary\u201d."),
}


class PolicyRefused(MeantForPeople):
    """The act is not allowed (by role or by consent); ``str()`` says why, for people."""


def parse_roles(words: Iterable[str]) -> frozenset[Role]:
    """Read roles given as words, each one or a comma list ("admin,clinician").

    Raises:
        ValueError: no role, or a word that is not a role; the message says which exist.
    """
    found = [word.strip().casefold() for text in words for word in text.split(",")]
    known = [str(role) for role in Role]
    unknown = [word for word in found if word not in known]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} is not a role; the roles are "
                         f"{roles_in_words(known)}.")
    if not found:
        raise ValueError(f"Give at least one role: {', '.join(known)}.")
    return frozenset(Role(word) for word in found)


def roles_in_words(roles: Iterable[Role | str]) -> str:
    """'admin and clinician': the roles as a person reads them, in a fixed order."""
    ordered = [str(role) for role in Role if role in {Role(r) for r in roles}]
    return " and ".join(filter(None, [", ".join(ordered[:-1]), ordered[-1] if ordered else ""]))


def allows(roles: Iterable[Role | str], permission: Permission) -> bool:
    """Return whether any of the roles carries a permission."""
    return any(permission in PERMISSIONS[Role(role)] for role in roles)
