"""A person's session with an unlocked vault: who they are, what they may do, idle lock.

Services take a Session and call :meth:`Session.require` before acting, so
role checks live in the core and every refusal is audited. After the idle
time the session locks itself: the key is overwritten in memory and nothing
more can be read until the same person unlocks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from clinfile.app.custody.audit import AuditEntry
from clinfile.app.custody.secrets import KeyringSecretStore
from clinfile.app.security.roles import Permission, PolicyRefused, Role, allows, roles_in_words
from clinfile.app.security.syslog import AuditForwarder, SyslogTarget
from clinfile.app.vault.errors import VaultLocked
from clinfile.app.vault.vault import Vault

DEFAULT_IDLE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Actor:
    """The person behind a session, as services need to know them.

    Attributes:
        name: the login name, which the audit trail records.
        roles: every role the person holds.
        full_name: the name to print on consent forms and summaries; may be empty.
    """

    name: str
    roles: frozenset[Role]
    full_name: str = ""

    @property
    def printed_name(self) -> str:
        """The name paperwork shows: the full name, or the login name when none was given."""
        return self.full_name or self.name

    def holds(self, role: Role) -> bool:
        """Whether the person holds ``role`` (among others, perhaps)."""
        return role in self.roles


@dataclass(frozen=True)
class Standing:
    """What the vault's files say about a session now, read without its key.

    Attributes:
        shut_out: an admin has disabled the person since they logged in.
        last_act: a mark that moves whenever anyone, anywhere, acts on the vault.
    """

    shut_out: bool
    last_act: tuple[int, int]


class Session:
    """One unlocked vault in one person's hands."""

    def __init__(self, vault: Vault, actor: Actor, *, idle_seconds: float = DEFAULT_IDLE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.actor = actor
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._last_activity = clock()
        self._forwarder: AuditForwarder | None = None

    @classmethod
    def login(cls, root, user_name: str, password: str, *, accept_older_copy: bool = False,
              **kwargs) -> Session:
        """Unlock a vault as a user and start their session.

        ``accept_older_copy`` is an admin's audited decision to go on with an
        index older than the one the vault last recorded (see ``Vault.unlock``).
        """
        vault, user = Vault.unlock(root, user_name, password,
                                   accept_older_copy=accept_older_copy)
        actor = Actor(user.name, frozenset(Role(r) for r in user.roles), user.full_name)
        session = cls(vault, actor, **kwargs)
        session._forward_audit()
        return session

    def _forward_audit(self) -> None:
        """Send the audit trail to the practice's repository while unlocked, if it has one."""
        target = SyslogTarget.load(KeyringSecretStore(self.vault.vault_id))
        if target is None:
            return
        self._forwarder = AuditForwarder(self.vault, target).start()
        self.vault.audit_watchers.append(self._forwarder.nudge)

    @property
    def locked(self) -> bool:
        """Whether the session is locked (by idle time or by hand)."""
        return self.vault.locked

    def may(self, permission: Permission) -> bool:
        """Whether the person's roles carry a permission (for offering; acts still require)."""
        return allows(self.actor.roles, permission)

    def require(self, permission: Permission, *, subject: str = "") -> None:
        """Go on only if unlocked and a role allows it; audit and raise otherwise.

        Raises:
            VaultLocked: the session has locked itself or was locked.
            PolicyRefused: no role of the person carries the permission.
        """
        self.ensure_unlocked()
        if self.may(permission):
            return
        roles = roles_in_words(self.actor.roles)
        self.audit("policy.refused", subject, {"permission": str(permission),
                                               "roles": sorted(self.actor.roles)})
        raise PolicyRefused(
            f"{self.actor.name} ({roles}) may not {permission}. "
            f"Ask a colleague whose role allows it."
        )

    def ensure_unlocked(self) -> None:
        """Go on only while unlocked, noting the activity; raise VaultLocked otherwise."""
        self.lock_if_idle()
        if self.locked:
            raise VaultLocked()
        self.touch()

    def standing(self) -> Standing:
        """Read, without the key, whether the person was shut out and when the vault last changed.

        A window asks this now and then, and whenever its vault was found
        locked, so a person disabled at another computer is shut out at once
        and with the true reason, not asked for a password that opens nothing.
        """
        return Standing(self.vault.shut_out(self.actor.name), self.vault.last_act_mark())

    def touch(self) -> None:
        """Note activity, postponing the idle lock."""
        self._last_activity = self._clock()

    def idle_for(self) -> float:
        """Seconds since the last activity."""
        return self._clock() - self._last_activity

    def lock_if_idle(self) -> bool:
        """Lock when idle for longer than allowed; return whether the session is locked."""
        if not self.locked and self.idle_for() >= self.idle_seconds:
            self.lock(reason="idle")
        return self.locked

    def lock(self, *, reason: str = "by hand") -> None:
        """Audit the lock, record how far the vault has come, then overwrite the key."""
        if self.locked:
            return
        self.audit("vault.locked", "", {"reason": reason})
        self.vault.record_latest()
        self._stop_forwarding()
        self.vault.lock()

    def _stop_forwarding(self) -> None:
        if self._forwarder is not None:
            self.vault.audit_watchers.remove(self._forwarder.nudge)
            self._forwarder.stop()
            self._forwarder = None

    def unlock(self, password: str) -> None:
        """Unlock again as the same person and resume.

        Raises:
            AuthenticationFailed: wrong password (noted for the audit).
        """
        self.vault.relock_check(self.actor.name, password)
        self.touch()
        self.audit("vault.unlocked")
        self._forward_audit()

    def audit(self, action: str, subject: str = "", detail: dict | None = None) -> None:
        """Record an act by this session's person in a transaction of its own."""
        with self.vault.index() as conn:
            self.vault.audit.record(conn, AuditEntry(self.actor.name, action, subject, detail))
