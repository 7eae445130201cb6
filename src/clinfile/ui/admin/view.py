"""The practice manager's area: one tab for each part of the practice's care.

Every change goes through the same services as the command line, which
check the role and audit it; this view only shows and asks.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from clinfile.app.audit.service import AuditService
from clinfile.app.counting import counted
from clinfile.app.desk.opening import OpenedDesk
from clinfile.app.desk.workstation import WorkstationMemory
from clinfile.app.incidents.service import IncidentService
from clinfile.app.patients.service import PatientService
from clinfile.ui.admin.audit_tab import AuditTab
from clinfile.ui.admin.incidents_tab import IncidentsTab
from clinfile.ui.admin.retention_tab import RetentionTab
from clinfile.ui.admin.settings_tab import SettingsTab
from clinfile.ui.admin.users_tab import UsersTab
from clinfile.ui.admin.vault_tab import VaultTab
from clinfile.ui.look import heading, named, note
from clinfile.ui.patient_list_tab import PatientListTab
from clinfile.ui.tasks import Tasks


class AdminView(QWidget):
    """Users, patients, settings, the vault, audit, retention and incidents: a tab each."""

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.users = UsersTab(tasks)
        self.settings = SettingsTab(tasks)
        self.vault = VaultTab(tasks)
        self.patients = PatientListTab(tasks)
        self.audit = AuditTab(tasks)
        self.retention = RetentionTab(tasks)
        self.incidents = IncidentsTab(tasks)
        self.users.keys_changed.connect(self.vault.go_on_rekeying)
        self.tabs.addTab(self.users, "&Users")
        self.tabs.addTab(self.patients, "&Patient list")
        self.tabs.addTab(self.settings, "&Settings")
        self.tabs.addTab(self.vault, "Vau&lt")
        self.tabs.addTab(self.audit, "&Audit")
        self.tabs.addTab(self.retention, "&Retention")
        self.tabs.addTab(self.incidents, "In&cidents")
        named(self.tabs, "Practice administration")
        layout = QVBoxLayout(self)
        self.heading = heading("Practice administration", 1.4)
        layout.addWidget(self.heading)
        self.waiting = named(note(""), "Files waiting in the drop folder")
        self.waiting.hide()
        layout.addWidget(self.waiting)
        layout.addWidget(self.tabs)

    def show_for(self, desk: OpenedDesk, memory: WorkstationMemory) -> None:
        """Fill every tab for this admin's session."""
        self.users.show_for(desk.session)
        self.patients.show_for(PatientService(desk.session))
        self.settings.show_for(desk, memory)
        self.vault.show_for(desk)
        self.audit.show_for(AuditService(desk.session))
        self.retention.show_for(desk.session)
        self.incidents.show_for(IncidentService(desk.session))

    def show_waiting(self, count: int) -> None:
        """Say how many files wait in the drop folder, which an admin's login does not take in.

        Only reception and clinicians take pictures in; a practice manager
        alone at the window would otherwise never learn that any are waiting.
        """
        self.waiting.setVisible(count > 0)
        waiting = "is" if count == 1 else "are"
        taken = "it is" if count == 1 else "they are"
        self.waiting.setText(f"{counted(count, 'file')} {waiting} waiting in the drop folder; "
                             f"{taken} taken in when reception or a clinician logs in.")

    def vault_changed(self) -> None:
        """Someone changed the vault elsewhere: the users on show are read again."""
        if self.users.isVisible():
            self.users.refresh()
