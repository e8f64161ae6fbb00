"""Getting started: the hint for an empty server, and the demo's users of different roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from productize.accounts.services import user_create
from productize.audit.services import Actor

# For the bundled demo only: everyone knows this password.
DEMO_PASSWORD = "productize-demo"  # noqa: S105


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo user: how to sign in and what they show."""

    username: str
    role: str
    email: str = ""
    admin: bool = False


DEMO_USERS = (
    DemoUser("admin", "admin: may do everything", "admin@harvestlane.example", admin=True),
    DemoUser(
        "jonas",
        "owner of Orders (directly) and of Storefront's products",
        "jonas.lind@harvestlane.example",
    ),
    DemoUser("chloe", "owner of Payments (another owner)", "chloe.martin@harvestlane.example"),
    DemoUser("guest", "member: reads everything, gives feedback, proposes", ""),
)


def first_admin_hint() -> str | None:
    """What to tell the operator when no admin exists yet (None once one does)."""
    users = get_user_model().objects
    if (
        users.filter(is_active=True, is_superuser=True).exists()
        or users.filter(is_active=True, is_staff=True).exists()
    ):
        return None
    return (
        "No admin account yet. Create the first one with:\n"
        "  productize createuser YOUR-NAME --email you@example.com --admin\n"
        "then sign in at /accounts/sign-in/."
    )


def create_demo_users(password: str = DEMO_PASSWORD) -> list[DemoUser]:
    """Create the demo users that do not exist yet (demo only: one shared, known password)."""
    existing = set(get_user_model().objects.values_list("username", flat=True))
    created = []
    for demo in DEMO_USERS:
        if demo.username in existing:
            continue
        user_create(
            actor=Actor.system("demo"),
            username=demo.username,
            password=password,
            email=demo.email,
            admin=demo.admin,
            check_password=False,
        )
        created.append(demo)
    return created
