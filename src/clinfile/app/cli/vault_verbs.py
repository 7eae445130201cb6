"""Verbs that create, check, copy and read the history of a vault."""

from __future__ import annotations

import argparse
from pathlib import Path

from clinfile.app import clock
from clinfile.app.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    Console,
    add_json_argument,
    add_login_arguments,
    open_session,
)
from clinfile.app.custody.audit import rows_as_dicts
from clinfile.app.custody.seal import SealReport
from clinfile.app.reports.recovery_sheet import RecoverySheet, write_recovery_sheet
from clinfile.app.security.keys import change_keys, finish_rekey
from clinfile.app.security.recovery import recover_admin, renew_recovery_key
from clinfile.app.security.roles import Permission, PolicyRefused
from clinfile.app.security.session import Session
from clinfile.app.security.syslog import SyslogTarget, forward_audit_to
from clinfile.app.security.users import check_name, check_password
from clinfile.app.vault.backup import backup_vault, restore_backup
from clinfile.app.vault.errors import OlderCopy, VaultDamaged
from clinfile.app.vault.keyslots import KeySlotsDamaged
from clinfile.app.vault.rotation import RekeyProgress
from clinfile.app.vault.vault import Vault
from clinfile.app.vault.verify import VerifyReport, verify_vault
from clinfile.db.audit import AuditRepository


def register(verbs: argparse._SubParsersAction) -> None:
    """Add init, verify, backup, recovery, key changes and audit."""
    init = verbs.add_parser("init", help="create a new vault with its first admin")
    init.add_argument("vault", help="a new, empty folder for the vault")
    init.add_argument("--admin", required=True, help="the first admin's user name")
    init.add_argument("--password-stdin", action="store_true",
                      help="read the admin's password from the first line of standard input")
    init.add_argument("--recovery-sheet", type=Path, metavar="FILE.pdf",
                      help="also write the recovery key as a printable sheet")
    init.add_argument("--force", action="store_true",
                      help="create the vault even inside a cloud-sync folder (not advised)")
    init.set_defaults(handler=_init)

    verify = verbs.add_parser("verify", help="check every page, image, audit row and key slot")
    add_login_arguments(verify)
    add_json_argument(verify)
    verify.add_argument(
        "--accept-older-copy", action="store_true",
        help="(admin) go on with an index older than the one the vault last recorded, "
             "making it the latest; recorded in the audit")
    verify.set_defaults(handler=_verify)

    backup = verbs.add_parser(
        "backup", help="bring an encrypted copy of the vault up to date (only changes are copied)")
    add_login_arguments(backup)
    backup.add_argument("dest", type=Path,
                        help="the backup folder: a new, empty one, or one backed up to before")
    backup.add_argument("--force", action="store_true",
                        help="write the copy even inside a cloud-sync folder (not advised)")
    backup.add_argument("--reread", action="store_true",
                        help="also read back every file already in the backup and check its "
                             "SHA-256 (slower; finds any change made to the backup)")
    backup.set_defaults(handler=_backup)

    restore = verbs.add_parser(
        "restore", help="copy a backup into a new, empty folder as a vault, checking every file")
    restore.add_argument("backup", type=Path, help="the backup folder")
    restore.add_argument("dest", type=Path, help="a new, empty folder for the restored vault")
    restore.set_defaults(handler=_restore)

    recover = verbs.add_parser(
        "recover", help="use the recovery key to give an admin a new password")
    recover.add_argument("vault", help="the vault folder")
    recover.add_argument("admin", help="the admin whose password to set")
    recover.add_argument("--password-stdin", action="store_true",
                         help="read the recovery key, then the new password, from standard input")
    recover.set_defaults(handler=_recover)

    renew = verbs.add_parser(
        "recovery-key", help="replace the recovery key (the old sheet stops working)")
    add_login_arguments(renew)
    renew.add_argument("--recovery-sheet", type=Path, metavar="FILE.pdf",
                       help="also write the new key as a printable sheet")
    renew.set_defaults(handler=_renew_recovery_key)

    rotate = verbs.add_parser(
        "rotate-keys", help="(admin) give the vault a new master key and re-key every picture")
    add_login_arguments(rotate)
    rotate.add_argument("--reason", default="asked for by an admin",
                        help="why, for the audit trail (a leaked password, a lost sheet)")
    rotate.set_defaults(handler=_rotate_keys)

    rekey = verbs.add_parser(
        "rekey", help="(admin) finish re-keying pictures after a change of keys (resumable)")
    add_login_arguments(rekey)
    rekey.set_defaults(handler=_rekey)

    syslog = verbs.add_parser(
        "audit-syslog", help="(admin) send every audit row to the practice's syslog over TLS")
    add_login_arguments(syslog)
    syslog.add_argument("--host", required=True, help="the audit repository's name or address")
    syslog.add_argument("--port", type=int, default=6514, help="its TLS syslog port (6514)")
    syslog.add_argument("--authority", type=Path, required=True, metavar="CA.pem",
                        help="the authority that signed the repository's certificate")
    syslog.add_argument("--certificate", type=Path, required=True, metavar="CERT.pem",
                        help="this workstation's certificate")
    syslog.add_argument("--key", type=Path, required=True, metavar="KEY.pem",
                        help="this workstation's private key (kept in the keyring; delete the "
                             "file afterwards)")
    syslog.set_defaults(handler=_audit_syslog)

    audit = verbs.add_parser("audit", help="show the audit trail")
    add_login_arguments(audit)
    add_json_argument(audit)
    audit.set_defaults(handler=_audit)


