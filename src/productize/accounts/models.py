"""A user's link to a catalog person, personal API tokens and failed sign-in attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    """What an API token may do: read, write (as its user may), or everything its user may."""

    READ = "read", "read"
    WRITE = "write", "write"
    ADMIN = "admin", "admin"


class UserProfile(models.Model):
    """Extra facts about a user: which catalog person they are, when the email does not say."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="productize_profile"
    )
    person_slug = models.SlugField(
        max_length=63, blank=True, help_text="The catalog person id; empty = match by email."
    )

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_slug or '(by email)'}"


class ApiToken(models.Model):
    """A personal API token: only the SHA-256 of its secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    secret_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="apitoken_user_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SignInFailure(models.Model):
    """One failed sign-in, kept for the rate limit (per username and address)."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"], name="signinfailure_key")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"
