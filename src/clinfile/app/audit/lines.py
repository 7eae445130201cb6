"""One audit row in words a person reads: local time, who, what was done, about what, details.

What was done is a sentence from :mod:`app.audit.actions`; the details it
does not use follow in the Details column, each named as a person says it.
Who acted is named by their full name, days and times are on the practice's
clock, and a count agrees with its noun ("1 entry", "2 entries"). What only
Clinfile reads (fingerprints, key and file ids, the chain's bookkeeping) is
left out: a privacy officer finds nothing by it, and the trail keeps it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from clinfile.app.audit.actions import ACTS, act_name, fields, fill
from clinfile.app.audit.naming import AuditNames, pictures_said
from clinfile.app.clock import local_time
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose
from clinfile.app.counting import counted
from clinfile.app.escaping import escaped
from clinfile.app.filing.body_sites import BodySite, BodySiteError
from clinfile.app.record.service import recipient_words
from clinfile.db.audit import AuditRow

HEADINGS = ("Entry", "When", "Who", "What", "About", "Details")
#: The spreadsheet's columns: the stored code of the act is kept beside its words.
CSV_HEADINGS = (*HEADINGS, "Action code")

# Stored keys whose plain reading would still be unclear.
_KEY_WORDS = {"patient_id": "patient", "from_patient_id": "moved from",
              "to_patient_id": "moved to", "image_id": "picture", "image": "picture",
              "images": "pictures", "what": "what changed", "keep_until": "kept until",
              "consent_id": "consent", "code": "form code", "source_kind": "how it came",
              "export_entry": "the export", "first_day": "from", "last_day": "to",
              "user": "by", "action": "act", "copied_bytes": "size copied",
              "backup_latest": "backup made", "page_size": "patients per page",
              "token_kept": "access key kept", "calling_ae": "this practice's archive name",
              "tls": "encrypted", "dicomweb_url": "web address",
              "dicomweb_password_kept": "web password kept", "ok": "passed",
              "uses_not_known_sent": "uses not known to be sent", "laterality": "side"}
# Stored keys only Clinfile reads: fingerprints, vault, key-file and stored-file ids, the
# DICOM id of an archived picture, the key generation, the notes a login filed, the episode.
_MACHINE_KEYS = frozenset({"sha256", "vault_id", "blob", "sop_instance_uid", "epoch",
                           "login_notes", "episode_id"})
# Stored counts, with the noun each is a count of (one, many).
_COUNTED = {"rows": ("entry", "entries"), "found": ("picture", "pictures"),
            "count": ("picture", "pictures"), "tried": ("picture", "pictures"),
            "copied": ("file", "files"), "problems": ("problem", "problems")}
# Stored days and stamps without the ``_at`` ending every other stamp has.
_MOMENTS = frozenset({"keep_until", "found_on", "first_day", "last_day", "backup_latest"})
# Stored logins of the people a detail names.
_PEOPLE = frozenset({"obtained_by", "user"})
# Stored lists of the uses of pictures an act concerned, said as how many.
_USES = frozenset({"uses_already_made", "uses_not_known_sent", "uses_not_made"})
# Acts whose subject is a user's login: their About column names the person.
_ABOUT_A_USER = ("login.", "user.", "audit.unsealed_act_sealed")
_SIZES = frozenset({"size", "copied_bytes"})
_SOURCE_KINDS = {"drop_folder": "from the drop folder", "device": "from a camera or phone",
                 "manual": "chosen by hand"}
# Stored keys a sentence's field reads besides the key of its own name.
_READS = {"patient": ("patient_id",), "picture": ("image_id", "image")}
# A refusal stored before the pictures asked for were recorded with it.
_ASKED_NOT_RECORDED = "which other pictures were asked for with it was not recorded"
# Stored words that may name pictures as the trail once wrote them ("image 4 is not filed").
_SAID_WITH_PICTURES = ("reason", "problem", "why")
# Stored words of the consent vocabulary, read as their labels.
_VOCABULARY = {"kind": ImageKind, "method": Method, "purpose": Purpose}


@dataclass(frozen=True)
class AuditLine:
    """What one row says, every word escaped so a hostile name cannot forge a line."""

    seq: int
    at: str
    actor: str
    code: str
    what: str
    subject: str
    details: str

    @classmethod
    def of(cls, row: AuditRow, names: AuditNames) -> AuditLine:
        """Read one stored row, naming the patients and pictures it is about."""
        names = _at_the_time(row, names)
        what, details = _said(row, names)
        return cls(row.seq, local_time(row.at), names.person(row.actor), escaped(row.action),
                   what, _about(row, names), details)

    @property
    def cells(self) -> tuple[str, ...]:
        """The line's parts in the order of :data:`HEADINGS`."""
        return (str(self.seq), self.at, self.actor, self.what, self.subject, self.details)

    @property
    def csv_cells(self) -> tuple[str, ...]:
        """The line's parts in the order of :data:`CSV_HEADINGS`."""
        return (*self.cells, self.code)


