"""The organisation's characteristics file: found at a source's root, validated, stored.

The file is `characteristics.yaml` (or `*.characteristics.yaml`, or `.yml`) at the root of an
ingest source. It is validated with `load_characteristics`; its problems are stored with it and
shown on the organisation's assessment page. When several sources carry one, the most recently
loaded valid file applies. An invalid file never stops assessment: the defaults apply.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from productize.assessment.models import CharacteristicsFile
from productize.audit.models import Action
from productize.audit.services import Actor, record_change
from productize.domain.assessment import CharacteristicSet, load_characteristics
from productize.domain.findings import Severity

if TYPE_CHECKING:
    from productize.ingest.models import Source

MAX_BYTES = 1_000_000
DEFAULT_DIGEST = "default"
_cache: dict[str, CharacteristicSet] = {}


def find_characteristics_file(root: Path) -> Path | None:
    """The characteristics file at a tree's root, if there is one (first by name)."""
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_file() and not p.is_symlink())
    except OSError:
        return None
    for name in names:
        if name in ("characteristics.yaml", "characteristics.yml") or name.endswith(
            (".characteristics.yaml", ".characteristics.yml")
        ):
            return root / name
    return None


def store_characteristics_file(*, source: Source, root: Path, actor: Actor) -> bool:
    """Read, validate and store a source's characteristics file; True when it changed."""
    found = find_characteristics_file(root)
    existing = CharacteristicsFile.objects.filter(source=source).first()
    if found is None:
        if existing is None:
            return False
        with transaction.atomic():
            existing.delete()
            record_change(
                actor=actor, action=Action.DELETE, object_type="characteristics-file",
                object_id=source.name, before={"path": existing.path}, after=None,
            )  # fmt: skip
        return True
    try:
        data = found.read_bytes()[: MAX_BYTES + 1]
        text = data.decode("utf-8") if len(data) <= MAX_BYTES else None
        problem = None if text is not None else "file is larger than 1 MB"
    except (OSError, UnicodeDecodeError) as error:
        text, problem = None, f"file cannot be read: {error}"
    rel = found.name
    digest = hashlib.sha256((text or problem or "").encode("utf-8")).hexdigest()
    if existing is not None and existing.digest == digest:
        return False
    if text is None:
        findings = [
            {"path": rel, "line": 0, "column": 0, "severity": "error",
             "code": "characteristics-unreadable", "message": problem, "hint": None}
        ]  # fmt: skip
    else:
        _, problems = load_characteristics(text, rel)
        findings = [f.as_dict() for f in problems]
    valid = text is not None and not any(f["severity"] == str(Severity.ERROR) for f in findings)
    with transaction.atomic():
        CharacteristicsFile.objects.update_or_create(
            source=source,
            defaults={"path": rel, "text": text or "", "digest": digest, "valid": valid,
                      "findings": findings, "loaded_at": timezone.now()},
        )  # fmt: skip
        record_change(
            actor=actor, action=Action.UPDATE if existing else Action.CREATE,
            object_type="characteristics-file", object_id=source.name,
            before={"digest": existing.digest} if existing else None,
            after={"path": rel, "digest": digest, "valid": valid, "problems": len(findings)},
        )  # fmt: skip
    return True


def active_file() -> CharacteristicsFile | None:
    """The characteristics file that applies: the most recently loaded valid one."""
    return CharacteristicsFile.objects.filter(valid=True).order_by("-loaded_at", "-id").first()


def active_characteristics() -> tuple[CharacteristicSet, str]:
    """The characteristic set that applies, and its digest (for 'why did this change')."""
    chosen = active_file()
    if chosen is None:
        key = DEFAULT_DIGEST
        if key not in _cache:
            _cache[key] = load_characteristics(None, "default")[0]
        return _cache[key], key
    if chosen.digest not in _cache:
        _cache[chosen.digest] = load_characteristics(chosen.text, chosen.path)[0]
    return _cache[chosen.digest], chosen.digest
