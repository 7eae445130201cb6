"""Describing the selected pictures before they are filed: what, where, why, by whom.

The words come from the app: image kinds from the consent vocabulary, body
sites from the controlled list (a side is asked for only where the body has
two). The panel holds what the person typed for the pictures they typed it
for, through a lock and unlock; it is cleared when those pictures are filed
or when other pictures are selected.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from clinfile.app.consent.vocabulary import ImageKind
from clinfile.app.filing.body_sites import BODY_SITES, PAIRED_SITES, SIDES, BodySite
from clinfile.app.filing.choice import chosen_for_all
from clinfile.app.filing.model import FilingRequest
from clinfile.app.filing.words import came_from_words
from clinfile.app.ingest.events import SourceKind
from clinfile.ui.look import keep_room, named, note

COLLEAGUE_KINDS = (ImageKind.COLLEAGUE_INTERNAL, ImageKind.COLLEAGUE_EXTERNAL)
KIND_BY_SOURCE = {"drop_folder": ImageKind.PATIENT_SENT, "device": ImageKind.CLINICAL_PHOTO}


def _site_label(site: str) -> str:
    return site.replace("-", " ")


def _mark(widget: QWidget, problem: bool) -> None:
    """Show a field as the one to correct (the stylesheet draws it), or as fine again."""
    if bool(widget.property("problem")) == problem:
        return
    widget.setProperty("problem", problem)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ClassifyPanel(QGroupBox):
    """The form that says what the selected pictures are.

    Signals:
        kind_changed(object): the image kind chosen, which decides the consent needed.
    """

    kind_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Describe the pictures", parent)
        named(self, "Describe the pictures")
        self.kind = named(QComboBox(), "What the pictures are")
        for kind in ImageKind:
            self.kind.addItem(kind.label.capitalize(), kind)
        self.site = named(QComboBox(), "Body site")
        self.site.addItem("No body site (a document)", "")
        for site in sorted(BODY_SITES):
            self.site.addItem(_site_label(site).capitalize(), site)
        self.side = named(QComboBox(), "Side of the body")
        for side in SIDES:
            self.side.addItem("both sides" if side == "both" else side, side)
        self.side.setCurrentIndex(-1)
        self.side.setPlaceholderText("which side?")
        self.detail = named(QLineEdit(), "Body site detail")
        self.detail.setPlaceholderText("more detail, e.g. outer ankle bone")
        self.description = named(QLineEdit(), "Description")
        self.description.setPlaceholderText("what it shows, e.g. itchy rash, day 3")
        self.purpose = named(QLineEdit(), "Clinical purpose")
        self.purpose.setPlaceholderText("why it was taken, e.g. to watch healing")
        self.secondary = named(QCheckBox("Secondary image: a photo of an x-ray, a screen or "
                                         "another record"), "Secondary image")
        self.taken_by = named(QLineEdit(), "Taken by")
        self.taken_by.setPlaceholderText("the patient, for a picture they sent")
        self.other_time = named(QCheckBox("at another time:"), "Taken at another time",
                                "Tick when the camera's clock was wrong, and give the time")
        self.taken_at = named(QDateTimeEdit(QDateTime.currentDateTime()), "Taken on")
        self.taken_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.taken_at.setCalendarPopup(True)
        self.taken_at.setEnabled(False)
        self.colleague = named(QLineEdit(), "Colleague who sent it")
        self.colleague.setPlaceholderText("name and practice")
        self.discussion = named(QLineEdit(), "Note of the discussion")
        self.discussion.setPlaceholderText("what you discussed with them, or 'no discussion'")
        self.episode = named(QLineEdit(), "Episode")
        self.episode.setPlaceholderText("e.g. rash, left ankle")
        self.together = keep_room(note(""), 4)
        named(self.together, "Pictures filed together")

        where = QHBoxLayout()
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.site, 3)
        where.addWidget(self.side, 2)
        where.addWidget(self.detail, 4)
        when = QHBoxLayout()
        when.setContentsMargins(0, 0, 0, 0)
        when.addWidget(self.taken_by, 3)
        when.addWidget(self.other_time)
        when.addWidget(self.taken_at, 2)
        form = QFormLayout(self)
        form.addRow("&What it is", self.kind)
        form.addRow("Where", where)
        form.addRow("&Description", self.description)
        form.addRow("&Purpose", self.purpose)
        form.addRow("", self.secondary)
        form.addRow("Taken by", when)
        form.addRow("&Colleague", self.colleague)
        form.addRow("&Note of discussion", self.discussion)
        form.addRow("&Episode", self.episode)
        form.addRow("", self.together)
        self._form = form

        for combo in (self.site, self.side):
            combo.currentIndexChanged.connect(lambda _index, c=combo: _mark(c, False))
        for edit in (self.colleague, self.discussion):
            edit.textChanged.connect(lambda _text, e=edit: _mark(e, False))
        self._source_kind = ""
        self._described: frozenset[int] = frozenset()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.site.currentIndexChanged.connect(self._site_changed)
        self.other_time.toggled.connect(self.taken_at.setEnabled)
        self._kind_changed()
        self._site_changed()

    # --- what the person chose --------------------------------------------------------

    @property
    def chosen_kind(self) -> ImageKind:
        """The kind of picture chosen (Qt hands enum data back as plain text)."""
        return ImageKind(self.kind.currentData())

    def body_site(self) -> BodySite:
        """The body site as chosen (the filing service checks it)."""
        site = self.site.currentData()
        side = self.side.currentData() if site in PAIRED_SITES else ""
        return BodySite(site, side or "", self.detail.text().strip())

    def request(self, image_ids: tuple[int, ...], patient_id: int,
                consent: int | None) -> FilingRequest:
        """The filing request for these pictures, this patient and this consent."""
        kind = self.chosen_kind
        taken_at = None
        if self.other_time.isChecked():
            taken_at = self.taken_at.dateTime().toString("yyyy-MM-ddTHH:mm:ss")
        return FilingRequest(
            image_ids=image_ids, patient_id=patient_id, kind=kind, body_site=self.body_site(),
            description=self.description.text().strip(),
            clinical_purpose=self.purpose.text().strip(),
            taken_by=self.taken_by.text().strip(), taken_at=taken_at,
            secondary=self.secondary.isChecked(), consent=consent,
            colleague=self.colleague.text().strip() if kind in COLLEAGUE_KINDS else "",
            discussion_note=(self.discussion.text().strip()
                             if kind is ImageKind.COLLEAGUE_EXTERNAL else ""),
            episode_description=self.episode.text().strip() or self.description.text().strip())

    def summary(self) -> str:
        """A few words for the confirmation: 'sent by the patient, left ankle'."""
        return f"{self.chosen_kind.label}, {self.body_site().label}"

    # --- filling in -------------------------------------------------------------------

    def show_selection(self, ids: Sequence[int], source_kind: str) -> None:
        """Say how many pictures go together; suggest the kind from where they came from.

        What was typed stays while the selection keeps to the pictures it was
        typed for, and the kind is suggested only for other pictures, which
        start from an empty form: a choice the person made for these pictures
        is never changed under them, nor carried to pictures it was not made for.
        """
        other_pictures = not chosen_for_all(self._described, ids)
        if other_pictures:
            self.clear()
            self._described = frozenset(ids)
        count = len(ids)
        if count > 1:
            together = f"{count} pictures selected: they are filed together as one episode."
        else:
            together = ("Select several pictures (Ctrl or Shift and click) to file them "
                        "together as one episode.")
        came = f"Where from: {came_from_words(source_kind)}. " if source_kind else ""
        self.together.setText(came + together)
        self._source_kind = source_kind
        self._say_who_took_it()
        suggested = KIND_BY_SOURCE.get(source_kind)
        if suggested is not None and other_pictures:
            self.kind.setCurrentIndex(self.kind.findData(suggested))

    def point_to(self, field: str) -> None:
        """Mark the field the filing service asked to correct, and put the cursor in it.

        The mark goes as soon as the field is changed.
        """
        widget = {"site": self.site, "side": self.side, "colleague": self.colleague,
                  "discussion": self.discussion}.get(field)
        if widget is None:
            return
        _mark(widget, True)
        widget.setFocus()

    def clear(self) -> None:
        """Start afresh for the next pictures (after filing, or on other pictures)."""
        self._described = frozenset()
        self.kind.setCurrentIndex(0)
        for edit in (self.detail, self.description, self.purpose, self.taken_by,
                     self.colleague, self.discussion, self.episode):
            edit.clear()
        self.site.setCurrentIndex(0)
        self.side.setCurrentIndex(-1)
        self.secondary.setChecked(False)
        self.other_time.setChecked(False)
        for field in (self.site, self.side, self.colleague, self.discussion):
            _mark(field, False)

    def _kind_changed(self) -> None:
        kind = self.chosen_kind
        self._form.setRowVisible(self.colleague, kind in COLLEAGUE_KINDS)
        self._form.setRowVisible(self.discussion, kind is ImageKind.COLLEAGUE_EXTERNAL)
        self._say_who_took_it()
        self.kind_changed.emit(kind)

    def _say_who_took_it(self) -> None:
        """Say who is recorded as the taker when the field is left empty.

        A picture that came through the drop folder was sent in, so it is never
        recorded as taken by the person filing it.
        """
        kind = self.chosen_kind
        sent_in = self._source_kind == SourceKind.DROP_FOLDER
        if kind is ImageKind.PATIENT_SENT:
            words = "the patient"
        elif kind in COLLEAGUE_KINDS:
            words = "the colleague who sent it"
        elif kind is ImageKind.CLINICAL_PHOTO and not sent_in:
            words = "you, unless someone else took it"
        else:
            words = "who took it, if known (it was sent in)" if sent_in else "who took it"
        self.taken_by.setPlaceholderText(words)

    def _site_changed(self) -> None:
        paired = self.site.currentData() in PAIRED_SITES
        self.side.setEnabled(paired)
        if not paired:
            self.side.setCurrentIndex(-1)
            _mark(self.side, False)
