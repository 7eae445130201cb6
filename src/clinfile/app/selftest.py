"""``clinfile selftest``: a picture's whole way through Clinfile, on a vault made for the purpose.

After an install, or when a practice suspects the computer, this shows in a
minute that every part Clinfile carries works here: the encrypted index, the
decoders, filing with consent, the PDF writer and the checks. It makes a
vault in a temporary folder, takes in the sample picture shipped with
Clinfile (an invented patient's, drawn for the purpose), files it, prints its
summary, verifies the vault and removes the folder whatever happened. The
picture, its summary and the vault never leave that folder, which is removed
even when a step fails.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from clinfile.app import clock
from clinfile.app.consent.model import Disclosure
from clinfile.app.consent.service import ConsentRequest, ConsentService
from clinfile.app.consent.vocabulary import ImageKind, Method, Purpose, Recipient, RecipientClass
from clinfile.app.custody import held_folders
from clinfile.app.filing.body_sites import BodySite
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.service import FilingService
from clinfile.app.ingest import events as ev
from clinfile.app.ingest.service import ImportService
from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.service import PatientService
from clinfile.app.reports.service import ReportService, Selection
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserService
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import verify_vault

log = logging.getLogger("clinfile.selftest")
SAMPLE_PICTURE = "sample-picture.jpg"
ADMIN, CLINICIAN = "selftest-admin", "selftest-clinician"
#: A self-test's folder is named with this, and holds the mark, locked while the test runs.
FOLDER_PREFIX, MARK = "clinfile-selftest-", ".clinfile-selftest"
SAMPLE_PATIENT = PatientDetails(family_name="Sample", given_names="Testing",
                                birth_date=date(1970, 1, 1), record_number="SELFTEST-1")


class StepFailed(Exception):
    """A step found something wrong; ``str()`` says what, in plain words."""


@dataclass
class _Workbench:
    """The temporary folder and what the steps have made in it so far."""

    folder: Path | None = None
    mark: int | None = None
    passwords: dict[str, str] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    clinician: Session | None = None
    item_id: int = 0
    patient_id: int = 0
    consent_code: str = ""

    @property
    def vault(self) -> Path:
        return self.folder / "vault"

    def login(self, user: str) -> Session:
        session = Session.login(self.vault, user, self.passwords[user])
        self.sessions.append(session)
        return session

    def lock_all(self) -> None:
        """Lock every session; a vault that cannot even record its lock is removed anyway."""
        for session in self.sessions:
            with contextlib.suppress(Exception):
                session.lock(reason="self-test finished")


@dataclass(frozen=True)
class Step:
    """One thing the self-test does, named as the person reading its report would name it."""

    words: str
    act: Callable[[_Workbench], str]


def run_selftest(say: Callable[[str, str], None]) -> bool:
    """Run every step, telling ``say(status, words)`` of each; return whether all held.

    ``status`` is ``"OK"`` or ``"Problem"``. The first failed step ends the
    run; the temporary folder is removed either way, and its removal is a
    step of its own.
    """
    for folder in remove_leftovers():
        say("OK", f"Removed a self-test folder an earlier run stopped dead left behind: {folder}")
    bench = _Workbench()
    try:
        passed = _run_steps(bench, say)
    finally:
        bench.lock_all()
        if bench.folder is not None:
            shutil.rmtree(bench.folder, ignore_errors=True)
        if bench.mark is not None:
            held_folders.release(bench.mark)
    if bench.folder is None:
        return passed
    if bench.folder.exists():
        say("Problem", f"Remove the temporary folder: {bench.folder} is still there")
        return False
    say("OK", "Removed the temporary folder and everything in it")
    return passed


def remove_leftovers() -> list[Path]:
    """Remove the folders of earlier self-tests that were stopped dead, and return them.

    Only folders directly in the temporary folder, named and marked as a
    self-test makes them, that no running self-test holds (see
    :mod:`clinfile.app.custody.held_folders`).
    """
    return held_folders.remove_left_behind(Path(tempfile.gettempdir()), f"{FOLDER_PREFIX}*",
                                           MARK)


def _run_steps(bench: _Workbench, say: Callable[[str, str], None]) -> bool:
    for step in STEPS:
        try:
            detail = step.act(bench)
        except Exception as exc:  # noqa: BLE001 - any failure is the step's answer, in words
            log.exception("self-test step failed: %s", step.words)
            say("Problem", f"{step.words}: {str(exc) or type(exc).__name__}")
            return False
        say("OK", f"{step.words}{f' ({detail})' if detail else ''}")
    return True


def _make_vault(bench: _Workbench) -> str:
    bench.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    bench.mark = held_folders.hold(bench.folder, MARK)
    bench.passwords = {user: secrets.token_urlsafe(24) for user in (ADMIN, CLINICIAN)}
    created = Vault.create(bench.vault, ADMIN, bench.passwords[ADMIN])
    created.vault.lock()
    admin = bench.login(ADMIN)
    UserService(admin).add(CLINICIAN, "clinician", bench.passwords[CLINICIAN])
    bench.clinician = bench.login(CLINICIAN)
    return str(bench.folder)


def _take_in_the_sample(bench: _Workbench) -> str:
    drop = bench.folder / "drop"
    drop.mkdir()
    copy = drop / SAMPLE_PICTURE
    copy.write_bytes(resources.files("clinfile.resources").joinpath(SAMPLE_PICTURE).read_bytes())
    for event in ImportService(bench.clinician).import_paths([copy]):
        if isinstance(event, ev.Imported):
            bench.item_id = event.item_id
        elif isinstance(event, ev.Quarantined):
            raise StepFailed(f"the sample picture was refused: {event.reason}")
    if not bench.item_id:
        raise StepFailed("the sample picture did not reach the inbox")
    if copy.exists():
        raise StepFailed("the sample picture was not removed from the drop folder")
    return f"inbox item {bench.item_id}"


def _add_the_patient(bench: _Workbench) -> str:
    saved = PatientService(bench.clinician).add(SAMPLE_PATIENT)
    bench.patient_id = saved.patient.id
    return f"{SAMPLE_PATIENT.given_names} {SAMPLE_PATIENT.family_name}, an invented patient"


def _record_consent(bench: _Workbench) -> str:
    consent = ConsentService(bench.clinician).record(ConsentRequest(
        patient_id=bench.patient_id, method=Method.VERBAL,
        purposes=frozenset({Purpose.CLINICAL_CARE}),
        recipients=(Recipient(group=RecipientClass.TREATING_TEAM),),
        obtained_by=bench.clinician.actor.name, obtained_on=clock.today(),
        disclosure=Disclosure(True, True, True)))
    bench.consent_code = consent.code
    return f"consent {consent.code}"


def _file_the_picture(bench: _Workbench) -> str:
    episode = FilingService(bench.clinician).file(FilingRequest(
        image_ids=(bench.item_id,), patient_id=bench.patient_id, kind=ImageKind.CLINICAL_PHOTO,
        body_site=BodySite.parse("left-lower-leg: above the ankle"),
        description="sample wound", consent=bench.consent_code,
        episode_description="self-test"))
    return f"episode {episode.episode_id}"


def _print_the_summary(bench: _Workbench) -> str:
    outbox = bench.folder / "outbox"
    outbox.mkdir()
    written = ReportService(bench.clinician).summary(Selection(patient=bench.patient_id),
                                                        out=outbox)
    pdfs = [p for p in written.paths if p.read_bytes().startswith(b"%PDF")]
    if not pdfs:
        raise StepFailed("no PDF was written")
    return f"{sum(p.stat().st_size for p in pdfs) // 1024} KB"


def _verify(bench: _Workbench) -> str:
    report = verify_vault(bench.login(ADMIN).vault)
    if not report.ok:
        raise StepFailed("; ".join(report.problems))
    return f"{len(report.checked)} checks, no problems"


STEPS = (
    Step("Make a vault in a temporary folder", _make_vault),
    Step("Take the sample picture into the vault", _take_in_the_sample),
    Step("Add a patient to the patient list", _add_the_patient),
    Step("Record the patient's consent for their care", _record_consent),
    Step("File the picture to the patient", _file_the_picture),
    Step("Make the summary PDF for the record", _print_the_summary),
    Step("Check the vault", _verify),
)
