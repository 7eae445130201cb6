"""Verbs for filing, consent, the consent check, corrections and retention.

The words on the command line are those of ``clinfile.app.consent.vocabulary``:
kinds ``clinical-photo document patient-sent colleague-internal
colleague-external``; purposes ``clinical-care education research
publication``; methods ``verbal written implied not-required``; recipients a
class word or any other text as a name.
"""

from __future__ import annotations

import argparse
from datetime import date

from clinfile.app import clock
from clinfile.app.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_REFUSED,
    Console,
    UsageError,
    add_json_argument,
    add_login_arguments,
    recipient_word,
    vocabulary_word,
    with_session,
)
from clinfile.app.consent.model import Consent, DecisionMaker, Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService, WithdrawalResult
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, RecipientClass, words
from clinfile.app.filing.body_sites import BodySite, BodySiteError
from clinfile.app.filing.deletion_list import due_for_deletion
from clinfile.app.filing.model import Correction, FiledImage, FilingRequest
from clinfile.app.filing.retention import RetentionService
from clinfile.app.filing.service import REASON_LIMIT, FilingService, find_patient
from clinfile.app.record.service import patient_names
from clinfile.app.record.withdrawal import NOT_KNOWN_HEADING, SENT_HEADING, withdraw_and_say
from clinfile.app.security.session import Session
from clinfile.app.uses.gate import check_use
from clinfile.db.consents import UseRow
from clinfile.db.record import RecordQueries

