"""The loop desk pages: feedback forms, triage, suggestions, My loop, the organisation view.

Posts are made with a CSRF-enforcing client that holds a token the way a browser does (from
the page that showed the form), so a 403 here means "not allowed". Every denied post is
checked to change nothing: no feedback, link, pattern or audit record appears.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from productize.accounts.models import SignInFailure, UserProfile
from productize.accounts.permissions import FEEDBACK_TRIAGE
from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.loop import services
from productize.loop.intake import give_feedback
from productize.loop.models import Feedback, Pattern, PatternFeedback, Suggestion
from productize.loop.suggestions import refresh_suggestions
from productize.web.loopdesk_reads import scope_for
from tests.web import factories

SYSTEM = Actor.system("tests")


def _user(username: str, *, person: str = "", admin: bool = False) -> Any:
    user = get_user_model().objects.create_user(
        username, password="pw-for-tests-only", is_staff=admin, is_superuser=admin
    )
    if person:
        UserProfile.objects.create(user=user, person_slug=person)
    return user


def browser(user: Any = None) -> Client:
    """A client that enforces CSRF and carries a token like a browser that loaded the form."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, headers=headers)


@pytest.fixture
def desk(db: Any, settings: Any) -> dict[str, Any]:
    """The shared small catalog, loop channels, some feedback, and one user per role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    catalog = factories.demo_catalog()
    market_desk = services.create_channel(
        SYSTEM, name="Market help desk", kind="support", loop=catalog["market"]
    )
    ops_desk = services.create_channel(SYSTEM, name="Ops desk", kind="chat", loop=catalog["ops"])
    now = timezone.now()

    def give(
        text: str, *, product: str | None = None, channel: Any = market_desk, days: int = 1
    ) -> Feedback:
        return give_feedback(
            SYSTEM,
            text=text,
            product=product,
            channel=channel,
            author="Dana Customer",
            author_contact="dana@mail.example",
            created_at=now - timedelta(days=days),
        )

    items = {
        "unrouted": give("The van was late again and nobody called.", days=1),
        "ops_unrouted": give("The rota app logs me out.", channel=ops_desk, days=2),
        "orders": give("Order emails arrive an hour late.", product="orders", days=3),
        "ledger": give("Ledger export misses refunds.", product="ledger", days=4),
        "old": give("Checkout was slow last spring.", product="orders", days=200),
    }
    pattern = services.create_pattern(
        SYSTEM, title="Order e-mails arrive late", products=["orders"], owner="alice"
    )
    patterned = give("Confirmation e-mail took ages.", product="orders", days=5)
    services.link_feedback(SYSTEM, patterned, pattern)
    return {
        **catalog,
        "market_desk": market_desk,
        "ops_desk": ops_desk,
        "items": items,
        "pattern": pattern,
        "patterned": patterned,
        "admin": _user("root", admin=True),
        "owner": _user("alice", person="alice"),  # orders, payments (team), market loop
        "other_owner": _user("carol", person="carol"),  # refund-desk only
        "member": _user("mia"),
    }


def _state() -> tuple[int, int, int, int, list[tuple[int, int | None]]]:
    return (
        ChangeRecord.objects.count(),
        Feedback.objects.count(),
        Pattern.objects.count(),
        PatternFeedback.objects.count(),
        list(Feedback.objects.order_by("pk").values_list("pk", "product_id")),
    )


# --- giving feedback --------------------------------------------------------------------------


def test_signed_in_member_gives_feedback_on_the_product_page(desk: dict[str, Any]) -> None:
    client = browser(desk["member"])
    page = client.get("/products/orders/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="give-feedback"' in html
    assert 'action="/products/orders/feedback/"' in html
    assert "orders/orders-api" in html  # the interface can be named
    before = ChangeRecord.objects.count()
    response = post(
        client,
        "/products/orders/feedback/",
        {"text": "The order page is *slow*.", "title": "Slow", "interface": "orders-api"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/products/orders/#give-feedback")
    item = Feedback.objects.get(text="The order page is *slow*.")
    assert item.product == desk["orders"]
    assert item.interface is not None and item.interface.ref == "orders/orders-api"
    assert item.submitted_by == desk["member"]
    assert item.source_kind == "web-form"
    assert ChangeRecord.objects.count() == before + 1
    # The thank-you shows on the product page after the redirect.
    assert (
        "your feedback reached the owners of Orders"
        in client.get("/products/orders/").content.decode()
    )


def test_feedback_form_answers_htmx_with_the_card_and_keeps_text_on_errors(
    desk: dict[str, Any],
) -> None:
    client = browser(desk["member"])
    response = post(client, "/products/orders/feedback/", {"text": "Love it"}, HX_Request="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("{") is False and 'id="give-feedback"' in body
    assert "Thank you" in body and "<html" not in body
    count = Feedback.objects.count()
    blank = post(client, "/products/orders/feedback/", {"text": "  ", "title": "Kept title"})
    assert blank.status_code == 422
    assert (
        "Kept title" in blank.content.decode() and 'aria-invalid="true"' in blank.content.decode()
    )
    too_long = post(client, "/products/orders/feedback/", {"text": "x" * 20_001})
    assert too_long.status_code == 422 and "At most 20,000 characters" in too_long.content.decode()
    bad_interface = post(client, "/products/orders/feedback/", {"text": "Hi", "interface": "nope"})
    assert bad_interface.status_code == 422 and "no interface" in bad_interface.content.decode()
    assert Feedback.objects.count() == count


def test_anonymous_product_page_has_no_form_and_stays_cacheable(
    desk: dict[str, Any], settings: Any
) -> None:
    settings.PUBLIC_FEEDBACK = False
    html = Client().get("/products/orders/").content.decode()
    assert 'id="give-feedback"' in html
    assert "Sign in to give feedback" in html
    assert "csrfmiddlewaretoken" not in html.split('id="give-feedback"')[1].split("</section>")[0]
    settings.PUBLIC_FEEDBACK = True
    html = Client().get("/products/payments/").content.decode()
    assert 'href="/feedback/public/payments/"' in html
    count = Feedback.objects.count()
    assert post(browser(), "/products/orders/feedback/", {"text": "hi"}).status_code == 403
    assert Feedback.objects.count() == count


def test_general_form_leaves_feedback_for_triage(desk: dict[str, Any]) -> None:
    anonymous = Client().get("/feedback/new/")
    assert anonymous.status_code == 302 and "/accounts/sign-in/" in anonymous["Location"]
    client = browser(desk["member"])
    assert client.get("/feedback/new/").status_code == 200
    response = post(client, "/feedback/new/", {"text": "Where do I report a broken crate?"})
    assert response.status_code == 302
    item = Feedback.objects.get(text="Where do I report a broken crate?")
    assert item.product is None and item.channel is None
    triage = client.get("/triage/?state=unrouted").content.decode()
    assert "Where do I report a broken crate?" in triage


def test_public_form_is_off_by_default(desk: dict[str, Any], settings: Any) -> None:
    settings.PUBLIC_FEEDBACK = False
    assert Client().get("/feedback/public/orders/").status_code == 404


def test_public_form_takes_anonymous_feedback_with_honeypot_and_rate_limit(
    desk: dict[str, Any], settings: Any
) -> None:
    settings.PUBLIC_FEEDBACK = True
    settings.SIGNIN_MAX_ATTEMPTS = 3
    client = browser()
    form = client.get("/feedback/public/orders/")
    assert form.status_code == 200
    assert 'name="website"' in form.content.decode()  # the honeypot
    count = Feedback.objects.count()
    # A robot fills the hidden field: it is thanked and nothing is kept.
    robot = post(
        client, "/feedback/public/orders/", {"text": "Buy pills", "website": "spam.example"}
    )
    assert robot.status_code == 302 and Feedback.objects.count() == count
    # A person: name and contact are optional.
    sent = post(
        client, "/feedback/public/orders/", {"text": "Tracking link is broken", "author": "Sam"}
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?sent=1")
    item = Feedback.objects.get(text="Tracking link is broken")
    assert (item.product, item.author_name, item.submitted_by) == (desk["orders"], "Sam", None)
    assert item.source_kind == "public-form"
    assert "Thank you" in client.get(sent["Location"]).content.decode()
    # The third item from this address within the window is the last one taken.
    post(client, "/feedback/public/orders/", {"text": "Second thought"})
    limited = post(client, "/feedback/public/orders/", {"text": "One more"})
    assert limited.status_code == 429
    assert not Feedback.objects.filter(text="One more").exists()
    assert SignInFailure.objects.filter(username="~public-feedback").count() == 3


def test_public_form_sends_signed_in_people_to_the_normal_form(
    desk: dict[str, Any], settings: Any
) -> None:
    settings.PUBLIC_FEEDBACK = True
    response = browser(desk["member"]).get("/feedback/public/orders/")
    assert response.status_code == 302 and response["Location"] == "/products/orders/feedback/"


# --- triage -----------------------------------------------------------------------------------


def test_triage_lists_unpatterned_feedback_newest_first_with_filters(desk: dict[str, Any]) -> None:
    client = browser(desk["member"])
    html = client.get("/triage/").content.decode()
    items = desk["items"]
    texts = [i.text for i in sorted(items.values(), key=lambda i: i.created_at, reverse=True)]
    positions = [html.index(t) for t in texts]
    assert positions == sorted(positions)  # newest first
    assert desk["patterned"].text not in html  # a pattern claims it already
    unrouted = client.get("/triage/?state=unrouted").content.decode()
    assert items["unrouted"].text in unrouted and items["orders"].text not in unrouted
    routed = client.get("/triage/?state=unpatterned").content.decode()
    assert items["orders"].text in routed and items["unrouted"].text not in routed
    by_product = client.get("/triage/?product=ledger").content.decode()
    assert items["ledger"].text in by_product and items["orders"].text not in by_product
    by_channel = client.get(f"/triage/?channel={desk['ops_desk'].pk}").content.decode()
    assert items["ops_unrouted"].text in by_channel and items["unrouted"].text not in by_channel
    assert "Ops desk (1)" in html  # channel filter with what waits in each
    # Unknown filter values show everything rather than failing.
    assert client.get("/triage/?state=bogus&channel=x&page=zz").status_code == 200


def test_triage_pages(desk: dict[str, Any]) -> None:
    for n in range(25):
        give_feedback(SYSTEM, text=f"Extra item {n:02d}", channel=desk["market_desk"])
    client = browser(desk["member"])
    first = client.get("/triage/").content.decode()
    assert "1\N{EN DASH}20 of 30 items" in first and 'href="/triage/?page=2"' in first
    second = client.get("/triage/?page=2").content.decode()
    assert "21\N{EN DASH}30 of 30 items" in second
    assert "Extra item 24" in first and "Extra item 24" not in second


def test_triage_shows_buttons_only_to_those_who_may(desk: dict[str, Any]) -> None:
    items = desk["items"]

    def forms(user: Any) -> str:
        return browser(user).get("/triage/").content.decode()

    member = forms(desk["member"])
    assert "/route/" not in member and "/link/" not in member and "/new-pattern/" not in member
    assert "dana@mail.example" not in member  # contacts only for those who triage
    owner = forms(desk["owner"])
    assert f'action="/triage/{items["unrouted"].pk}/route/"' in owner  # her loop's channel
    assert f'action="/triage/{items["orders"].pk}/new-pattern/"' in owner
    assert f'action="/triage/{items["ledger"].pk}/route/"' not in owner  # bob's product
    assert "dana@mail.example" in owner
    carol = forms(desk["other_owner"])
    # Carol may claim unrouted items for her product, and only for it.
    row = carol.split(f'id="fb-{items["ops_unrouted"].pk}"')[1].split("</li>")[0]
    assert f'action="/triage/{items["ops_unrouted"].pk}/route/"' in row
    options = re.findall(
        r'<option value="([a-z-]+)"', row.split('name="product"')[1].split("</select>")[0]
    )
    assert options == ["refund-desk"]
    assert f'action="/triage/{items["orders"].pk}/route/"' not in carol
    admin = forms(desk["admin"])
    assert all(
        f'action="/triage/{i.pk}/route/"' in admin
        for i in items.values()
        if i.created_at > timezone.now() - timedelta(days=30)
    )


def test_scope_answers_as_the_permission_does(desk: dict[str, Any]) -> None:
    items = [*desk["items"].values(), desk["patterned"]]
    for user in (desk["admin"], desk["owner"], desk["other_owner"], desk["member"]):
        scope = scope_for(user)
        actor = Actor.for_user(user)
        for item in Feedback.objects.filter(pk__in=[i.pk for i in items]).select_related(
            "product", "channel"
        ):
            assert scope.may_triage(item) == actor.can(FEEDBACK_TRIAGE, item), (user, item.text)


def test_owner_routes_an_item_with_a_plain_post_and_with_htmx(desk: dict[str, Any]) -> None:
    client = browser(desk["owner"])
    item = desk["items"]["unrouted"]
    before = ChangeRecord.objects.count()
    response = post(
        client,
        f"/triage/{item.pk}/route/",
        {"product": "orders", "interface": "orders/orders-api", "next": "/triage/?state=unrouted"},
    )
    assert response.status_code == 302 and response["Location"] == "/triage/?state=unrouted"
    item.refresh_from_db()
    assert item.product == desk["orders"] and item.interface.ref == "orders/orders-api"
    assert ChangeRecord.objects.count() == before + 1
    # htmx: the row comes back, routed; an interface of the old product is dropped.
    row = post(
        client,
        f"/triage/{item.pk}/route/",
        {"product": "payments", "interface": "orders/orders-api"},
        HX_Request="true",
    )
    assert row.status_code == 200
    body = row.content.decode()
    assert body.startswith("<li") and "Routed to Payments." in body
    item.refresh_from_db()
    assert item.product == desk["payments"] and item.interface is None
    # An open redirect is not followed.
    away = post(
        client, f"/triage/{item.pk}/route/", {"product": "orders", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/triage/"


@pytest.mark.parametrize(
    ("who", "item", "target"),
    [
        ("member", "unrouted", "orders"),  # owns nothing
        ("other_owner", "orders", "refund-desk"),  # not her item
        ("other_owner", "unrouted", "orders"),  # may claim only for her own product
        ("owner", "ledger", "orders"),  # bob's item
    ],
)
def test_route_refused_changes_nothing(
    desk: dict[str, Any], who: str, item: str, target: str
) -> None:
    client = browser(desk[who])
    before = _state()
    response = post(client, f"/triage/{desk['items'][item].pk}/route/", {"product": target})
    assert response.status_code == 403
    assert _state() == before


def test_other_owner_claims_an_unrouted_item_for_her_product(desk: dict[str, Any]) -> None:
    item = desk["items"]["ops_unrouted"]
    response = post(
        browser(desk["other_owner"]), f"/triage/{item.pk}/route/", {"product": "refund-desk"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.product == desk["refunds"]


def test_link_and_new_pattern_from_triage(desk: dict[str, Any]) -> None:
    client = browser(desk["owner"])
    item, pattern = desk["items"]["orders"], desk["pattern"]
    linked = post(client, f"/triage/{item.pk}/link/", {"pattern": pattern.pk}, HX_Request="true")
    assert linked.status_code == 200 and "Linked to" in linked.content.decode()
    assert PatternFeedback.objects.filter(pattern=pattern, feedback=item).exists()
    assert item.text not in client.get("/triage/").content.decode()  # triaged: out of the inbox
    old = desk["items"]["old"]
    started = post(client, f"/triage/{old.pk}/new-pattern/", {"title": "Checkout is slow"})
    assert started.status_code == 302
    new = Pattern.objects.get(title="Checkout is slow")
    assert list(new.products.all()) == [desk["orders"]]
    assert new.owner == desk["alice"]
    assert PatternFeedback.objects.filter(pattern=new, feedback=old).exists()
    empty = post(client, f"/triage/{desk['items']['unrouted'].pk}/new-pattern/", {"title": " "})
    assert empty.status_code == 302 and Pattern.objects.count() == 2


def test_link_and_new_pattern_refused_change_nothing(desk: dict[str, Any]) -> None:
    before = _state()
    member = browser(desk["member"])
    item = desk["items"]["orders"]
    assert (
        post(member, f"/triage/{item.pk}/link/", {"pattern": desk["pattern"].pk}).status_code == 403
    )
    assert post(member, f"/triage/{item.pk}/new-pattern/", {"title": "Mine now"}).status_code == 403
    carol = browser(desk["other_owner"])
    assert post(carol, f"/triage/{item.pk}/new-pattern/", {"title": "Hers"}).status_code == 403
    assert _state() == before


def test_triage_needs_sign_in_and_csrf(desk: dict[str, Any]) -> None:
    assert Client().get("/triage/").status_code == 302
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk["owner"])
    before = _state()
    item = desk["items"]["unrouted"]
    assert client.post(f"/triage/{item.pk}/route/", {"product": "orders"}).status_code == 403
    assert _state() == before
    assert client.get(f"/triage/{item.pk}/route/").status_code == 405


# --- suggestions ------------------------------------------------------------------------------


@pytest.fixture
def suggested(desk: dict[str, Any]) -> dict[str, Any]:
    texts = [
        "Please add a dark mode to the order page",
        "Dark mode for the order page please",
        "Could the order page get a dark mode?",
        "Dark mode on the order page would help at night",
    ]
    made = [give_feedback(SYSTEM, text=t, product="orders") for t in texts]
    refresh_suggestions(SYSTEM, product=desk["orders"])
    suggestion = (
        Suggestion.objects.filter(kind="new-pattern", status="open").order_by("-score").first()
    )
    assert suggestion is not None, "the grouping proposes the dark-mode group"
    return {**desk, "dark": made, "suggestion": suggestion}


def test_suggestions_page_lists_proposals_with_their_feedback(suggested: dict[str, Any]) -> None:
    s = suggested["suggestion"]
    member = browser(suggested["member"]).get("/suggestions/").content.decode()
    assert s.proposed_title in member
    assert any(f.text in member for f in suggested["dark"])
    assert f"/suggestions/{s.pk}/accept/" not in member  # members read, owners decide
    owner = browser(suggested["owner"]).get("/suggestions/").content.decode()
    assert f'action="/suggestions/{s.pk}/accept/"' in owner
    assert f'href="/suggestions/{s.pk}/edit/"' in owner


def test_accept_a_suggestion(suggested: dict[str, Any]) -> None:
    s = suggested["suggestion"]
    response = post(
        browser(suggested["owner"]), f"/suggestions/{s.pk}/accept/", {}, HX_Request="true"
    )
    assert response.status_code == 200 and "New pattern" in response.content.decode()
    s.refresh_from_db()
    assert s.status == "accepted" and s.pattern is not None
    assert s.pattern.feedback.count() == len(s.member_ids)


def test_edit_then_accept_a_suggestion(suggested: dict[str, Any]) -> None:
    s = suggested["suggestion"]
    client = browser(suggested["owner"])
    form = client.get(f"/suggestions/{s.pk}/edit/")
    assert form.status_code == 200 and 'name="member"' in form.content.decode()
    keep = [int(m) for m in s.member_ids][:2]
    response = post(
        client,
        f"/suggestions/{s.pk}/accept/",
        {"edited": "1", "title": "The order page is too bright at night", "member": keep},
    )
    pattern = Pattern.objects.get(title="The order page is too bright at night")
    assert response.status_code == 302 and response["Location"] == f"/patterns/{pattern.pk}/"
    assert sorted(pattern.feedback.values_list("pk", flat=True)) == sorted(keep)
    none_kept = Suggestion.objects.filter(status="open").first()
    if none_kept is not None:
        back = post(client, f"/suggestions/{none_kept.pk}/accept/", {"edited": "1", "title": "x"})
        assert back.status_code in (302, 403)
        none_kept.refresh_from_db()
        assert none_kept.status == "open"


def test_dismiss_a_suggestion_with_a_reason_is_remembered(suggested: dict[str, Any]) -> None:
    s = suggested["suggestion"]
    client = browser(suggested["owner"])
    response = post(client, f"/suggestions/{s.pk}/dismiss/", {"reason": "Not a problem we solve"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.reason) == ("dismissed", "Not a problem we solve")
    dismissed = client.get("/suggestions/?show=dismissed").content.decode()
    assert "Not a problem we solve" in dismissed
    # The same group is not proposed again.
    refresh_suggestions(SYSTEM, product=suggested["orders"])
    again = Suggestion.objects.filter(status="open", kind="new-pattern")
    assert not any(sorted(x.member_ids) == sorted(s.member_ids) for x in again)


@pytest.mark.parametrize("who", ["member", "other_owner"])
def test_suggestion_decisions_refused_change_nothing(suggested: dict[str, Any], who: str) -> None:
    s = suggested["suggestion"]
    client = browser(suggested[who])
    before = (_state(), list(Suggestion.objects.values_list("pk", "status")))
    assert post(client, f"/suggestions/{s.pk}/accept/").status_code == 403
    assert post(client, f"/suggestions/{s.pk}/dismiss/", {"reason": "no"}).status_code == 403
    assert client.get(f"/suggestions/{s.pk}/edit/").status_code == 403
    assert post(client, "/suggestions/refresh/", {"product": "orders"}).status_code == 403
    assert (_state(), list(Suggestion.objects.values_list("pk", "status"))) == before


def test_owner_refreshes_suggestions(desk: dict[str, Any]) -> None:
    for text in ("Dark mode please", "Please add dark mode", "A dark mode would be nice"):
        give_feedback(SYSTEM, text=text, product="orders")
    client = browser(desk["owner"])
    response = post(client, "/suggestions/refresh/", {"product": "orders"})
    assert response.status_code == 302
    page = client.get("/suggestions/").content.decode()
    assert "feedback items not in a pattern for Orders" in page
    assert Suggestion.objects.filter(product=desk["orders"], status="open").exists()


# --- My loop and the organisation view --------------------------------------------------------


def test_my_loop_shows_what_waits_on_the_owner(desk: dict[str, Any]) -> None:
    improvement = services.create_improvement(
        SYSTEM, title="Send order e-mails at once", patterns=[desk["pattern"]], products=["orders"]
    )
    services.move_improvement(SYSTEM, improvement, "awaiting-approval")
    today = timezone.localdate()
    services.add_milestone(
        SYSTEM, improvement, title="Queue e-mails", due_date=today - timedelta(days=2)
    )
    services.add_milestone(
        SYSTEM, improvement, title="Far away", due_date=today + timedelta(days=60)
    )
    client = browser(desk["owner"])
    html = client.get("/my-loop/").content.decode()
    assert 'href="/my-loop/" aria-current="page"' in html  # linked from the header
    assert desk["items"]["orders"].text in html  # untriaged on her product
    assert desk["items"]["ledger"].text not in html  # not hers
    assert desk["pattern"].title in html and f'href="/patterns/{desk["pattern"].pk}/"' in html
    assert (
        "Send order e-mails at once" in html and f'href="/improvements/{improvement.pk}/"' in html
    )
    assert "Queue e-mails" in html and "overdue" in html
    assert "Far away" not in html
    assert 'href="/triage/?mine=1"' in html


def test_my_loop_for_someone_not_in_the_catalog(desk: dict[str, Any]) -> None:
    html = browser(desk["member"]).get("/my-loop/").content.decode()
    assert "not linked to a person in the catalog" in html
    assert Client().get("/my-loop/").status_code == 302


def test_organisation_view(desk: dict[str, Any]) -> None:
    services.create_pattern(SYSTEM, title="Nobody owns the delivery vans")
    quiet = give_feedback(
        SYSTEM,
        text="Ledger is fine",
        product="ledger",
        created_at=timezone.now() - timedelta(days=120),
    )
    services.create_channel(
        SYSTEM, name="Refund desk survey", kind="survey", product=desk["refunds"]
    )
    Feedback.objects.filter(product=desk["ledger"]).exclude(pk=quiet.pk).delete()
    html = Client().get("/feedback/").content.decode()  # anonymous read is on in this suite
    assert "Where feedback piles up" in html and '<svg class="bar-chart"' in html
    assert 'href="/loops/market/"' in html  # a bar per loop, linking to it
    assert "Not routed yet" in html
    assert "Nobody owns the delivery vans" in html
    quiet_part = html.split('id="quiet"')[1]
    assert "Ledger" in quiet_part and "Refund Desk" in quiet_part  # silent, and never heard from
    assert "Orders" not in quiet_part.split("</section>")[0]
    narrow = Client().get("/feedback/?days=30&quiet=26").content.decode()
    assert "Feedback, last 30 days" in narrow
    assert "Ledger" not in narrow.split('id="quiet"')[1].split("</section>")[0]
    assert Client().get("/feedback/?days=7&quiet=x").status_code == 200


def test_with_many_products_the_route_form_takes_a_product_id(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from productize.web import loopdesk_reads

    monkeypatch.setattr(loopdesk_reads, "ROUTE_LIMIT", 2)
    client = browser(desk["admin"])
    html = client.get("/triage/").content.decode()
    assert 'list="route-products"' in html and '<datalist id="route-products">' in html
    item = desk["items"]["unrouted"]
    unknown = post(client, f"/triage/{item.pk}/route/", {"product": "ordres"})
    assert unknown.status_code == 302
    assert "There is no product with the id `ordres`." in client.get("/triage/").content.decode()
    post(client, f"/triage/{item.pk}/route/", {"product": "ledger"})
    item.refresh_from_db()
    assert item.product == desk["ledger"]
