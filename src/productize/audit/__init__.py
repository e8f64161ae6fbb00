"""The audit Django app."""
