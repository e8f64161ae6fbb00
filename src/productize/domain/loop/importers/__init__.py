"""Framework-free importers: external feedback exports -> `FeedbackInput` records."""

from productize.domain.loop.importers.common import FeedbackInput, ImportResult, Skip
from productize.domain.loop.importers.csv import ColumnMapping, import_csv
from productize.domain.loop.importers.discourse import import_discourse_topics
from productize.domain.loop.importers.github import import_github_issues
from productize.domain.loop.importers.jsonl import FieldMapping, import_jsonl

__all__ = [
    "ColumnMapping",
    "FeedbackInput",
    "FieldMapping",
    "ImportResult",
    "Skip",
    "import_csv",
    "import_discourse_topics",
    "import_github_issues",
    "import_jsonl",
]
