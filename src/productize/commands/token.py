"""`productize token create|list|revoke`: personal API tokens for scripts and CI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize token create ada --name ci --scope read --expires-days 30
  productize token list ada
  productize token revoke ada ci

Use a token as `Authorization: Bearer pz_...` on /api/v1/. It is shown once, when created.
"""


def register(subparsers: Any) -> None:
    """Add the `token` subcommand and its actions."""
    parser = subparsers.add_parser(
        "token",
        help="create, list and revoke personal API tokens",
        description="A token acts for its user on the API, narrowed by its scope: read, write "
        "or admin. Only a hash is stored; the token is printed once.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="what it is for, e.g. `ci`")
    create.add_argument("--scope", choices=["read", "write", "admin"], default="read")
    create.add_argument(
        "--expires-days", type=int, default=90, help="days until it expires (default: 90)"
    )
    create.add_argument("--no-expiry", action="store_true", help="never expires (not advised)")
    create.set_defaults(handler=handle_create)
    listing = actions.add_parser("list", help="list a user's tokens (never their secrets)")
    listing.add_argument("username")
    listing.set_defaults(handler=handle_list)
    revoke = actions.add_parser("revoke", help="revoke a token: it stops working at once")
    revoke.add_argument("username")
    revoke.add_argument("name")
    revoke.set_defaults(handler=handle_revoke)


def _user(username: str) -> Any:
    setup_django()
    from django.contrib.auth import get_user_model

    from productize.commands.manage import migrate_quietly

    migrate_quietly()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        print(f"productize token: no user named `{username}`", file=sys.stderr)
    return user


def handle_create(args: argparse.Namespace) -> int:
    """Create a token and print its secret once."""
    user = _user(args.username)
    if user is None:
        return 2
    from django.core.exceptions import ValidationError

    from productize.accounts.services import token_create
    from productize.audit.services import Actor

    try:
        new = token_create(
            actor=Actor.system("cli"),
            user=user,
            name=args.name,
            scope=args.scope,
            expires_days=None if args.no_expiry else args.expires_days,
        )
    except ValidationError as error:
        for message in error.messages:
            print(f"productize token: {message}", file=sys.stderr)
        return 2
    expires = f"expires {new.token.expires_at:%Y-%m-%d}" if new.token.expires_at else "no expiry"
    print(
        f"created token {new.token.name} for {user.get_username()} ({new.token.scope}, {expires})"
    )
    print(f"token (shown once, store it now): {new.secret}")
    return 0


def handle_list(args: argparse.Namespace) -> int:
    """List a user's tokens: name, prefix, scope, expiry, last use, state."""
    user = _user(args.username)
    if user is None:
        return 2
    from productize.accounts.selectors import tokens_of

    tokens = list(tokens_of(user))
    if not tokens:
        print(f"{user.get_username()} has no tokens")
    for token in tokens:
        expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        state = "revoked" if token.revoked else "active"
        print(
            f"{token.name}\t{token.prefix}…\t{token.scope}\texpires {expires}\t"
            f"last used {used}\t{state}"
        )
    return 0


def handle_revoke(args: argparse.Namespace) -> int:
    """Revoke one token by name."""
    user = _user(args.username)
    if user is None:
        return 2
    from productize.accounts.selectors import tokens_of
    from productize.accounts.services import token_revoke
    from productize.audit.services import Actor

    token = tokens_of(user).filter(name=args.name).first()
    if token is None:
        print(
            f"productize token: {user.get_username()} has no token `{args.name}`", file=sys.stderr
        )
        return 2
    token_revoke(actor=Actor.system("cli"), token=token)
    print(f"revoked token {token.name} of {user.get_username()}")
    return 0