def filter_words(asked: dict[str, str], names: AuditNames) -> str:
    """'from 01/05/2026, by Dr Priya Patel, act Pictures exported': what a search asked for."""
    return ", ".join(f"{_key(key)} {_named(key, value, names)}" for key, value in asked.items())


def details_in_words(detail: str, names: AuditNames) -> str:
    """'patient: NGUYEN, Mai (record 900001); pictures: 4, 5' for the stored JSON details."""
    values = _stored(detail)
    return escaped(detail) if values is None else _listed(values, names)


def _at_the_time(row: AuditRow, names: AuditNames) -> AuditNames:
    """Names as they stood when the row was written; a move is about the picture it moved away."""
    values = _stored(row.detail) or {}
    moved_from = values.get("from_patient_id") if values.get("what") == "patient" else None
    return names.when(row.at, moved_from=moved_from if isinstance(moved_from, int) else None)


def _about(row: AuditRow, names: AuditNames) -> str:
    """What the row is about, named.

    A user's login, in an act on a user or a login, is the person; a file
    whose details name the picture it became (an original deleted from its
    card once safe) is that picture, the file being in the sentence.
    """
    if row.action.startswith(_ABOUT_A_USER) and names.is_user(row.subject):
        return names.person(row.subject)
    picture = (_stored(row.detail) or {}).get("image")
    if isinstance(picture, int) and not isinstance(picture, bool):
        return names.picture(picture)
    return names.subject(_subject(row))


def _subject(row: AuditRow) -> str:
    """The row's subject; a look at a picture was once stored as its bare number ("3")."""
    if row.action == "image.viewed" and row.subject.isdigit():
        return f"image {row.subject}"
    return row.subject


def _said(row: AuditRow, names: AuditNames) -> tuple[str, str]:
    """The act as a sentence, and the details the sentence does not already say."""
    values = _stored(row.detail)
    act = ACTS.get(row.action)
    if act is None:
        return escaped(act_name(row.action)), details_in_words(row.detail, names)
    what = fill(act.sentence, _words(row, values or {}, names))
    if values is None:
        return what, escaped(row.detail)
    used = {key for field in fields(act.sentence) for key in (field, *_READS.get(field, ()))}
    return what, _listed({k: v for k, v in values.items() if k not in used}, names)


def _stored(detail: str) -> dict | None:
    """The stored details as a mapping, or None when they are not one."""
    try:
        values = json.loads(detail) if detail else {}
    except ValueError:
        return None
    return values if isinstance(values, dict) else None


def _listed(values: dict, names: AuditNames) -> str:
    """'body site: ankle; side: left': each detail a person can use, none left blank."""
    return "; ".join(f"{_key(key)}: {_named(key, value, names)}"
                     for key, value in values.items()
                     if key not in _MACHINE_KEYS and value not in (None, ""))


def _words(row: AuditRow, values: dict, names: AuditNames) -> dict[str, str | None]:
    """Every detail of a row in the words its sentence reads, None where it says nothing.

    Beside the details, ``subject`` is the row's subject as stored, ``person``
    the user it names by their full name and, where the subject names one,
    ``picture``, ``patient`` or ``consent`` in words.
    """
    words: dict[str, str | None] = {key: _sentence_word(key, value, names)
                                    for key, value in values.items()}
    words["subject"] = escaped(pictures_said(row.subject)) if row.subject else None
    words.setdefault("person", names.person(row.subject) if row.subject else None)
    kind, _, number = row.subject.rpartition(" ")
    if number.isdigit():
        if kind in ("image", ""):
            words.setdefault("picture", f"picture {number}")
        elif kind == "patient":
            words.setdefault("patient", names.patient(int(number)))
        elif kind == "consent":
            words.setdefault("consent", f"consent {number}")
    if row.action == "use.refused":
        words.setdefault("asked", _ASKED_NOT_RECORDED)
    for field, keys in _READS.items():
        for key in keys:
            if key in values:
                words[field] = words[key]
    return words


