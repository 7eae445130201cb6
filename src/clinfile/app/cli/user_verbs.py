"""Verbs that manage the people who may unlock a vault."""

from __future__ import annotations

import argparse

from clinfile.app.cli.common import (
    EXIT_OK,
    Console,
    add_json_argument,
    add_login_arguments,
    open_session,
)
from clinfile.app.cli.vault_verbs import finish_rekey_or_say_how
from clinfile.app.security.roles import Role, roles_in_words
from clinfile.app.security.users import UserService, roles_from

_ROLE_HELP = (f"a role ({', '.join(r.value for r in Role)}); give --role again, or a comma "
              "list, for a person with several (a solo GP: --role admin,clinician)")


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``user add|list|roles|disable|enable|passwd``."""
    user = verbs.add_parser("user", help="add, list, disable and enable users; set roles "
                                         "and passwords")
    actions = user.add_subparsers(dest="user_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a user (their password is the next stdin line)")
    add_login_arguments(add)
    add.add_argument("name", help="the new user's login name")
    add.add_argument("--role", action="append", required=True, help=_ROLE_HELP)
    add.add_argument("--full-name", default="",
                     help="the name printed on consent forms and summaries")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list users")
    add_login_arguments(listing)
    add_json_argument(listing)
    listing.set_defaults(handler=_list)

    roles = actions.add_parser("roles", help="give a user exactly these roles")
    add_login_arguments(roles)
    roles.add_argument("name")
    roles.add_argument("--role", action="append", required=True, help=_ROLE_HELP)
    roles.set_defaults(handler=_roles)

    disable = actions.add_parser("disable", help="disable a user")
    add_login_arguments(disable)
    disable.add_argument("name")
    disable.set_defaults(handler=_disable)

    enable = actions.add_parser(
        "enable", help="let a disabled user log in again (their new password is the next line)")
    add_login_arguments(enable)
    enable.add_argument("name")
    enable.set_defaults(handler=_enable)

    passwd = actions.add_parser("passwd", help="change a password (the new one is the next line)")
    add_login_arguments(passwd)
    passwd.add_argument("name", nargs="?", help="whose password (default: your own)")
    passwd.set_defaults(handler=_passwd)


def _add(args: argparse.Namespace, console: Console) -> int:
    roles = roles_from(args.role)
    session = open_session(args, console)
    password = console.new_secret(args, f"Password for the new user {args.name}: ")
    user = UserService(session).add(args.name, roles, password, args.full_name)
    session.lock(reason="command finished")
    console.say(f"Added {user.name} as {roles_in_words(user.roles)}.")
    return EXIT_OK


def _list(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    users = UserService(session).list()
    session.lock(reason="command finished")
    if args.json:
        console.emit_json([{"name": u.name, "full_name": u.full_name, "roles": list(u.roles),
                            "disabled": u.disabled, "created_at": u.created_at,
                            "password_changed_at": u.password_changed_at} for u in users])
        return EXIT_OK
    for u in users:
        console.say(f"{u.name:<24} {u.full_name:<28} {','.join(u.roles):<26} "
                    f"{'disabled' if u.disabled else 'active'}")
    return EXIT_OK


def _roles(args: argparse.Namespace, console: Console) -> int:
    roles = roles_from(args.role)
    session = open_session(args, console)
    user = UserService(session).set_roles(args.name, roles)
    session.lock(reason="command finished")
    console.say(f"{user.name} is now {roles_in_words(user.roles)}.")
    return EXIT_OK


def _disable(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    UserService(session).disable(args.name)
    console.say(f"Disabled {args.name}; their password no longer opens the vault, and the "
                "vault's keys were changed so a key file they kept opens nothing new.")
    if session.locked:
        console.say("Another admin changed the keys at the same moment; the re-key of older "
                    "pictures goes on from theirs, or at the next admin login.")
        return EXIT_OK
    return finish_rekey_or_say_how(session, console)


def _enable(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    password = console.new_secret(args, f"New password for {args.name}: ")
    user = UserService(session).enable(args.name, password)
    session.lock(reason="command finished")
    console.say(f"{user.name} can log in again with the new password.")
    return EXIT_OK


def _passwd(args: argparse.Namespace, console: Console) -> int:
    session = open_session(args, console)
    name = args.name or session.actor.name
    password = console.new_secret(args, f"New password for {name}: ")
    UserService(session).change_password(name, password)
    session.lock(reason="command finished")
    console.say(f"Changed the password for {name}.")
    return EXIT_OK
