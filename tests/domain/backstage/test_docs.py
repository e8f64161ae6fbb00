"""docs/backstage.md documents every finding code the reader can report."""

from __future__ import annotations

import re
from pathlib import Path

from productize.domain.backstage.model import CODES
from tests.domain.backstage.conftest import CORPUS, read_case

DOC = Path(__file__).resolve().parents[3] / "docs" / "backstage.md"


def test_every_code_is_documented_and_used_codes_are_known() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"\| `(backstage-[a-z-]+)` \|", text))
    assert documented == set(CODES)
    seen = {f.code for case in ("basic", "messy", "locations", "substitutions")
            for f in read_case(case).findings}  # fmt: skip
    assert {c for c in seen if c.startswith("backstage-")} <= set(CODES)
    assert (CORPUS / "basic").is_dir()