TOLD_WORDS = {"why": "why", "how-used": "how_used", "who-sees": "who_sees"}
#: The columns of ``retention due``, as the window's Retention tab heads its own.
RETENTION_HEADINGS = ("Picture", "Patient", "Body site", "Taken", "Kept until")


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``file``, ``consent add|show|withdraw``, ``check``, ``correct``, ``retention``."""
    _register_file(verbs)
    _register_consent(verbs)
    _register_check(verbs)
    _register_correct(verbs)
    _register_retention(verbs)


# --- file ---------------------------------------------------------------------------

def _register_file(verbs: argparse._SubParsersAction) -> None:
    file = verbs.add_parser("file", help="file inbox items to a patient as one episode")
    add_login_arguments(file)
    file.add_argument("items", nargs="+", type=int, metavar="ITEM", help="inbox item ids")
    file.add_argument("--patient", required=True,
                      help="the patient's id (from patients search) or record number")
    file.add_argument("--kind", required=True, help=f"one of: {words(ImageKind)}")
    file.add_argument("--body-site", required=True,
                      help="e.g. left-ankle, or 'left-ankle: lateral malleolus'; "
                           "'none' for a document")
    file.add_argument("--description", default="")
    file.add_argument("--consent", help="the consent's id or printed code (clinical photos)")
    file.add_argument("--clinical-purpose", default="", help="why the image was taken")
    file.add_argument("--taken-by", default="", help="who took it (default: worked out)")
    file.add_argument("--taken-at", help="when it was taken (default: the camera's time)")
    file.add_argument("--secondary", action="store_true",
                      help="a photo of an x-ray, a screen or another record")
    file.add_argument("--sent-for", default=str(Purpose.CLINICAL_CARE),
                      help="what the patient sent it for (patient-sent images)")
    file.add_argument("--colleague", default="", help="the colleague who sent it")
    file.add_argument("--note", default="", help="note of the discussion with an outside "
                                                 "colleague")
    file.add_argument("--episode", default="", help="what the episode is (one wound, one visit)")
    add_json_argument(file)
    file.set_defaults(handler=_file)


def _file(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        patient_id = _patient_id(session, args.patient)
        episode = FilingService(session).file(FilingRequest(
            image_ids=tuple(args.items), patient_id=patient_id,
            kind=vocabulary_word(ImageKind, args.kind, "kind"),
            body_site=_body_site(args.body_site),
            description=args.description, clinical_purpose=args.clinical_purpose,
            taken_by=args.taken_by, taken_at=args.taken_at, secondary=args.secondary,
            consent=args.consent, sent_for=vocabulary_word(Purpose, args.sent_for, "purpose"),
            colleague=args.colleague, discussion_note=args.note,
            episode_description=args.episode))
        retention = RetentionService(session)
        kept = {i.image_id: retention.of(i.image_id).keep_until for i in episode.images}
        if args.json:
            console.emit_json({"episode_id": episode.episode_id, "patient_id": patient_id,
                               "images": [{**_image_json(i), "keep_until": kept[i.image_id]}
                                          for i in episode.images]})
        else:
            named = _patients_named(session, [patient_id])[patient_id]
            for image in episode.images:
                console.say(f"Filed picture {image.image_id} to {named}: "
                            f"{image.kind.label}, {image.body_site.label} "
                            f"({image.consent_basis.label}); kept until "
                            f"{kept[image.image_id]:%d/%m/%Y}.")
        return EXIT_OK

    return with_session(args, console, act)


# --- consent ----------------------------------------------------------------------

def _register_consent(verbs: argparse._SubParsersAction) -> None:
    consent = verbs.add_parser("consent", help="record, show and withdraw patients' consents")
    actions = consent.add_subparsers(dest="consent_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="record a consent the patient gave")
    add_login_arguments(add)
    add.add_argument("--patient", required=True, help="the patient's id or record number")
    add.add_argument("--purposes", required=True, help=f"comma-separated: {words(Purpose)}")
    add.add_argument("--method", required=True, help=f"one of: {words(Method)}")
    add.add_argument("--recipients", required=True,
                     help=f"comma-separated: {words(RecipientClass)}, or names")
    add.add_argument("--told", default="",
                     help="what the patient was told, comma-separated: why, how-used, who-sees "
                          "(or 'all')")
    add.add_argument("--obtained-by", help="who obtained it (default: you)")
    add.add_argument("--obtained-on", type=_date, help="date obtained, YYYY-MM-DD "
                                                       "(default: today)")
    add.add_argument("--decided-by", default="",
                     help="the substitute decision maker's name, if not the patient")
    add.add_argument("--relationship", default="", help="how they are related to the patient")
    add.add_argument("--interpreter", default="", help="interpreter used (name or service)")
    add.add_argument("--expires", type=_date, help="last day the consent holds, YYYY-MM-DD")
    add.add_argument("--images", default="", help="comma-separated image ids it is limited to "
                                                  "(default: all the patient's images)")
    add.add_argument("--note", default="")
    add_json_argument(add)
    add.set_defaults(handler=_consent_add)

    show = actions.add_parser("show", help="show one consent, or all of a patient's")
    add_login_arguments(show)
    show.add_argument("consent", nargs="?", help="the consent's id or printed code")
    show.add_argument("--patient", help="show every consent of this patient")
    add_json_argument(show)
    show.set_defaults(handler=_consent_show)

    withdraw = actions.add_parser("withdraw", help="record that the patient withdrew consent")
    add_login_arguments(withdraw)
    withdraw.add_argument("consent", help="the consent's id or printed code")
    withdraw.add_argument("--purposes", default="",
                          help="comma-separated purposes withdrawn (default: all of them)")
    withdraw.add_argument("--reason", default="")
    add_json_argument(withdraw)
    withdraw.set_defaults(handler=_consent_withdraw)


def _consent_add(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        consent = ConsentService(session).record(ConsentRequest(
            patient_id=_patient_id(session, args.patient),
            method=vocabulary_word(Method, args.method, "method"),
            purposes=_purposes(args.purposes),
            recipients=tuple(recipient_word(r) for r in _split(args.recipients)),
            obtained_by=args.obtained_by or session.actor.name,
            obtained_on=args.obtained_on or clock.today(),
            decided_by=DecisionMaker(args.decided_by.strip(), args.relationship.strip()),
            disclosure=_disclosure(args.told), interpreter=args.interpreter,
            expires_on=args.expires, images=frozenset(_ids(args.images)), note=args.note))
        if args.json:
            console.emit_json(_consent_json(consent))
        else:
            console.say(f"Recorded consent {consent.code} (id {consent.id}).")
            if consent.awaiting_signature:
                console.say("It counts once the signed form is attached.")
        return EXIT_OK

    return with_session(args, console, act)


def _consent_show(args: argparse.Namespace, console: Console) -> int:
    if bool(args.consent) == bool(args.patient):
        raise UsageError("give either a consent's id or code, or --patient")

    def act(session: Session) -> int:
        service = ConsentService(session)
        if args.consent:
            consents = [service.find(args.consent)]
        else:
            consents = service.for_patient(_patient_id(session, args.patient))
        if args.json:
            console.emit_json([_consent_json(c) for c in consents])
            return EXIT_OK
        if not consents:
            console.say("No consent recorded.")
        named = _patients_named(session, {consent.patient_id for consent in consents})
        for consent in consents:
            for line in _consent_lines(consent, named[consent.patient_id]):
                console.say(line)
        return EXIT_OK

    return with_session(args, console, act)


def _consent_withdraw(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        purposes = _purposes(args.purposes)
        said = withdraw_and_say(session, args.consent, purposes or None, reason=args.reason)
        if args.json:
            console.emit_json(_withdrawal_json(said.result))
            return EXIT_OK
        console.say(f"Consent {said.result.consent.code} withdrawn for {said.purposes_words}; "
                    f"no further use for these purposes will be allowed. {said.follow_up}")
        _say_uses(console, SENT_HEADING, said.sent_numbered)
        _say_uses(console, NOT_KNOWN_HEADING, said.not_known_numbered)
        return EXIT_OK

    return with_session(args, console, act)


# --- check ------------------------------------------------------------------------

def _register_check(verbs: argparse._SubParsersAction) -> None:
    check = verbs.add_parser("check", help="may an image be used for a purpose and recipient? "
                                           "(exit 0 allowed, 3 refused)")
    add_login_arguments(check)
    check.add_argument("image", type=int)
    check.add_argument("--purpose", required=True, help=f"one of: {words(Purpose)}")
    check.add_argument("--recipient", required=True,
                       help=f"one of: {words(RecipientClass)}, or a name")
    check.add_argument("--deidentified", action="store_true",
                       help="identifiers will be removed (consent is still needed)")
    add_json_argument(check)
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        decision = check_use(session, args.image, vocabulary_word(Purpose, args.purpose, "purpose"),
                             recipient_word(args.recipient), deidentified=args.deidentified)
        if args.json:
            console.emit_json({"image_id": args.image, "allowed": decision.allowed,
                               "reason": decision.reason,
                               "remedy": getattr(decision, "remedy", ""),
                               "consent_id": getattr(decision, "consent_id", None),
                               "cautions": list(decision.cautions)})
        else:
            console.say(f"{'allowed' if decision.allowed else 'refused'}: {decision.reason}")
            if not decision.allowed:
                console.say(f"To allow it: {decision.remedy}.")
            for caution in decision.cautions:
                console.say(f"Note: {caution}")
        return EXIT_OK if decision.allowed else EXIT_REFUSED

    return with_session(args, console, act)


# --- correct ------------------------------------------------------------------------

def _register_correct(verbs: argparse._SubParsersAction) -> None:
    correct = verbs.add_parser("correct", help="correct a filing: move pictures to the right "
                                               "patient, or fix their body site")
    add_login_arguments(correct)
    correct.add_argument("images", nargs="+", type=int, metavar="IMAGE",
                         help="the pictures to correct, all seen in one record; every one is "
                              "corrected, or none is")
    target = correct.add_mutually_exclusive_group(required=True)
    target.add_argument("--patient", help="the right patient's id or record number")
    target.add_argument("--body-site", help="the right body site, e.g. right-ankle")
    correct.add_argument("--from", dest="filed_to", required=True, metavar="PATIENT",
                         help="the id or record number of the patient whose record you saw the "
                              "pictures in; required so that a picture someone else moved "
                              "meanwhile is refused, not corrected away from a patient you "
                              "never saw")
    correct.add_argument("--reason", required=True,
                         help=f"why (kept in both records; at most {REASON_LIMIT} characters)")
    add_json_argument(correct)
    correct.set_defaults(handler=_correct)


def _correct(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        filed_to = _patient_id(session, args.filed_to)
        if args.patient:
            correction = Correction(args.reason, to_patient=_patient_id(session, args.patient))
        else:
            correction = Correction(args.reason, body_site=_body_site(args.body_site))
        done = FilingService(session).correct(args.images, correction, filed_to=filed_to)
        images = [picture.after for picture in done]
        if args.json:
            # One picture is an object, as it always was; several are a list.
            shown = [_image_json(image) for image in images]
            console.emit_json(shown[0] if len(shown) == 1 else shown)
            return EXIT_OK
        named = _patients_named(session, {image.patient_id for image in images})
        for image in images:
            console.say(f"Picture {image.image_id} is now in the record of "
                        f"{named[image.patient_id]}, {image.body_site.label}.")
        return EXIT_OK

    return with_session(args, console, act)


# --- retention ----------------------------------------------------------------------

def _register_retention(verbs: argparse._SubParsersAction) -> None:
    retention = verbs.add_parser("retention", help="list and delete images past their "
                                                   "retention date (admins)")
    actions = retention.add_subparsers(dest="retention_action", metavar="ACTION", required=True)
    due = actions.add_parser("due", help="list images whose retention period has ended")
    add_login_arguments(due)
    add_json_argument(due)
    due.set_defaults(handler=_retention_due)
    delete = actions.add_parser(
        "delete", help="delete images whose retention period has ended; those already deleted "
                       "are named and passed over, and the exit code is 1 if every one was")
    add_login_arguments(delete)
    delete.add_argument("images", nargs="+", type=int, metavar="IMAGE")
    delete.add_argument("--reason", required=True)
    delete.set_defaults(handler=_retention_delete)


def _retention_due(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        if args.json:
            console.emit_json([{"image_id": r.image_id, "patient_id": r.patient_id,
                                "last_entry": r.last_entry, "keep_until": r.keep_until}
                               for r in RetentionService(session).due()])
            return EXIT_OK
        due = due_for_deletion(session)
        if not due:
            console.say("Nothing is due for deletion.")
            return EXIT_OK
        for line in _columns([RETENTION_HEADINGS, *(
                (str(d.image_id), d.patient, d.site, d.taken, f"{d.keep_until:%d/%m/%Y}")
                for d in due)]):
            console.say(line)
        return EXIT_OK

    return with_session(args, console, act)


def _retention_delete(args: argparse.Namespace, console: Console) -> int:
    def act(session: Session) -> int:
        deletion = RetentionService(session).delete(args.images, args.reason)
        console.say(deletion.words())
        return EXIT_OK if deletion.deleted else EXIT_PROBLEMS

    return with_session(args, console, act)


# --- shared ---------------------------------------------------------------------------


def _patients_named(session: Session, patient_ids: set[int] | list[int]) -> dict[int, str]:
    """'SMITH, John (record MRN1003)' for each patient, as refusals and the window name them."""
    with session.vault.index() as conn:
        return patient_names(RecordQueries(conn), patient_ids)


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as lines whose columns line up, the first column's numbers to the right."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return ["  ".join([row[0].rjust(widths[0]),
                       *(cell.ljust(width) for cell, width in zip(row[1:], widths[1:],
                                                                  strict=True))]).rstrip()
            for row in rows]


def _patient_id(session: Session, reference: str) -> int:
    session.ensure_unlocked()
    with session.vault.index() as conn:
        return find_patient(conn, reference).id


def _purposes(text: str) -> frozenset[Purpose]:
    return frozenset(vocabulary_word(Purpose, p, "purpose") for p in _split(text))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in _split(text)]
    except ValueError:
        raise UsageError(f"'{text}' is not a list of image ids such as 3,4") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-22") from None


def _body_site(text: str) -> BodySite:
    try:
        return BodySite.parse(text)
    except BodySiteError as exc:
        raise UsageError(str(exc)) from None


def _disclosure(text: str) -> Disclosure:
    told = _split(text)
    if told == ["all"]:
        return Disclosure(True, True, True)
    unknown = [t for t in told if t not in TOLD_WORDS]
    if unknown:
        raise UsageError(f"'{unknown[0]}' is not one of why, how-used, who-sees, all")
    return Disclosure(**{TOLD_WORDS[t]: True for t in told})


def _image_json(image: FiledImage) -> dict:
    return {"image_id": image.image_id, "patient_id": image.patient_id,
            "episode_id": image.episode_id, "kind": str(image.kind),
            "body_site": image.body_site.word, "description": image.description,
            "secondary": image.secondary, "consent_basis": str(image.consent_basis),
            "consent_id": image.consent_id, "taken_by": image.taken_by,
            "taken_at": image.taken_at, "filed_by": image.filed_by, "filed_at": image.filed_at,
            "corrections": len(image.corrections)}


def _consent_json(consent: Consent) -> dict:
    return {
        "id": consent.id, "code": consent.code, "patient_id": consent.patient_id,
        "method": str(consent.method), "purposes": sorted(str(p) for p in consent.purposes),
        "recipients": [r.word for r in consent.recipients],
        "images": sorted(consent.images), "obtained_by": consent.obtained_by,
        "obtained_on": consent.obtained_on, "decided_by": consent.decided_by.name,
        "relationship": consent.decided_by.relationship, "interpreter": consent.interpreter,
        "told": {"why": consent.disclosure.why, "how_used": consent.disclosure.how_used,
                 "who_sees": consent.disclosure.who_sees},
        "expires_on": consent.expires_on, "signed_form_blob": consent.signed_form_blob,
        "awaiting_signature": consent.awaiting_signature, "note": consent.note,
        "withdrawn": [{"purposes": sorted(str(p) for p in w.purposes),
                       "on": w.withdrawn_on, "reason": w.reason} for w in consent.withdrawals],
    }


def _say_uses(console: Console, heading: str, lines: tuple[str, ...]) -> None:
    """The heading, then one use a line; nothing when there is no use to list."""
    if lines:
        console.say(heading)
    for line in lines:
        console.say(f"  {line}")


def _withdrawal_json(result: WithdrawalResult) -> dict:
    return {"consent": _consent_json(result.consent),
            "withdrawn": sorted(str(p) for p in result.purposes),
            "uses_already_made": [_use_json(u) for u in result.uses_already_made],
            "uses_not_known_sent": [_use_json(u) for u in result.uses_not_known_sent]}


def _use_json(use: UseRow) -> dict:
    return {"image_id": use.image_id, "purpose": use.purpose, "recipient": use.recipient,
            "channel": use.channel, "used_by": use.used_by, "used_at": use.used_at}


def _consent_lines(consent: Consent, patient: str) -> list[str]:
    who = ("the patient" if consent.decided_by.is_patient else
           f"{consent.decided_by.name} ({consent.decided_by.relationship})")
    lines = [
        f"Consent {consent.code} (id {consent.id}), {patient}",
        f"  given by {who}, {consent.method.label}, obtained by {consent.obtained_by} on "
        f"{consent.obtained_on:%d/%m/%Y}",
        f"  for: {', '.join(sorted(p.label for p in consent.purposes))}",
        f"  may be seen by: {', '.join(r.label for r in consent.recipients)}",
        f"  pictures: {', '.join(map(str, sorted(consent.images))) or 'all of the patient’s'}",
    ]
    if consent.interpreter:
        lines.append(f"  interpreter: {consent.interpreter}")
    if consent.expires_on:
        lines.append(f"  holds until {consent.expires_on:%d/%m/%Y}")
    if consent.awaiting_signature:
        lines.append("  waiting for the signed form")
    for w in consent.withdrawals:
        lines.append(f"  withdrawn for {', '.join(sorted(p.label for p in w.purposes))} on "
                     f"{w.withdrawn_on:%d/%m/%Y}" + (f": {w.reason}" if w.reason else ""))
    return lines
