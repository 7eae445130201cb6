import pytest

from clinfile.app.security.roles import Permission, PolicyRefused
from clinfile.app.security.users import UserError, UserService
from clinfile.app.settings import SettingError, SettingsService
from clinfile.app.vault.errors import AuthenticationFailed, VaultLocked
from tests.conftest import PASSWORDS


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]


def test_idle_session_locks_itself_and_drops_the_key(login):
    clock = Clock()
    session = login("clinician", idle_seconds=300, clock=clock)
    session.require(Permission.VIEW_IMAGES)
    clock.now += 299
    session.require(Permission.VIEW_IMAGES)
    clock.now += 301
    with pytest.raises(VaultLocked):
        session.require(Permission.VIEW_IMAGES)
    assert session.locked
    with pytest.raises(VaultLocked):
        _ = session.vault.key


def test_unlock_resumes_as_the_same_person_and_is_audited(login):
    clock = Clock()
    session = login("clinician", idle_seconds=60, clock=clock)
    clock.now += 61
    assert session.lock_if_idle()
    with pytest.raises(AuthenticationFailed):
        session.unlock("wrong password")
    assert session.locked
    session.unlock(PASSWORDS["clinician"])
    session.require(Permission.VIEW_IMAGES)
    actions = _actions(session)
    assert actions[-2:] == ["vault.locked", "vault.unlocked"]


@pytest.mark.parametrize(
    ("user", "permission", "allowed"),
    [
        ("admin", Permission.MANAGE_USERS, True),
        ("admin", Permission.FILE_CLINICAL, False),
        ("clinician", Permission.FILE_CLINICAL, True),
        ("clinician", Permission.RECORD_CLINICAL_CONSENT, True),
        ("clinician", Permission.MANAGE_USERS, False),
        ("reception", Permission.FILE_PATIENT_SENT, True),
        ("reception", Permission.RECORD_DOCUMENTED_CONSENT, True),
        ("reception", Permission.PRINT_FORMS, True),
        ("reception", Permission.FILE_CLINICAL, False),
        ("reception", Permission.RECORD_CLINICAL_CONSENT, False),
        ("reception", Permission.DELETE_IMAGES, False),
        ("reception", Permission.SEE_DELETIONS_DUE, False),
        ("clinician", Permission.SEE_DELETIONS_DUE, False),
        ("admin", Permission.SEE_DELETIONS_DUE, True),
        ("reception", Permission.EXPORT_AUDIT, False),
        ("reception", Permission.RECORD_WITHDRAWAL, True),
        ("admin", Permission.RECORD_WITHDRAWAL, True),
        ("admin", Permission.VIEW_RETENTION, True),
    ],
)
def test_roles_are_checked_in_the_core_and_refusals_audited(login, user, permission, allowed):
    session = login(user)
    if allowed:
        session.require(permission)
        assert "policy.refused" not in _actions(session)
    else:
        with pytest.raises(PolicyRefused):
            session.require(permission)
        assert _actions(session)[-1] == "policy.refused"


def test_user_service_refuses_non_admins(login):
    with pytest.raises(PolicyRefused):
        UserService(login("clinician")).add("x", "reception", "long enough password")


def test_the_last_admin_cannot_be_disabled(login):
    with pytest.raises(UserError, match="last admin"):
        UserService(login()).disable("admin")


def test_settings_change_is_admin_only_validated_and_audited(login):
    with pytest.raises(PolicyRefused):
        SettingsService(login("reception")).change(auto_lock_minutes=30)
    service = SettingsService(login())
    assert service.load().auto_lock_minutes == 5
    with pytest.raises(SettingError):
        service.change(auto_lock_minutes=600)
    assert service.change(auto_lock_minutes=10).auto_lock_minutes == 10
    assert SettingsService(login("reception")).load().auto_lock_minutes == 10


@pytest.mark.parametrize(
    "change",
    [{"retention_adult_years": 5}, {"retention_minor_until_age": 18},
     {"written_consent_for_clinical_photos": "yes"}, {"colour": "blue"},
     {"report_page_size": "a3"}, {"device_deletion": "sometimes"},
     {"summary_file_pattern": "{NAME}/../x"},
     {"outbox_folder": "/home/reception/Dropbox/outbox"}],
)
def test_settings_below_the_law_or_of_the_wrong_kind_are_refused(login, change):
    with pytest.raises(SettingError):
        SettingsService(login()).change(**change)


def test_consent_policy_follows_the_setting(login):
    from clinfile.app.consent.policy import load_policy

    session = login()
    SettingsService(session).change(written_consent_for_clinical_photos=True)
    with session.vault.index() as conn:
        assert load_policy(conn).written_consent_for_clinical_photos
