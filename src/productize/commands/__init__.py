"""Subcommands of the `productize` CLI; see `productize.cli`."""
