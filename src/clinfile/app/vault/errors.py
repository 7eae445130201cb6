"""Errors a person may meet when opening a vault, each with a message for them."""

import math

from clinfile.app.counting import counted
from clinfile.app.errors import MeantForPeople
from clinfile.db.connection import is_disk_full

# Opening a vault also brings its index up to date, which may refuse with these.
from clinfile.db.schema import MigrationFailed as MigrationFailed
from clinfile.db.schema import NewerVaultError as NewerVaultError


class VaultError(MeantForPeople):
    """Base for problems opening or using a vault; ``str()`` is meant for people."""


class VaultNotFound(VaultError):
    """There is no vault in the given folder."""


class VaultExists(VaultError):
    """A vault (or other files) already occupies the folder."""


class AuthenticationFailed(VaultError):
    """The name or password is wrong. Deliberately says no more than that."""

    def __init__(self) -> None:
        super().__init__("The user name or password is not right.")


class AccountDisabled(VaultError):
    """The account exists but an admin has disabled it."""

    def __init__(self) -> None:
        super().__init__("This account has been disabled. Ask the practice's Clinfile admin.")


class VaultDamaged(VaultError):
    """A vault file cannot be read with the right key: damaged, truncated or replaced."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Part of the vault is damaged ({what}). Nothing more was changed. "
            "Run 'clinfile verify' and, if it finds problems, restore the latest backup."
        )


class IndexEmpty(VaultDamaged):
    """The index file is there but holds nothing: cut off, not a wrong password."""

    def __init__(self) -> None:
        VaultError.__init__(
            self,
            "The vault's index (index.db) is empty: it was cut off, perhaps by a full disk "
            "or a copy that did not finish. This is not a wrong password. Nothing more was "
            "changed. Restore the latest backup."
        )


class VaultLocked(VaultError):
    """The vault was locked (idle or by the user) and must be unlocked again."""

    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it with your password to go on.")


class KeysChanged(VaultLocked):
    """An admin changed the vault's master key while this window or command had it open."""

    def __init__(self) -> None:
        VaultError.__init__(
            self,
            "The practice's admin has just changed the vault's keys (someone left, or as a "
            "precaution). Nothing was lost. Log in again with your password to go on.")


class DisabledMeanwhile(VaultLocked):
    """An admin disabled this person while their window had the vault open."""

    def __init__(self) -> None:
        VaultError.__init__(
            self,
            "Your account was disabled by the practice manager, so Clinfile closed what you "
            "had open. Nothing you had finished was lost; ask them if you still need to use "
            "Clinfile.")


class PasswordExpired(VaultError):
    """A slot from an older Clinfile could not take the new master key when the keys changed."""

    def __init__(self) -> None:
        super().__init__(
            "The vault's keys were changed since you last logged in, and this password was "
            "set with an older Clinfile. Ask the practice's Clinfile admin to set a new "
            "password for you.")


class KeySlotsRolledBack(VaultError):
    """The key file is older than the index says it should be."""

    def __init__(self) -> None:
        super().__init__(
            "The vault's key file has been replaced with an older copy. "
            "Restore the current key file, or ask the admin to use the recovery key."
        )


class VaultBusy(VaultError):
    """Another process held the index for longer than a change of keys can wait."""

    def __init__(self) -> None:
        super().__init__(
            "Busy: another Clinfile is using the vault; try again when it finishes. "
            "Nothing was changed.")


class OlderCopy(VaultError):
    """The index is not the one the vault last recorded: an older or another copy."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"This vault's index is not the latest copy ({why}), so recent work such as a "
            "withdrawn consent could be missing. Nothing was changed. To go on, restore the "
            "latest backup, or an admin can accept this older copy with "
            "'clinfile verify --accept-older-copy' (this is recorded in the audit)."
        )


class TooManyAttempts(VaultError):
    """Too many wrong passwords for one name: the next try must wait."""

    def __init__(self, seconds: float) -> None:
        wait = (counted(math.ceil(seconds), "second") if seconds < 90
                else counted(math.ceil(seconds / 60), "minute"))
        super().__init__(
            f"Too many wrong passwords for this name. Wait {wait}, then try again.")
        self.seconds = seconds


class DiskFull(VaultError):
    """The disk holding the vault (or a file being written) has no room left."""

    def __init__(self) -> None:
        super().__init__(
            "The disk is full, so the last change could not be saved. Nothing already in "
            "the vault was lost or damaged. Make room on the disk (or ask whoever looks "
            "after this computer), then try again."
        )


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a full disk, which must be said as such."""
    return is_disk_full(error)
