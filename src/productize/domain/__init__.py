"""The framework-free core: descriptors, checks, assessment, text analysis and graph algorithms.

Nothing in this package may import Django (a test enforces it), so `productize check` runs
offline and fast, and every rule is testable without a database.
"""
