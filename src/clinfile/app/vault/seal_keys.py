"""Who holds the audit-seal key, and how an admin knows the key in the file is the real one.

Someone holding the master key can rewrite the key file: put a seal key of
their own in it and seal it to every admin slot. An admin trusts the file's
seal key only when their own slot vouches for it: either their password
pinned it (it is in their payload), or an admin who held the real key
vouched for it under the slot's pin key when making them an admin (or when
the key was renewed). A slot nobody vouched for never adopts the file's key.

When an admin leaves or stops being one, they still have the seal key they
held; so the remaining admins are given a new one, and the old key is kept
in the file's seal history with the last row it may seal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from clinfile.app.custody.audit import AuditMark
from clinfile.app.custody.crypto import (
    b64,
    new_signing_key,
    sign,
    signature_holds,
    signing_public,
    unb64,
)
from clinfile.app.custody.seal import RetiredSealKey, since_stated, since_statement
from clinfile.app.vault import keyslots as slotfile
from clinfile.app.vault.errors import VaultError


class SealKeyNotHeld(VaultError):
    """Making or unmaking an admin needs a login that holds the audit-seal key."""

    def __init__(self) -> None:
        super().__init__(
            "Only an admin whose login holds the audit seal key can make someone an admin or "
            "stop someone being one, and this login does not hold it. Ask another admin to do "
            "it, or run 'clinfile verify' to see why.")


class SlotCannotBeVouched(VaultError):
    """A slot from before vouches cannot be given the seal key without a new password."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name}'s password was set with an older Clinfile, so their key slot cannot be "
            f"trusted with the audit seal key. Set a new password for {name} first, then make "
            "them an admin.")


NOT_VOUCHED = (
    "no admin vouched for the audit seal key in your key slot, so this login does not seal "
    "the audit trail and cannot tell the practice's seal key from one put in the key file by "
    "someone else; ask another admin to make you an admin again")
REPLACED = (
    "tampering: the key file's audit seal key is not the one vouched for in your key slot "
    "(it was replaced outside Clinfile)")


@dataclass(frozen=True)
class SealTrust:
    """What a login makes of the file's seal key: the key it trusts, the private half if held."""

    pin: bytes
    private: bytes = b""
    problem: str = ""


def trusted_seal_key(slots: slotfile.KeySlots, slot_id: str,
                     opened: slotfile.Opened) -> SealTrust:
    """Decide whether this slot's owner may trust, and hold, the file's seal key."""
    in_file = unb64(slots.seal_key) if slots.seal_key else b""
    slot = slots.slot(slot_id)
    vouched = opened.seal_pin == in_file or slotfile.vouches(slots, slot, opened.pin_key)
    if not vouched:
        if opened.seal_pin or slot.vouch:
            return SealTrust(opened.seal_pin, problem=REPLACED)
        return SealTrust(b"", problem=NOT_VOUCHED)
    private = slotfile.open_seal_key(slots, slot_id, opened.private_key)
    held = private if private and signing_public(private) == in_file else b""
    return SealTrust(in_file, held)


def retired_keys(slots: slotfile.KeySlots, trusted: bytes) -> tuple[tuple[RetiredSealKey, ...],
                                                                      str]:
    """The retired seal keys the trusted key signed for, or none and why."""
    if not slots.seal_history:
        return (), ""
    if not signature_holds(trusted, slotfile.history_message(slots), slots.history_signature):
        return (), ("tampering: the key file's list of retired audit seal keys was changed "
                    "outside Clinfile")
    return tuple(RetiredSealKey(unb64(k["key"]), int(k["until"]), str(k.get("hash", "")))
                 for k in slots.seal_history), ""


def given_slot(slots: slotfile.KeySlots, slot: slotfile.Slot, seal_private: bytes,
               pin_key: bytes, *, admin: bool) -> slotfile.Slot:
    """A new slot boxed for the seal key's holders, and for an admin the key and a vouch."""
    slot = slotfile.with_pin_box(slots, slot, pin_key, seal_private)
    if not admin:
        return slot
    return slotfile.vouched(slots, slotfile.with_seal_key(slots, slot, seal_private), pin_key)


def made_admin(slots: slotfile.KeySlots, slot: slotfile.Slot, seal_private: bytes,
               name: str) -> slotfile.Slot:
    """Hand an existing slot the seal key and vouch for it, now, with the slot's own pin key."""
    pin_key = slotfile.boxed_pin_key(slots, slot, seal_private)
    if not pin_key:
        raise SlotCannotBeVouched(name)
    return slotfile.vouched(slots, slotfile.with_seal_key(slots, slot, seal_private), pin_key)


def renewed(slots: slotfile.KeySlots, seal_private: bytes, admins: set[str],
            last: AuditMark | None) -> tuple[slotfile.KeySlots, bytes]:
    """A new seal key for the slots in ``admins``; the old one retired after the row ``last``.

    The row's hash is kept with it, so a trail later cut back below the
    retirement, or rewritten before it, no longer holds that row and shows.
    Every pin box is opened with the old key and sealed again for the new
    one, so the new key's holders can vouch later; admins are vouched for now.
    Returns the file and the new private key.
    """
    private, public = new_signing_key()
    history = (*slots.seal_history, {"key": slots.seal_key, "until": last.seq if last else 0,
                                     "hash": last.hash if last else ""})
    fresh = replace(slots, seal_key=b64(public), seal_history=history,
                    generation=slots.generation + 1)
    fresh = replace(fresh, history_signature=sign(private, slotfile.history_message(fresh)))
    since = since_stated(slots.vault_id, slots.sealing_since, unb64(slots.seal_key))
    if since is not None:
        fresh = replace(fresh, sealing_since=since_statement(slots.vault_id, since, private))
    given = []
    for slot in fresh.slots:
        pin_key = slotfile.boxed_pin_key(slots, slot, seal_private)
        slot = slotfile.without_seal_key(slot)
        if pin_key:
            slot = slotfile.with_pin_box(fresh, slot, pin_key, private)
        if slot.id in admins and slot.state == "active" and not slot.legacy:
            slot = slotfile.with_seal_key(fresh, slot, private)
            if pin_key:
                slot = slotfile.vouched(fresh, slot, pin_key)
        given.append(slot)
    return replace(fresh, slots=tuple(given)), private
