"""Productization assessment: is each product really a product yet, and what is its next step?

Framework-free. `load_characteristics` reads the (organisation's) characteristics file,
`scan_repository` gathers repository evidence, and `assess` judges one product.
"""

from productize.domain.assessment.characteristics import (
    Characteristic,
    CharacteristicSet,
    default_characteristics,
    load_characteristics,
)
from productize.domain.assessment.engine import (
    LEVEL_ORDER,
    LEVEL_TITLES,
    Assessment,
    CharacteristicResult,
    Level,
    NextStep,
    RuleOutcome,
    assess,
)
from productize.domain.assessment.evidence import (
    CatalogEvidence,
    Evidence,
    LoopEvidence,
    RepoEvidence,
    SpecEvidence,
    TreeScanner,
    scan_repository,
)
from productize.domain.assessment.rules import RULES, RuleResult, Status, rule

__all__ = [
    "LEVEL_ORDER",
    "LEVEL_TITLES",
    "RULES",
    "Assessment",
    "CatalogEvidence",
    "Characteristic",
    "CharacteristicResult",
    "CharacteristicSet",
    "Evidence",
    "Level",
    "LoopEvidence",
    "NextStep",
    "RepoEvidence",
    "RuleOutcome",
    "RuleResult",
    "SpecEvidence",
    "Status",
    "TreeScanner",
    "assess",
    "default_characteristics",
    "load_characteristics",
    "rule",
    "scan_repository",
]
