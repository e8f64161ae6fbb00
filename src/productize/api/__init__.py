"""The JSON API (Django Ninja): thin adapters over the catalog selectors and the services."""
