"""Users, their link to catalog people, roles and API tokens."""
