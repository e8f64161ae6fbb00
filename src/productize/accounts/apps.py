"""The accounts app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, roles, API tokens and sign-in."""

    name = "productize.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Put the admin's sign-in under the same attempt limit as the site's."""
        from django.contrib import admin

        from productize.accounts.forms import AdminSignInForm

        admin.site.login_form = AdminSignInForm
