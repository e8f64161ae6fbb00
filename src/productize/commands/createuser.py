"""`productize createuser USERNAME`: create a user (an admin with --admin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize createuser ada --email ada@example.com --admin
  echo "$PASSWORD" | productize createuser ci-bot --password-stdin
"""


def register(subparsers: Any) -> None:
    """Add the `createuser` subcommand."""
    parser = subparsers.add_parser(
        "createuser",
        help="create a user (the first admin: --admin)",
        description="Create a user who signs in to the web UI. The password is asked for, or "
        "read from standard input with --password-stdin; it is never an argument.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("username")
    parser.add_argument("--email", default="", help="links the user to the catalog person")
    parser.add_argument("--admin", action="store_true", help="may do everything")
    parser.add_argument("--person", default="", help="the catalog person id, if not by email")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    parser.set_defaults(handler=handle)


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        print("productize createuser: the passwords differ", file=sys.stderr)
        return None
    return first


def handle(args: argparse.Namespace) -> int:
    """Create the user and say how to sign in."""
    setup_django()
    from django.core.exceptions import ValidationError

    from productize.accounts.services import user_create
    from productize.audit.services import Actor
    from productize.commands.manage import migrate_quietly

    migrate_quietly()
    password = _password(args)
    if not password:
        print("productize createuser: a password is required", file=sys.stderr)
        return 2
    try:
        user = user_create(
            actor=Actor.system("cli"),
            username=args.username,
            password=password,
            email=args.email,
            admin=args.admin,
            person_slug=args.person,
        )
    except ValidationError as error:
        for message in error.messages:
            print(f"productize createuser: {message}", file=sys.stderr)
        return 2
    role = "admin" if args.admin else "member"
    print(f"created {role} {user.get_username()}; sign in at /accounts/sign-in/")
    return 0