def _init(args: argparse.Namespace, console: Console) -> int:
    check_name(args.admin)
    password = console.new_secret(args, f"New password for {args.admin}: ")
    check_password(password)
    created = Vault.create(Path(args.vault), args.admin, password, force=args.force)
    for warning in created.warnings:
        console.warn(f"Warning: {warning}")
    created.vault.lock()
    console.say(f"Created the vault in {args.vault} with admin {args.admin}.")
    _show_recovery_key(created.vault, created.recovery_key, args, console)
    return EXIT_OK


def _show_recovery_key(vault: Vault, key: str, args: argparse.Namespace, console: Console) -> None:
    if args.recovery_sheet:
        sheet = RecoverySheet(vault.vault_id, str(vault.layout.root.resolve()), key, clock.today())
        write_recovery_sheet(sheet, args.recovery_sheet)
    console.say("")
    console.say("Recovery key — shown once. Write it down or print the sheet; keep it locked away:")
    console.say(f"    {key}")
    if args.recovery_sheet:
        console.say(f"Recovery sheet written to {args.recovery_sheet}.")


def _recover(args: argparse.Namespace, console: Console) -> int:
    key = console.secret(args, "Recovery key: ")
    password = console.new_secret(args, f"New password for {args.admin}: ")
    recover_admin(Path(args.vault), key, args.admin, password)
    console.say(f"{args.admin} can log in with the new password.")
    return EXIT_OK


