"""Who may do what. Every check is made here, in the core, not only in the window.

The three roles follow how a practice divides the work: the practice manager
administers (users, settings, deletion, audit), clinicians do everything
clinical, and reception takes images in, matches and files what patients send
and document images, and prints forms. Recording consent for a clinical
photo is a clinician's act, because consent is obtained in the consultation
(AMA guide: "ensure you obtain and document patient consent"); reception may
only record a consent a clinician has already documented. Anyone may record
that a patient withdrew consent: a patient who says so to whoever answers the
phone must be heard at once.
"""

from __future__ import annotations

from enum import StrEnum


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
    EXPORT_AUDIT = "export the audit trail"
    VIEW_AUDIT = "view the audit trail"
    VERIFY_VAULT = "verify the vault"
    BACKUP_VAULT = "back up the vault"
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


_EVERYONE = {
    Permission.RECORD_WITHDRAWAL,
    Permission.VIEW_RETENTION,
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
    Permission.MANAGE_USERS,
    Permission.CHANGE_SETTINGS,
    Permission.DELETE_IMAGES,
    Permission.EXPORT_AUDIT,
    Permission.VIEW_AUDIT,
    Permission.VERIFY_VAULT,
    Permission.BACKUP_VAULT,
    Permission.MANAGE_PATIENTS,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(_ADMIN),
    Role.CLINICIAN: frozenset(_CLINICIAN),
    Role.RECEPTION: frozenset(_RECEPTION),
}


class PolicyRefused(Exception):
    """The act is not allowed (by role or by consent); ``str()`` says why, for people."""


def allows(role: Role | str, permission: Permission) -> bool:
    """Return whether a role carries a permission."""
    return permission in PERMISSIONS[Role(role)]
