"""Every act the audit trail records, in the words a privacy officer reads.

The trail stores each act as a short code (``image.filed``) with its details
as JSON (``{"patient_id": 3, "body_site": "left knee"}``); the chain is
hashed over exactly those, so they never change. This table is the one
place that turns a code and its details into a sentence ("Filed picture 12
to NGUYEN, Mai (record 900001), left knee") and into the name of the act
the filter offers ("Picture filed"). The window, the CSV and the PDF all
read it.

A sentence is a template: ``{name}`` is a detail in words, and a part in
``[...]`` is left out when a detail in it is missing or empty. A detail
that is ``true`` fills its place with nothing, so ``[, names removed{deidentified}]``
reads ", names removed" only when names were removed. Details a sentence
does not use are listed after it, all but those only Clinfile reads
(:mod:`app.audit.lines` says which); a count names its noun itself, so
``{rows} found`` reads "1 entry found" or "2 entries found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Act:
    """One kind of act: its name in the filter and the sentence for one entry."""

    name: str
    sentence: str


ACTS: dict[str, Act] = {
    "archive.kept": Act("Archived picture kept", "Kept a copy of an archived picture of "
                                                 "{patient}"),
    "archive.searched": Act("Picture archive searched",
                            "Searched the picture archive for {patient}[: {found} found]"
                            "[; {problem}]"),
    "archive.viewed": Act("Archived picture looked at",
                          "Looked at an archived picture of {patient}"),
    "audit.exported": Act("Audit trail exported",
                          "Exported [{rows} of ]the audit trail[ as {format}]"
                          "[ to {subject}]"),
    "audit.forwarding_set": Act("Audit copy to a log server set",
                                "Set the audit trail to be copied to {subject}"),
    "audit.seal_key_not_vouched": Act("Seal key not vouched for",
                                      "Did not seal the audit trail: its seal key is not "
                                      "vouched for by this login"),
    "audit.seal_key_replaced": Act("Seal key replaced",
                                   "Did not seal the audit trail: its seal key was replaced"),
    "audit.tampering_found": Act("Audit trail found changed",
                                 "Found the audit trail changed since it was sealed"),
    "audit.unsealed_act_sealed": Act("Unsealed acts sealed",
                                     "Sealed acts left unsealed when Clinfile stopped "
                                     "(acting: {person})[, {rows}]"),
    "audit.viewed": Act("Audit trail searched",
                        "Searched the audit trail[: {rows} found]"),
    "consent.form_attached": Act("Signed form attached",
                                 "Attached the signed form to {consent}[ of {patient}]"),
    "consent.form_not_attached": Act("Signed form not attached",
                                     "Could not attach the signed form in {picture}"
                                     "[ (code {code})][: {reason}]"),
    "consent.form_recognised": Act("Signed form recognised",
                                   "Recognised {picture} as the signed form[ of consent "
                                   "{consent_id}][ (code {code})]"),
    "consent.recorded": Act("Consent recorded",
                            "Consent recorded: {method}[, {purposes}][, to be seen by "
                            "{recipients}][, for {patient}][, obtained by {obtained_by}]"),
    "consent.withdrawn": Act("Consent withdrawn",
                             "Withdrew {consent}[ of {patient}][ {purposes}][: {reason}]"),
    "device.import.began": Act("Import from a device begun",
                               "Began importing from {subject}"),
    "device.import.ended": Act("Import from a device ended",
                               "Finished importing from {subject}"),
    "device.import.told": Act("Unfinished import reported",
                              "Was told of an unfinished import from {subject}"),
    "fhir_server.configured": Act("Patient server set",
                                  "Set the patient server to {subject}"),
    "filing.corrected": Act("Filing corrected",
                            "Corrected the {what} of {picture}[: {reason}]"),
    "filing.refused": Act("Filing refused",
                          "Did not file {images}[ for {patient}][ as {kind}][: {reason}]"),
    "image.deleted": Act("Picture deleted",
                         "Deleted {picture}[ of {patient}] at the end of its keeping time"
                         "[ ({reason})]"),
    "image.duplicate": Act("Picture already in the vault",
                           "Found [{source} ]already in the vault as {picture}"),
    "image.filed": Act("Picture filed",
                       "Filed {picture} to {patient}[, {body_site}][, {kind}]"
                       "[, on {consent_id}][, a secondary picture{secondary}]"),
    "image.imported": Act("Picture taken into the vault",
                          "Took [{source} ]into the vault as {picture}[ ({source_kind})]"),
    "image.quarantined": Act("File set aside",
                             "Set aside {subject} without taking it in[: {reason}]"),
    "image.viewed": Act("Picture looked at", "Looked at {picture}"),
    "images.exported": Act("Pictures exported",
                           "Exported {images}[ of {patient}][ as {format}][ for {purpose}]"
                           "[, to be seen by {recipient}][, names removed{deidentified}]"),
    "import.undone": Act("Import undone", "Undid the import of {subject}[: {why}]"),
    "incident.reported": Act("Wrongly sent picture reported",
                             "Reported incident {incident}: an export[ of {patient}] reached "
                             "{sent_to} by mistake[ (found on {found_on})]"),
    "incident.summary_printed": Act("Incident summary printed",
                                    "Printed the summary of {subject}"),
    "login.failed": Act("Login failed", "A login as {subject} failed[: {reason}]"),
    "login.recovery_key": Act("Opened with the recovery key",
                              "Opened the vault with the recovery key"),
    "login.refused": Act("Login refused", "Refused a login as {subject}[: {reason}]"),
    "login.succeeded": Act("Logged in", "Logged in"),
    "pacs.configured": Act("Picture archive set",
                           "Set the picture archive to {called_ae}[ at {host}][:{port}]"),
    "pacs.not_stored": Act("Picture not stored in the archive",
                           "The picture archive did not store {picture}[: {problem}]"),
    "pacs.queued": Act("Pictures queued for the archive",
                       "Queued {count} for the picture archive"),
    "pacs.send_failed": Act("Sending to the archive failed",
                            "Sending to the picture archive {subject} failed[ after {sent} "
                            "of {tried}][: {problem}]"),
    "pacs.send_finished": Act("Sending to the archive finished",
                              "Sent {sent} of {tried} to the picture archive "
                              "{subject}"),
    "pacs.sent": Act("Picture sent to the archive",
                     "Sent {picture} to the picture archive[ {archive}]"),
    "patient.added": Act("Patient added", "Added {patient} to the patient index"),
    "patient.edited": Act("Patient changed",
                          "Changed {patient} in the patient index[: {changed}]"),
    "patients.imported": Act("Patient list imported", "Imported the patient list {subject}"),
    "patients.mapping_saved": Act("Patient list columns saved",
                                  "Saved the patient list columns as {subject}"),
    "policy.refused": Act("Refused by role",
                          "Refused: [{roles} may not ]{permission}[ ({subject})]"),
    "quarantine.deleted": Act("Set-aside file deleted",
                              "Deleted the set-aside file {subject}"),
    "quarantine.forgotten": Act("Set-aside file taken off the list",
                                "Took {subject} off the set-aside list[: {reason}]"),
    "quarantine.released": Act("Set-aside file released",
                               "Released the set-aside file {subject}[ to {to}]"),
    "recovery_key.renewed": Act("Recovery key replaced", "Replaced the recovery key"),
    "report.blank_consent_form_printed": Act("Blank consent form printed",
                                             "Printed a blank consent form"),
    "report.consent_form_printed": Act("Consent form printed",
                                       "Printed the consent form of {consent}"
                                       "[ of {patient}]"),
    "report.recovery_sheet_printed": Act("Recovery sheet printed",
                                         "Printed the recovery key sheet"),
    "report.summary_written": Act("Record summary written",
                                  "Wrote the summary of {images}[ of {patient}] for the "
                                  "clinical record"),
    "report.write_failed": Act("Writing a file failed",
                               "Could not write into {folder}[: {error}]"),
    "settings.changed": Act("Settings changed", "Changed the practice settings"),
    "source.deleted": Act("Original deleted from its source",
                          "Deleted {source} from where it came, once safe in the vault"
                          "[ as {picture}]"),
    "source.gone": Act("Original already gone",
                       "Found {source} already gone from where it came[, kept in the "
                       "vault as {picture}]"),
    "source.kept": Act("Original left at its source",
                       "Left {source} where it came from[, kept in the vault as "
                       "{picture}][: {note}]"),
    "use.allowed": Act("Use allowed",
                       "Allowed {subject} to be used for {purpose}[, to be seen by "
                       "{recipient}][ by {channel}][, names removed{deidentified}]"),
    "use.refused": Act("Use refused",
                       "Refused to let {picture} be used for {purpose}[, to be seen by "
                       "{recipient}][: {reason}] ({asked})"),
    "user.added": Act("User added", "Added the user {subject}[ ({full_name})][ as {roles}]"),
    "user.disabled": Act("User disabled", "Disabled the user {subject}"),
    "user.enabled": Act("User let back in",
                        "Let {subject} log in again, with a new password"),
    "user.password_changed": Act("Password changed", "Changed the password of {subject}"),
    "user.password_recovered": Act("Admin password recovered",
                                   "Gave {subject} a new password with the recovery key"),
    "user.password_reset_with_recovery_key": Act(
        "Password reset with the recovery key",
        "Reset the password of {subject} with the recovery key"),
    "user.renamed": Act("User's full name changed",
                        "Gave {subject} the full name {full_name}"),
    "user.roles_changed": Act("User's roles changed", "Gave {subject} the roles {roles}"),
    "vault.backed_up": Act("Vault backed up",
                           "Backed up the vault to {subject}[: {copied} copied]"),
    "vault.created": Act("Vault created", "Created the vault"),
    "vault.keys_changed": Act("Vault keys changed", "Changed the vault's keys[: {reason}]"),
    "vault.locked": Act("Vault locked", "Locked the vault[ ({reason})]"),
    "vault.older_copy_accepted": Act("Older copy of the vault accepted",
                                     "Accepted an older copy of the vault[: {why}]"),
    "vault.permissions_tightened": Act("Vault permissions tightened",
                                       "Tightened loose permissions on the vault's files"),
    "vault.rekey_finished": Act("Vault re-keying finished",
                                "Finished changing the vault's keys"),
    "vault.restored": Act("Vault restored from a backup",
                          "Restored the vault from the backup {subject}[ on {restored_at}]"),
    "vault.unlocked": Act("Vault unlocked", "Unlocked the vault"),
    "vault.verified": Act("Vault checked",
                          "Checked the vault: {problems} found"),
}

_PART = re.compile(r"\[([^\[\]]*)\]|\{(\w+)\}")
_FIELD = re.compile(r"\{(\w+)\}")


def act_name(code: str) -> str:
    """'Picture filed' for ``image.filed``; an unknown code with its dots as spaces."""
    act = ACTS.get(code)
    return act.name if act else code.replace(".", " ").replace("_", " ")


def fill(template: str, values: dict[str, str | None]) -> str:
    """Fill a sentence from details in words (``None`` for missing).

    A field outside ``[...]`` that is missing reads "(not recorded)": the
    sentence still says what was done.
    """

    def given(match: re.Match) -> str:
        found = values.get(match[1])
        return "(not recorded)" if found is None else found

    def part(match: re.Match) -> str:
        if match[2] is not None:
            return given(_FIELD.fullmatch(match[0]))
        if any(values.get(name) is None for name in _FIELD.findall(match[1])):
            return ""
        return _FIELD.sub(given, match[1])

    # One pass over the template: words put in are never read again as a template.
    return _PART.sub(part, template)


def fields(template: str) -> set[str]:
    """The details a sentence names, optional or not: the Details column leaves them out."""
    return set(_FIELD.findall(template))
