"""OpenAPI change classifier: what changed between two versions of a spec, and what breaks."""

from productize.domain.openapi_diff.compare import breaking_changes, compare, pointer
from productize.domain.openapi_diff.kinds import INFO_KINDS, KINDS, Change
from productize.domain.openapi_diff.loader import SpecError, load_spec

__all__ = [
    "INFO_KINDS",
    "KINDS",
    "Change",
    "SpecError",
    "breaking_changes",
    "compare",
    "load_spec",
    "pointer",
]
