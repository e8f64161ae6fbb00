"""Ingest runs: read a source's descriptor files, check them, and sync the catalog.

A run is incremental and idempotent. Files whose bytes did not change since the last run are
skipped (unless a file had problems that something outside it may have fixed); the changed
ones are parsed and checked with the same rules as `productize check`; the documents without
errors go to `catalog_sync_source`; every finding is stored as an `IngestProblem`, tied to the
product its file declares. One bad file never blocks the others, and a bad file never removes
what it declared before: its owners see why their change did not arrive.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from productize.audit.services import SOURCE_REFRESH, Actor
from productize.catalog.services import SyncResult, catalog_sync_source
from productize.catalog.services.bulk import insert_rows
from productize.domain.checker import DocFacts
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument
from productize.domain.setchecks import check_facts
from productize.domain.yamlload import PositionIndex
from productize.ingest.backstage import BackstageDocument
from productize.ingest.gitfetch import GitError, git_checkout, resolve_subpath
from productize.ingest.hooks import IngestOutcome, run_after_ingest
from productize.ingest.known import known_ids
from productize.ingest.memory import give_back_freed_memory, sqlite_cache_limited
from productize.ingest.models import (
    IngestProblem,
    IngestRun,
    RunStatus,
    Source,
    SourceFile,
    SourceKind,
)
from productize.ingest.problems import (
    Problem,
    attach_products,
    conflict_finding,
    store_clashes,
    store_problems,
)
from productize.ingest.redact import redact_text, redact_url, url_secrets
from productize.ingest.tree_reading import Progress, TreeRead, read_tree

logger = logging.getLogger(__name__)

HOOK_CODE = "after-ingest-failed"


class IngestError(RuntimeError):
    """A run could not read its source at all; the message holds no credentials."""


class ConcurrentRunError(IngestError):
    """Another run of the same source changed it while this one was reading."""


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector for a run.

    A large run keeps hundreds of thousands of parsed documents alive; every full collection
    walks all of them, which cost 40 % of parsing and 25 % of writing at 10,000 products
    (bench/RESULTS.md). A run makes few reference cycles, and they are collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_NO_POSITIONS = PositionIndex()


def _facts_of(doc: ParsedDocument) -> DocFacts:
    """What the set checks need of a document (kept by an imported one, else made now)."""
    facts = doc.facts if isinstance(doc, BackstageDocument) else None
    return facts if facts is not None else DocFacts.of(doc)


def _noop(phase: str, done: int, total: int) -> None:
    return None


def ingest_source(
    *,
    source: Source,
    actor: Actor | None = None,
    progress: Progress | None = None,
    clone_url: str | None = None,
) -> IngestRun:
    """Run one ingest of a registered source and return its run record.

    `actor`, when given, is who asked for the run and must be allowed to refresh the source;
    the catalog changes are recorded as the run's own. `clone_url` overrides the stored git
    URL for this run only (an ad-hoc URL that carries credentials, which are never stored).
    Failures end the run with status `failed` and a message; they are not raised.
    """
    if actor is not None and not actor.can(SOURCE_REFRESH, source):
        raise PermissionDenied(f"{actor.label} may not refresh source {source.name}")
    started = timezone.now()
    # A refresh asked for before this moment is served by this run.
    Source.objects.filter(pk=source.pk, refresh_requested_at__lte=started).update(
        refresh_requested_at=None
    )
    run = IngestRun.objects.create(
        source=source,
        location=redact_url(source.location),
        started_at=started,
        status=RunStatus.RUNNING,
    )
    writer = Actor.for_ingest(run.pk)
    report = progress or _noop
    secrets = url_secrets(clone_url or source.location)
    try:
        _read_and_sync(source, run, writer, report, clone_url)
    except (GitError, IngestError) as error:
        _fail(run, redact_text(str(error), secrets))
    except Exception as error:
        # Logged without the traceback's values: they may hold a URL with credentials.
        message = redact_text(f"{type(error).__name__}: {error}", secrets)
        logger.error("ingest of source %s failed: %s", source.name, message)
        _fail(run, f"internal error: {message}")
    return run


def _read_and_sync(
    source: Source, run: IngestRun, writer: Actor, report: Progress, clone_url: str | None
) -> None:
    if source.kind == SourceKind.GIT:
        with git_checkout(
            clone_url or source.location, branch=source.branch, subpath=source.subpath
        ) as checkout:
            run.commit = checkout.commit
            run.commit_message = checkout.message
            reason = checkout.message or f"commit {checkout.commit[:12]}"
            _ingest_tree(source, run, checkout.root, writer, reason, report)
            Source.objects.filter(pk=source.pk).update(last_commit=checkout.commit)
        return
    try:
        root = resolve_subpath(Path(source.location), source.subpath)
    except (ValueError, OSError) as error:
        raise IngestError(str(error)) from None
    if not root.is_dir():
        raise IngestError(f"`{source.location}` is not a directory")
    _ingest_tree(source, run, root, writer, f"ingest of {source.name}", report)


def _fail(run: IngestRun, message: str) -> None:
    run.status = RunStatus.FAILED
    run.message = message
    run.finished_at = timezone.now()
    run.save()


def _ingest_tree(
    source: Source, run: IngestRun, root: Path, actor: Actor, reason: str, report: Progress
) -> None:
    with _cyclic_gc_paused():
        result, product_paths = _read_check_write(source, run, root, actor, reason, report)
    refresh_statistics(result)
    # The parsed documents are gone by now: the handlers start from a small heap.
    _after_ingest(source, run, root, result, product_paths, report)


# After a change this large, PostgreSQL's planner statistics are stale until autovacuum comes
# round (never, where it is off): a product page then took 250 ms instead of 10 ms at 100,000
# products (bench/RESULTS.md, "Serving under load").
ANALYZE_AFTER = 5_000


def refresh_statistics(result: SyncResult) -> bool:
    """Run ANALYZE on the catalog's tables after a large change on PostgreSQL; True if it ran."""
    if connection.vendor != "postgresql":
        return False
    if result.created + result.updated + result.removed < ANALYZE_AFTER:
        return False
    from productize.audit.models import ChangeRecord
    from productize.catalog import models as catalog

    tables = [
        model._meta.db_table
        for model in (
            catalog.Product,
            catalog.Interface,
            catalog.Consumption,
            catalog.Ownership,
            catalog.ProductTag,
            catalog.Membership,
            ChangeRecord,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    return True


def _read_check_write(
    source: Source, run: IngestRun, root: Path, actor: Actor, reason: str, report: Progress
) -> tuple[SyncResult, dict[str, str]]:
    """The run proper; returns what the sync did and the file of each accepted product."""
    read = read_tree(source, root, report)
    documents = [doc for parsed in read.parsed.values() for doc in parsed.documents]
    findings = [f for parsed in read.parsed.values() for f in parsed.findings]
    # What the catalog knows, minus what the re-read files may take away. A file that could
    # not be parsed cleanly keeps what it declared before, so its entities stay known.
    unparsed = {f.path for f in findings if f.severity is Severity.ERROR}
    scope = (set(read.parsed) - unparsed) | read.removed
    report("checking", 0, len(documents))
    if documents:
        # The same as `check_documents`; imported documents bring their facts, made when
        # they were mapped (they are held packed: not unpacked for the checks).
        facts = [_facts_of(doc) for doc in documents]
        findings.extend(check_facts(facts, known=known_ids(source, facts, scope)))
        del facts
    report("checking", len(documents), len(documents))
    for doc in documents:  # positions serve the checks only; free them before writing
        doc.positions = _NO_POSITIONS
        if isinstance(doc, BackstageDocument):
            doc.facts = None

    bad_documents = {(f.path, f.document) for f in findings if f.severity is Severity.ERROR}
    bad_files = {f.path for f in findings if f.severity is Severity.ERROR}
    accepted = [doc for doc in documents if (doc.path, doc.index) not in bad_documents]
    # A file with errors keeps what it declared before: only clean files and deleted files
    # can remove entities.
    removal_scope = (set(read.parsed) - bad_files) | read.removed

    give_back_freed_memory()  # what the read freed, before the writing phase adds its own
    report("writing", 0, len(accepted))
    with sqlite_cache_limited(), transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        _check_snapshot(locked, read)
        result = catalog_sync_source(
            source=locked,
            documents=accepted,
            actor=actor,
            run=run,
            reason=reason,
            removal_scope=removal_scope,
        )
        findings.extend(conflict_finding(conflict) for conflict in result.conflicts)
        known_files = {path: record.id for path, record in read.snapshot.items()}
        problems = attach_products(findings, documents, read.paths, known_files)
        store_problems(source, run, set(read.parsed) | read.removed, problems)
        store_clashes(source, result.conflicts)
        _store_files(source, run, read, documents, findings, result)
        _finish(run, read, result, problems)
    report("writing", len(accepted), len(accepted))
    product_paths = {doc.id: doc.path for doc in accepted if doc.kind == "product"}
    return result, product_paths


def _after_ingest(
    source: Source,
    run: IngestRun,
    root: Path,
    result: SyncResult,
    product_paths: dict[str, str],
    report: Progress,
) -> None:
    """Let other apps react (re-assessment, interface history) while the tree still exists.

    A failing handler never undoes the ingest: it becomes a problem on the run.
    """
    changed = result.slugs["product.created"] | result.slugs["product.updated"]
    outcome = IngestOutcome(
        source=source,
        run=run,
        root=root,
        changed_products=set(changed),
        removed_products=set(result.slugs["product.removed"]),
        product_paths={slug: path for slug, path in product_paths.items() if slug in changed},
        progress=report,
    )
    report("after-ingest", 0, 1)
    failures = run_after_ingest(outcome)
    report("after-ingest", 1, 1)
    with transaction.atomic():
        # Only the latest run's handler failures are current for the source.
        IngestProblem.objects.filter(source=source, code=HOOK_CODE, current=True).update(
            current=False
        )
        if failures:
            IngestProblem.objects.bulk_create(
                IngestProblem(
                    run=run,
                    source=source,
                    path="",
                    severity=str(Severity.ERROR),
                    code=HOOK_CODE,
                    message=f"after the ingest, {name} failed: {error}",
                    hint="the catalog was updated; this is a bug in productize, please report it",
                )
                for name, error in failures
            )
            IngestRun.objects.filter(pk=run.pk).update(
                errors=F("errors") + len(failures), status=RunStatus.PARTIAL
            )
            run.refresh_from_db()


def _check_snapshot(source: Source, read: TreeRead) -> None:
    # Holding the source's row lock now; if another run changed its files since we read the
    # snapshot, our notion of "changed" is stale and writing would undo its work. Every run
    # that writes file records stamps them with its id, so count and newest stamp suffice.
    now = SourceFile.objects.filter(source=source).aggregate(
        count=Count("id"), newest=Max("last_run_id")
    )
    stamps = [rec.last_run_id for rec in read.snapshot.values() if rec.last_run_id is not None]
    if (now["count"], now["newest"]) != (len(read.snapshot), max(stamps, default=None)):
        raise ConcurrentRunError(
            f"another run of source `{source.name}` finished while this one was reading; "
            "run it again"
        )


def _store_files(
    source: Source,
    run: IngestRun,
    read: TreeRead,
    documents: Sequence[ParsedDocument],
    findings: Sequence[Finding],
    result: SyncResult,
) -> None:
    products: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        if doc.kind == "product":
            products[doc.path].append(doc.id)
    # Files with errors or refused documents are read again next time: what refused them
    # (a missing reference, an id claimed elsewhere) may go away without the file changing.
    recheck = {f.path for f in findings if f.severity is Severity.ERROR}
    recheck.update(conflict.path for conflict in result.conflicts)
    replaced = [read.snapshot[p].id for p in read.parsed if p in read.snapshot]
    replaced += [read.snapshot[p].id for p in read.removed]
    for start in range(0, len(replaced), 500):
        SourceFile.objects.filter(id__in=replaced[start : start + 500]).delete()
    insert_rows(
        SourceFile,
        (
            "source",
            "path",
            "sha256",
            "size",
            "mtime_ns",
            "product_slugs",
            "recheck",
            "last_run",
        ),
        (
            (
                source.pk,
                path,
                parsed.sha256,
                *read.stats.get(path, (0, 0)),
                products.get(path, []),
                path in recheck,
                run.pk,
            )
            for path, parsed in read.parsed.items()
        ),
    )
    if read.restat:
        SourceFile.objects.bulk_update(
            [SourceFile(id=pk, size=size, mtime_ns=mtime) for pk, size, mtime in read.restat],
            ["size", "mtime_ns"],
            batch_size=500,
        )


def _finish(
    run: IngestRun, read: TreeRead, result: SyncResult, problems: Sequence[Problem]
) -> None:
    run.files_seen = read.seen
    run.files_changed = read.changed + len(read.removed)
    run.files_skipped = read.seen - read.changed
    run.created = result.created
    run.updated = result.updated
    run.removed = result.removed
    run.errors = sum(1 for p in problems if p.finding.severity is Severity.ERROR)
    run.warnings = sum(1 for p in problems if p.finding.severity is Severity.WARNING)
    run.status = RunStatus.PARTIAL if run.errors else RunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()


def ingest_path(
    *,
    location: str | Path,
    branch: str = "",
    subpath: str = "",
    actor: Actor | None = None,
    progress: Progress | None = None,
    format: str | None = None,
    backstage_names: str | None = None,
) -> IngestRun:
    """Ingest a directory or git URL given ad hoc (`productize ingest LOCATION`).

    The location becomes a source of its own (found again on the next run, so runs stay
    incremental) that is never refreshed on a schedule. `format` (`auto`, `backstage`) and
    `backstage_names` (comma-separated), when given, become the source's file options.
    Raises `ValidationError` when the location is neither a directory nor a usable git URL.
    """
    from productize.ingest.services import source_for_location

    text = str(location)
    actor = actor or Actor.system("cli")
    source = source_for_location(
        actor=actor,
        location=text,
        branch=branch,
        subpath=subpath,
        format=format,
        backstage_names=backstage_names,
    )
    clone_url = text if source.kind == SourceKind.GIT else None
    return ingest_source(source=source, actor=actor, progress=progress, clone_url=clone_url)
