"""Routes of the audit trail pages."""

from __future__ import annotations

from django.urls import path

from productize.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("export.jsonl", views.export, name="export"),
    path("<str:object_type>/<path:object_id>/", views.history, name="history"),
]
