"""The web Django app."""