def _sentence_word(key: str, value: object, names: AuditNames) -> str | None:
    """One detail as its sentence reads it; ``true`` fills its place with nothing."""
    if value is None or value is False or value in ("", [], {}):
        return None
    if value is True:
        return ""
    if key in _VOCABULARY and isinstance(value, str):
        return _label(_VOCABULARY[key], value)
    if key == "purposes" and isinstance(value, list):
        return "for " + " and ".join(_label(Purpose, str(p)) for p in value)
    if key in ("recipient", "recipients"):
        listed = value if isinstance(value, list) else [value]
        return " and ".join(escaped(recipient_words(str(r))) for r in listed)
    if key == "images" and isinstance(value, list):
        numbers = ", ".join(_value(v) for v in value)
        return f"picture {numbers}" if len(value) == 1 else f"pictures {numbers}"
    if key in _COUNTED and isinstance(value, int) and not isinstance(value, bool):
        return counted(value, *_COUNTED[key])
    if key == "rows" and isinstance(value, list) and value:
        first, last = value[0], value[-1]
        return f"entry {first}" if first == last else f"entries {first} to {last}"
    if key in _READS["picture"] and isinstance(value, int) and not isinstance(value, bool):
        return f"picture {value}"
    if key == "consent_id":
        return f"consent {_value(value)}"
    if key == "asked" and isinstance(value, list):
        return _asked(value)
    if key == "body_site" and isinstance(value, str):
        return _site(value)
    if key == "what" and isinstance(value, str):
        return escaped(value.replace("-", " "))
    return _named(key, value, names)


def _asked(image_ids: list) -> str:
    """Which pictures the refused use asked for, the refused one among them."""
    if len(image_ids) == 1:
        return "the only picture asked for"
    return f"one of pictures {', '.join(_value(i) for i in image_ids)} asked for together"


def _site(word: str) -> str:
    """'left knee (lateral)' for ``left-knee: lateral``; a site stored without its side as is."""
    try:
        return escaped(BodySite.parse(word).label)
    except BodySiteError:
        return escaped(word.replace("-", " "))


def _label(vocabulary: type, word: str) -> str:
    try:
        return vocabulary(word).label
    except ValueError:
        return escaped(word)


def _key(key: str) -> str:
    """'moved from' for ``from_patient_id``: a stored key as a person says it."""
    return _KEY_WORDS.get(key) or escaped(key.removesuffix("_id").replace("_", " "))


def _named(key: str, value: object, names: AuditNames) -> str:
    """One detail in words, in the Details column as in a sentence."""
    if key == "consents" and isinstance(value, list):
        return _consents(value)
    if isinstance(value, str) and (key.endswith("_at") or key in _MOMENTS):
        return local_time(value)
    if key in _PEOPLE and isinstance(value, str):
        return names.person(value)
    if key == "action" and isinstance(value, str):
        return escaped(act_name(value))
    if key == "format" and isinstance(value, str):
        return escaped(value.upper())
    if key == "source_kind" and isinstance(value, str):
        return _SOURCE_KINDS.get(value) or escaped(value.replace("_", " "))
    if key == "changed" and isinstance(value, list):
        return escaped(", ".join(str(v).replace("_", " ") for v in value))
    if key == "export_entry":
        return f"entry {_value(value)}"
    if key in _USES and isinstance(value, list):
        return f"{len(value)}" if value else "none"
    if key in _SIZES and isinstance(value, int):
        return _size(value)
    if key in _SAID_WITH_PICTURES and isinstance(value, str):
        return escaped(pictures_said(value))
    if isinstance(value, int) and not isinstance(value, bool):
        if key.endswith("patient_id"):
            return names.patient(value)
        if key in ("image_id", "image"):
            return names.picture(value)
    return _value(value)


def _size(size: int) -> str:
    """'2.5 MB', '30 KB', '44 bytes': a file's size as a person reads it."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:,.1f} MB"
    return f"{size / 1000:.0f} KB" if size >= 1000 else f"{size} bytes"


def _consents(consent_ids: list) -> str:
    """'consent 4, none needed': the consent each picture was used on, once each.

    A use the rules allow without a written consent (the treating team's
    clinical care) is stored with no consent.
    """
    said = ("none needed" if c is None else f"consent {_value(c)}" for c in consent_ids)
    return ", ".join(dict.fromkeys(said)) or "none"


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict) and value.keys() == {"from", "to"}:
        return f"from {_value(value['from'])} to {_value(value['to'])}"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{_key(k)} {_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escaped(value)
