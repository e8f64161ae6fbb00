"""The one write path for assessment results: assess products, store results, history, audit.

A product is re-assessed only when one of its inputs changed (descriptor, repository evidence,
catalog neighbours, loop, characteristics file), compared by digest with the stored result;
a new history row is written only when the result itself changed, naming the inputs that did.
Each batch writes its results and their audit records in one transaction.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from productize.assessment import evidence as ev
from productize.assessment.characteristics import active_characteristics
from productize.assessment.loop_evidence import loop_digest, loop_evidence
from productize.assessment.models import AssessmentGap, AssessmentHistory, ProductAssessment
from productize.audit.models import Action
from productize.audit.services import CATALOG_WRITE, Actor, Change, record_changes
from productize.catalog.models import Product
from productize.catalog.services.bulk import insert_rows
from productize.domain.assessment import (
    LEVEL_ORDER,
    Assessment,
    CharacteristicSet,
    Level,
    RepoEvidence,
    assess,
)
from productize.domain.assessment.rules import Status
from productize.domain.descriptors import ProductDoc

BATCH = 1_000
PARALLEL_MIN_PRODUCTS = 5_000  # below this, forking workers costs more than it saves
_SHARED: dict[str, Any] = {"root": None, "paths": {}, "solo": False, "unresolved": []}
INPUTS = ("descriptor", "repository", "catalog", "loop", "characteristics")
GAP_STATUSES = frozenset({Status.NOT_MET, Status.PARTLY_MET})
Progress = Callable[[int, int], None]


class AssessmentPermissionError(PermissionError):
    """The actor may not run assessments."""


@dataclass(slots=True)
class AssessSummary:
    """What one assessment run did."""

    assessed: int = 0  # judged again because an input changed
    changed: int = 0  # whose result changed (a history row each)
    unchanged: int = 0  # skipped: no input changed
    problems: list[str] = field(default_factory=list)


def level_rank(level: str) -> int:
    """0 for `none` up to 5 for `maintained`."""
    return LEVEL_ORDER.index(Level(level))


def compact(result: Assessment) -> dict[str, Any]:
    """The stored (and API) shape of a result."""
    return result.as_dict()


def _statuses(result: Mapping[str, Any]) -> dict[str, str]:
    return {c["key"]: c["status"] for c in result.get("characteristics", [])}


def assess_all(
    *,
    actor: Actor,
    progress: Progress | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> AssessSummary:
    """Assess every product of the catalog (only those whose inputs changed are re-judged).

    Large catalogs are split between `jobs` worker processes (default: one per CPU), each
    with its own database connection and its own batches; each batch is one transaction.
    """
    ids = list(Product.objects.order_by("id").values_list("id", flat=True))
    workers = jobs if jobs is not None else len(os.sched_getaffinity(0))
    if workers > 1 and len(ids) >= PARALLEL_MIN_PRODUCTS:
        return _assess_parallel(ids, actor=actor, progress=progress, force=force, jobs=workers)
    return _assess_ids(ids, actor=actor, progress=progress, force=force)


def _assess_parallel(
    ids: Sequence[int],
    *,
    actor: Actor,
    progress: Progress | None,
    force: bool,
    jobs: int,
    root: Path | None = None,
    paths: Mapping[str, str] | None = None,
    solo: bool = False,
) -> AssessSummary:
    """Interleaved batches over forked workers; progress as each batch is done."""
    if not actor.can(CATALOG_WRITE):
        raise AssessmentPermissionError(f"{actor.label} may not run assessments")
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    connections.close_all()  # each worker opens its own connection
    # The working tree's paths reach the workers through fork, not through every task.
    _SHARED.update(root=root, paths=paths or {}, solo=solo, unresolved=ev.unresolved_uses())
    context = multiprocessing.get_context("fork")
    summary = AssessSummary()
    done = 0
    with context.Pool(jobs) as pool:
        tasks = [(b, actor, force) for b in batches]
        for part in pool.imap_unordered(_worker, tasks):
            summary.assessed += part.assessed
            summary.changed += part.changed
            summary.unchanged += part.unchanged
            summary.problems.extend(part.problems)
            done += part.assessed + part.unchanged + len(part.problems)
            if progress is not None:
                progress(min(done, len(ids)), len(ids))
    return summary


def _worker(task: tuple[Sequence[int], Actor, bool]) -> AssessSummary:
    batch, actor, force = task
    try:
        return _assess_ids(
            batch,
            actor=actor,
            force=force,
            root=_SHARED["root"],
            paths=_SHARED["paths"],
            solo=_SHARED["solo"],
            unresolved=_SHARED["unresolved"],
        )
    finally:
        connections.close_all()


def assess_products(
    *,
    slugs: Collection[str],
    actor: Actor,
    root: Path | None = None,
    product_paths: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    force: bool = False,
    solo: bool = False,
    parallel: bool = True,
) -> AssessSummary:
    """Assess these products; with `root` and `product_paths`, scan their working trees.

    `parallel=False` keeps the work in this process: the ingest hook uses it, because forked
    workers would share the ingest process's state (its database connection above all).

    `solo`: the tree holds this one product, so its root is the product's repository;
    otherwise each product's folder is (see `evidence.scan_repository`).
    """
    wanted = sorted(set(slugs))
    ids: list[int] = []
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        ids.extend(Product.objects.filter(slug__in=chunk).values_list("id", flat=True))
    ids.sort()
    paths = product_paths or {}
    workers = len(os.sched_getaffinity(0)) if parallel else 1
    if workers > 1 and len(ids) >= PARALLEL_MIN_PRODUCTS:
        return _assess_parallel(
            ids, actor=actor, progress=progress, force=force, jobs=workers, root=root,
            paths=paths, solo=solo,
        )  # fmt: skip
    return _assess_ids(
        ids, actor=actor, root=root, paths=paths, progress=progress, force=force, solo=solo
    )


def _assess_ids(
    ids: Sequence[int],
    *,
    actor: Actor,
    root: Path | None = None,
    paths: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    force: bool = False,
    solo: bool = False,
    unresolved: Sequence[tuple[str, str]] | None = None,
) -> AssessSummary:
    if not actor.can(CATALOG_WRITE):
        raise AssessmentPermissionError(f"{actor.label} may not run assessments")
    chars, chars_digest = active_characteristics()
    uses = ev.unresolved_uses() if unresolved is None else unresolved
    summary = AssessSummary()
    # One scanner for the whole run: products sharing a folder share its walk.
    scans = ev.RepoScans(root, solo=solo) if root is not None else None
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        _assess_batch(batch, chars, chars_digest, actor, scans, paths or {}, force, summary, uses)
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    return summary


CURRENT_FIELDS = (
    "product_id", "level", "score", "not_yet_a_product", "changed_at",
    *(f"{k}_digest" for k in INPUTS),
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "product", "assessed_at", "changed_at", "level", "level_rank", "score", "not_yet_a_product",
    "result", "repository", "provider_refs", *(f"{k}_digest" for k in INPUTS),
)  # fmt: skip
GAP_COLUMNS = ("product", "characteristic", "status", "expected")
HISTORY_COLUMNS = (
    "product", "at", "level", "score", "not_yet_a_product", "statuses", "why", "changes",
)  # fmt: skip


def _assess_batch(
    ids: Sequence[int],
    chars: CharacteristicSet,
    chars_digest: str,
    actor: Actor,
    scans: ev.RepoScans | None,
    paths: Mapping[str, str],
    force: bool,
    summary: AssessSummary,
    unresolved: Sequence[tuple[str, str]],
) -> None:
    light = [
        SimpleNamespace(id=i, slug=slug, descriptor_hash=h)
        for i, slug, h in Product.objects.filter(id__in=ids).values_list(
            "id", "slug", "descriptor_hash"
        )
    ]
    catalog = ev.catalog_evidence(light, unresolved)
    loops = loop_evidence([row.id for row in light]) or {}
    current = {
        d["product_id"]: d
        for d in ProductAssessment.objects.filter(product_id__in=ids).values(*CURRENT_FIELDS)
    }
    now = timezone.now()
    todo = []
    for row in light:
        old = current.get(row.id)
        scan = scans is not None and row.slug in paths
        digests = {
            "descriptor": row.descriptor_hash,
            "repository": old["repository_digest"] if old is not None else "",
            "catalog": ev.catalog_digest(catalog[row.id]),
            "loop": loop_digest(loops.get(row.id)),  # "" while the loop is not in use
            "characteristics": chars_digest,
        }
        if (
            not scan
            and not force
            and old is not None
            and all(old[f"{k}_digest"] == v for k, v in digests.items())
        ):
            summary.unchanged += 1
            continue
        todo.append((row, old, digests, scan))
    if not todo:
        return
    rows = {r.id: r for r in ev.product_rows([row.id for row, *_ in todo])}
    docs = ev.product_documents(rows.values())
    stored = {
        pid: (result, repository)
        for pid, result, repository in ProductAssessment.objects.filter(
            product_id__in=[row.id for row, old, *_ in todo if old is not None]
        ).values_list("product_id", "result", "repository")
    }
    fresh: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    gaps: list[tuple[Any, ...]] = []
    changes: list[Change] = []
    for row, old, digests, scan in todo:
        doc = docs.get(row.id, f"{row.slug} is gone")
        old_result, repo_json = stored.get(row.id, (None, None))
        repo: RepoEvidence | None
        if not isinstance(doc, ProductDoc):
            summary.problems.append(f"{row.slug}: {doc}")
            continue
        if not digests["descriptor"]:
            digests["descriptor"] = ev.digest(doc.model_dump(mode="json"))
        if scan:
            assert scans is not None
            repo = scans.scan(doc, paths[row.slug])
            repo_json, digests["repository"] = scans.stored(repo)
        else:
            repo = ev.repo_from_json(repo_json)
        if (
            old is not None
            and not force
            and all(old[f"{k}_digest"] == v for k, v in digests.items())
        ):
            summary.unchanged += 1  # a rescanned tree that did not change
            continue
        summary.assessed += 1
        result = assess(doc, chars, repo=repo, catalog=catalog[row.id], loop=loops.get(row.id))
        data = compact(result)
        why = (
            [k for k in INPUTS if old[f"{k}_digest"] != digests[k]]
            if old is not None
            else ["first assessment"]
        )
        statuses = _statuses(data)
        old_statuses = _statuses(old_result or {})
        changed = old is None or (
            old["level"] != result.level.value
            or old["score"] != result.score
            or old["not_yet_a_product"] != result.not_yet_a_product
            or old_statuses != statuses
        )
        fresh.append(
            (
                row.id, now, now if changed or old is None else old["changed_at"],
                result.level.value,
                level_rank(result.level.value), result.score, result.not_yet_a_product, data,
                repo_json, ev.providers(doc), *(digests[k] for k in INPUTS),
            )
        )  # fmt: skip
        gaps.extend(
            (row.id, c.key, c.status.value, c.expected)
            for c in result.characteristics
            if c.status in GAP_STATUSES
        )
        if not changed:
            continue
        summary.changed += 1
        diff = [
            {"key": k, "from": old_statuses.get(k), "to": v}
            for k, v in statuses.items()
            if old is not None and old_statuses.get(k) != v
        ]
        history.append(
            (row.id, now, result.level.value, result.score, result.not_yet_a_product,
             statuses, why, diff)
        )  # fmt: skip
        before = _brief(old["level"], old["score"], old_statuses) if old is not None else None
        changes.append(
            Change(
                Action.UPDATE if old is not None else Action.CREATE,
                "assessment",
                row.slug,
                before,
                _brief(result.level.value, result.score, statuses) | {"why": why},
                f"assessment of {row.slug}",
            )
        )
    if not fresh:
        return
    written = [item[0] for item in fresh]
    with transaction.atomic():
        ProductAssessment.objects.filter(product_id__in=written).delete()
        AssessmentGap.objects.filter(product_id__in=written).delete()
        insert_rows(ProductAssessment, ASSESSMENT_COLUMNS, fresh)
        insert_rows(AssessmentGap, GAP_COLUMNS, gaps)
        insert_rows(AssessmentHistory, HISTORY_COLUMNS, history)
        if changes:
            record_changes(actor=actor, changes=changes, reason="assessment")


def _brief(level: str, score: int, statuses: Mapping[str, str]) -> dict[str, Any]:
    return {"level": level, "score": score, "statuses": dict(statuses)}