def _renew_recovery_key(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    key = renew_recovery_key(session)
    _show_recovery_key(session.vault, key, args, console)
    return _finish_rekey(session, console)


def _verify(args: argparse.Namespace, console: Console) -> int:
    password = console.secret(args, f"Password for {args.user}: ")
    try:
        session = Session.login(args.vault, args.user, password,
                                accept_older_copy=args.accept_older_copy)
    except (KeySlotsDamaged, VaultDamaged, OlderCopy) as exc:
        report = VerifyReport(checked=["key slots", "index"], problems=[str(exc)])
    else:
        session.require(Permission.VERIFY_VAULT)
        report = verify_vault(session.vault)
        session.audit("vault.verified", "", {"ok": report.ok, "problems": len(report.problems)})
        session.lock(reason="command finished")
    return _print_report(report, args, console)


def _print_report(report: VerifyReport, args: argparse.Namespace, console: Console) -> int:
    seal = report.seal
    if args.json:
        console.emit_json({"ok": report.ok, "checked": report.checked,
                           "problems": report.problems, "sealed": _seal_json(seal),
                           "notes": report.notes})
        return EXIT_OK if report.ok else EXIT_PROBLEMS
    if report.ok:
        console.say(f"All checks passed ({len(report.checked)} parts checked).")
    else:
        console.say(f"Verification found {len(report.problems)} problem(s):")
        for problem in report.problems:
            console.say(f"  - {problem}")
    if seal is not None:
        console.say(seal.summary())
    for note in report.notes:
        console.say(note)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _seal_json(seal: SealReport | None) -> dict | None:
    if seal is None:
        return None
    sealed = seal.sealed
    return {"up_to_row": sealed.seq if sealed else 0,
            "by": sealed.sealed_by if sealed else None,
            "at": sealed.sealed_at if sealed else None,
            "last_row": seal.last_row, "not_yet_sealed": seal.unsealed_rows}


def _backup(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    session.require(Permission.BACKUP_VAULT)
    report = backup_vault(session.vault, args.dest, force=args.force, reread=args.reread)
    session.audit("vault.backed_up", str(report.root.resolve()),
                  {"copied": len(report.copied), "copied_bytes": report.copied_bytes})
    session.lock(reason="command finished")
    console.say(f"The encrypted copy in {args.dest} is up to date. {report.summary()}")
    return EXIT_OK


def _restore(args: argparse.Namespace, console: Console) -> int:
    restored = restore_backup(args.backup, args.dest)
    console.say(f"Restored {len(restored)} files into {args.dest}; each matched the backup's "
                "record. Log in there and run 'clinfile verify' to check the vault as a whole.")
    return EXIT_OK


def _rotate_keys(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    change_keys(session, args.reason)
    console.say("The vault has a new master key. Old key files and passwords open nothing "
                "written from now on.")
    return _finish_rekey(session, console)


def _rekey(args: argparse.Namespace, console: Console) -> int:
    return _finish_rekey(open_session(args, console), console)


def _finish_rekey(session: Session, console: Console) -> int:
    """Re-key what waits under an older key, saying how far it has come, or how to go on.

    A refusal is not a stop: the re-key never began, so it is left to say so alone.
    """
    try:
        finish_rekey(session, progress=lambda p: console.say(_rekey_line(p)))
    except PolicyRefused:
        raise
    except BaseException:
        console.say(f"The re-key stopped before it finished: pictures filed before now still "
                    f"open with the old key until it has. To finish it, run 'clinfile rekey "
                    f"{session.vault.layout.root} --user {session.actor.name}'; it goes on "
                    "where it stopped.")
        raise
    session.lock(reason="command finished")
    console.say("Every picture is under the current key; the old key opens nothing.")
    return EXIT_OK


def finish_rekey_or_say_how(session: Session, console: Console) -> int:
    """Re-key what waits after a change of keys, for the verbs that change them."""
    return _finish_rekey(session, console)


def _rekey_line(progress: RekeyProgress) -> str:
    if not progress.total:
        return "Nothing waits to be re-keyed."
    percent = 100 * progress.done // progress.total
    where = f" ({progress.current})" if progress.current else ""
    return f"Re-keyed {percent}% of {progress.total / 1e6:.1f} MB{where}"


def _audit_syslog(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    target = SyslogTarget(args.host, args.port, args.authority.read_text(),
                          args.certificate.read_text(), args.key.read_text())
    forward_audit_to(session, target)
    session.lock(reason="command finished")
    console.say(f"Every audit row now also goes to {args.host}:{args.port}, from the oldest "
                "not yet sent. The key is in this computer's keyring; delete the key file.")
    return EXIT_OK


def _audit(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    session.require(Permission.VIEW_AUDIT)
    with session.vault.index() as conn:
        rows = list(rows_as_dicts(AuditRepository(conn).rows()))
    session.audit("audit.exported" if args.json else "audit.viewed", "", {"rows": len(rows)})
    session.lock(reason="command finished")
    if args.json:
        console.emit_json(rows)
        return EXIT_OK
    for row in rows:
        detail = ", ".join(f"{k}={v}" for k, v in row["detail"].items())
        subject = f" {row['subject']}" if row["subject"] else ""
        console.say(f"{row['seq']:>6}  {row['at']}  {row['actor']:<16} {row['action']}{subject}"
                    + (f"  ({detail})" if detail else ""))
    return EXIT_OK
