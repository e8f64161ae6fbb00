"""The catalog Django app."""
