"""Who may do what: roles (admin, owner, member, anonymous) mapped onto permissions.

`Actor.can(permission, obj)` delegates here, so the web, the API, the CLI and ingest all ask
the same question. Roles:

* **admin** (a staff or superuser account): everything.
* **owner** of a product: a person named among its owners, a member of an owning team, or an
  owner of its loop (or of a loop above it) — may do the OWNER permissions on that product.
* **member** (any other signed-in user): reads everything, gives feedback, proposes, comments.
* **anonymous**: nothing, unless PRODUCTIZE_ANONYMOUS_READ=1 allows reading the catalog.

A token acts for its user, narrowed by its scope: `read` reads only, `write` does what the
user may except admin-only permissions, `admin` does everything its (admin) user may.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q

from productize.audit.models import ActorKind
from productize.audit.services import CATALOG_WRITE, SOURCE_MANAGE, SOURCE_REFRESH

if TYPE_CHECKING:
    from productize.audit.services import Actor
    from productize.catalog.models import Loop, Product

READ = "catalog.read"
AUDIT_READ = "audit.read"
FEEDBACK_GIVE = "feedback.give"
PROPOSE = "loop.propose"
COMMENT = "loop.comment"
PRODUCT_EDIT = "product.edit"
LOOP_EDIT = "loop.edit"
ROADMAP_EDIT = "roadmap.edit"
IMPROVEMENT_EDIT = "improvement.edit"
FEEDBACK_TRIAGE = "feedback.triage"
SUGGESTION_ACCEPT = "suggestion.accept"
ACCOUNTS_MANAGE = "accounts.manage"
TOKEN_MANAGE = "token.manage"  # noqa: S105 (a permission name)

READ_PERMISSIONS = frozenset({READ, AUDIT_READ})
MEMBER_PERMISSIONS = READ_PERMISSIONS | {FEEDBACK_GIVE, PROPOSE, COMMENT}
OWNER_PERMISSIONS = frozenset(
    {PRODUCT_EDIT, LOOP_EDIT, ROADMAP_EDIT, IMPROVEMENT_EDIT, FEEDBACK_TRIAGE, SUGGESTION_ACCEPT}
)
ADMIN_ONLY = frozenset({CATALOG_WRITE, SOURCE_MANAGE, SOURCE_REFRESH, ACCOUNTS_MANAGE})
INGEST_PERMISSIONS = frozenset({CATALOG_WRITE, SOURCE_REFRESH})
# Loops nest; a loop's owners own what is below it, up to this depth (guards against cycles).
MAX_LOOP_DEPTH = 16


def anonymous_read() -> bool:
    """Whether the organisation lets people who are not signed in read."""
    return bool(getattr(settings, "ANONYMOUS_READ", False))


def public_feedback() -> bool:
    """Whether people who are not signed in may give feedback (the public per-product form)."""
    return bool(getattr(settings, "PUBLIC_FEEDBACK", False))


def is_admin_user(user: Any) -> bool:
    """An active staff or superuser account."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def _token_scope(actor: Actor) -> str:
    scope = getattr(actor.user, "_productize_token_scope", None)
    if scope:
        return str(scope)
    from productize.accounts.models import ApiToken

    user_id = getattr(actor.user, "pk", None)
    if user_id is None:
        return "read"
    found = (
        ApiToken.objects.filter(user_id=user_id, name=actor.label)
        .values_list("scope", flat=True)
        .first()
    )
    return found or "read"


def _product_of(obj: object) -> Product | None:
    from productize.catalog.models import Product

    if isinstance(obj, Product):
        return obj
    product = getattr(obj, "product", None)
    return product if isinstance(product, Product) else None


def _scope_of(obj: object, depth: int = 0) -> tuple[list[Product], list[Loop]]:
    """The products and loops whose owners own `obj` (loop objects: any of their products)."""
    from productize.catalog.models import Loop

    if isinstance(obj, Loop):
        return [], [obj]
    product = _product_of(obj)
    if product is not None:
        return [product], []
    related = getattr(obj, "products", None)  # a pattern or improvement: any of its products
    if related is not None and hasattr(related, "all") and getattr(obj, "pk", None) is not None:
        return list(related.select_related("loop")), []
    loop = getattr(obj, "loop", None)  # a loop's feedback channel
    if isinstance(loop, Loop):
        return [], [loop]
    channel = getattr(obj, "channel", None)  # unrouted feedback: its channel's owners
    if channel is not None and depth < 1:
        return _scope_of(channel, depth + 1)
    return [], []


def _loop_chain(loop: Loop | None) -> list[int]:
    ids: list[int] = []
    while loop is not None and loop.pk not in ids and len(ids) < MAX_LOOP_DEPTH:
        ids.append(loop.pk)
        loop = loop.parent
    return ids


def owns(user: Any, obj: object) -> bool:
    """Whether the user owns the product (or loop) `obj`: directly, via a team or its loop.

    Loop objects (a pattern, improvement, roadmap entry, feedback item or channel) are owned
    by the owners of any of their products, else of their loop or their channel's.
    """
    from productize.accounts.selectors import person_for_user
    from productize.catalog.models import Loop, Ownership

    person = person_for_user(user)
    if person is None or obj is None:
        return False
    who = Q(person=person) | Q(team__membership__person=person)
    if isinstance(obj, Loop):
        return Ownership.objects.filter(who, loop_id__in=_loop_chain(obj)).exists()
    if getattr(obj, "owner_id", None) is not None and obj.owner_id == person.pk:  # type: ignore[attr-defined]
        return True  # a pattern's named owner
    products, owning_loops = _scope_of(obj)
    if not products and not owning_loops:
        return False
    loops = [pk for loop in owning_loops for pk in _loop_chain(loop)]
    loops += [pk for product in products for pk in _loop_chain(product.loop)]
    where = Q(product__in=products)
    if loops:
        where |= Q(loop_id__in=loops)
    return Ownership.objects.filter(where).filter(who).exists()


def _user_may(user: Any, permission: str, obj: object | None) -> bool:
    if is_admin_user(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        # Anonymous read covers the catalog, not the audit log (it names people and accounts);
        # the public feedback form lets anyone give feedback, nothing more.
        if permission == FEEDBACK_GIVE:
            return public_feedback()
        return permission == READ and anonymous_read()
    if permission in MEMBER_PERMISSIONS:
        return True
    if permission in OWNER_PERMISSIONS:
        return owns(user, obj)
    if permission == TOKEN_MANAGE:
        return obj is not None and getattr(obj, "pk", None) == user.pk
    return False


def can(actor: Actor, permission: str, obj: object | None = None) -> bool:
    """Whether `actor` may do `permission` (on `obj`, where the permission is per object)."""
    if actor.kind == ActorKind.SYSTEM:
        return True
    if actor.kind == ActorKind.INGEST:
        return permission in INGEST_PERMISSIONS
    if actor.kind == ActorKind.TOKEN:
        if actor.user is None:
            return False
        scope = _token_scope(actor)
        if scope == "read" and permission not in READ_PERMISSIONS:
            return False
        if scope == "write" and permission in ADMIN_ONLY:
            return False
        return _user_may(actor.user, permission, obj)
    if actor.kind == ActorKind.USER:
        return _user_may(actor.user, permission, obj)
    return False


def role_of(user: Any) -> str:
    """The user's organisation-wide role: admin, member or anonymous (ownership is per product)."""
    if is_admin_user(user):
        return "admin"
    if getattr(user, "is_authenticated", False) and user.is_active:
        return "member"
    return "anonymous"
