"""A person may hold several roles, and may do what any of them allows."""

import pytest

from clinfile.app.security.roles import Permission, PolicyRefused, Role, parse_roles, roles_in_words
from clinfile.app.security.session import Session
from clinfile.app.security.users import UserError, UserService
from tests.conftest import ADMIN_PASSWORD, PASSWORDS

GP_PASSWORD = "the solo gp's long password"


def _actions(session) -> list[str]:
    with session.vault.index() as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY seq")]


def test_roles_are_read_from_repeated_words_and_comma_lists():
    assert parse_roles(["admin", "clinician"]) == {Role.ADMIN, Role.CLINICIAN}
    assert parse_roles(["Admin, clinician"]) == {Role.ADMIN, Role.CLINICIAN}
    with pytest.raises(ValueError, match="boss is not a role"):
        parse_roles(["admin,boss"])
    assert roles_in_words([Role.CLINICIAN, Role.ADMIN]) == "admin and clinician"


def test_a_solo_gp_administers_and_files_clinical_photos(login, vault_path):
    UserService(login()).add("gp", ["admin", "clinician"], GP_PASSWORD, "Dr Ana Silva")
    gp = Session.login(vault_path, "gp", GP_PASSWORD)
    assert gp.actor.roles == {Role.ADMIN, Role.CLINICIAN}
    assert gp.actor.printed_name == "Dr Ana Silva"
    for permission in (Permission.MANAGE_USERS, Permission.FILE_CLINICAL,
                       Permission.EXPORT_IMAGES, Permission.BACKUP_VAULT):
        gp.require(permission)


def test_an_admin_only_user_is_still_refused_clinical_acts(login):
    admin = login()
    assert not admin.may(Permission.VIEW_IMAGES)
    with pytest.raises(PolicyRefused, match=r"admin \(admin\) may not view images"):
        admin.require(Permission.VIEW_IMAGES)
    assert _actions(admin)[-1] == "policy.refused"


def test_roles_change_without_touching_the_password(login, vault_path):
    admin = login()
    users = UserService(admin)
    changed = users.set_roles("clinician", "clinician,admin")
    assert changed.roles == ("admin", "clinician")
    assert "user.roles_changed" in _actions(admin)
    doctor = Session.login(vault_path, "clinician", PASSWORDS["clinician"])
    doctor.require(Permission.MANAGE_USERS)


def test_the_last_admin_keeps_the_admin_role(login):
    users = UserService(login())
    with pytest.raises(UserError, match="last admin"):
        users.set_roles("admin", ["clinician"])
    assert users.set_roles("admin", ["admin", "clinician"]).roles == ("admin", "clinician")


def test_a_user_needs_a_known_role(login):
    with pytest.raises(UserError, match="nurse is not a role"):
        UserService(login()).add("someone", "nurse", ADMIN_PASSWORD)
