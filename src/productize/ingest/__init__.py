"""The ingest Django app."""
