"""Routes under /accounts/: sign-in (password or provider), sign-out, passwords, API tokens."""

from __future__ import annotations

from django.urls import path

from productize.accounts import oidc, token_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("oidc/start/", oidc.OIDCStartView.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("tokens/", token_views.my_tokens, name="tokens"),
    path("tokens/all/", token_views.all_tokens, name="tokens_all"),
    path("tokens/<int:token_id>/revoke/", token_views.revoke, name="token_revoke"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
