"""The loop's admin pages show the tables and never offer to change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from productize.loop import models
from tests.accounts.conftest import make_user
from tests.loop import factories


@pytest.mark.parametrize(
    "model",
    [models.FeedbackChannel, models.Feedback, models.Pattern, models.Improvement,
     models.Milestone, models.RoadmapEntry, models.Suggestion, models.Notification],
)  # fmt: skip
def test_admin_lists_and_shows_without_editing(db: Any, settings: Any, model: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    channel = factories.channel(webhook_url="https://hooks.example.com/x")
    factories.feedback(channel=channel)
    client = Client()
    client.force_login(make_user("root", admin=True))
    opts = model._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert page.status_code == 200
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(page.wsgi_request)
    assert not model_admin.has_delete_permission(page.wsgi_request)
    if model is models.FeedbackChannel:
        detail = client.get(reverse("admin:loop_feedbackchannel_change", args=[channel.pk]))
        assert detail.status_code == 200
        assert channel.inbound_secret not in detail.content.decode()
        assert channel.webhook_secret not in detail.content.decode()
