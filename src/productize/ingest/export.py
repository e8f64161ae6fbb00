"""Write the catalog back as descriptor files (`productize export DIR`).

The layout is one a person would write: `organization.yaml`, `loops.productize.yaml`,
`teams.productize.yaml`, `people.productize.yaml` and `products/<id>/product.yaml`. Ingesting
the result into an empty database gives the same catalog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from productize.catalog.models import Loop, Organization, Person, Product, Team
from productize.catalog.services.rows import document_from_row

try:  # libyaml's emitter is several times faster where PyYAML was built with it.
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

CHUNK = 2000
HEADER = "# Written by `productize export`. Edit freely; `productize check` validates.\n"


class ExportError(RuntimeError):
    """The export cannot write where it was asked to."""


class _Dumper(_BaseDumper):
    """Block style for multi-line text, so missions read as paragraphs."""


def _text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_documents(documents: list[dict[str, Any]]) -> str:
    """YAML text for one or more documents, keys in the order given."""
    return yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        explicit_start=len(documents) > 1,
        width=100,
    )


def _documents(kind: str, queryset: Any) -> Iterator[dict[str, Any]]:
    for row in queryset.iterator(chunk_size=CHUNK):
        yield document_from_row(kind, row)


def _write(path: Path, documents: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + dump_documents(documents), encoding="utf-8")


def _prepare(directory: Path, overwrite: bool) -> Path:
    """The directory, created; refused when it holds files and `overwrite` is false."""
    directory = directory.expanduser()
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory")
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise ExportError(f"{directory} is not empty; pass --force to write into it anyway")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def export_catalog(
    directory: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Counter[str]:
    """Write every catalog entity as descriptor files under `directory`; return counts by kind.

    Refuses a directory that already holds files unless `overwrite` is true (then the files
    it writes replace theirs; other files are left alone).
    """
    directory = _prepare(directory, overwrite)
    counts: Counter[str] = Counter()

    singles: list[tuple[str, str, Any]] = [
        ("organization", "organization.yaml", Organization.objects.order_by("slug")),
        (
            "loop",
            "loops.productize.yaml",
            Loop.objects.order_by("slug").prefetch_related("ownerships"),
        ),
        ("team", "teams.productize.yaml", Team.objects.order_by("slug")),
        ("person", "people.productize.yaml", Person.objects.order_by("slug")),
    ]
    for kind, name, queryset in singles:
        documents = list(_documents(kind, queryset))
        if documents:
            _write(directory / name, documents)
            counts[kind] = len(documents)

    products = Product.objects.order_by("slug").prefetch_related(
        "ownerships", "interfaces", "consumptions"
    )
    total = products.count()
    for done, document in enumerate(_documents("product", products), start=1):
        _write(directory / "products" / document["id"] / "product.yaml", [document])
        counts["product"] += 1
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
    return counts


def export_backstage_catalog(
    directory: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Counter[str]:
    """Write the catalog as Backstage entities (`catalog-info.yaml` and the files it lists).

    Loops become Domains and Systems, teams Groups, people Users, products Components and
    their provided interfaces APIs (or the Resources they came from); docs/backstage.md has
    the mapping. Returns counts by Backstage kind. The organisation has no Backstage kind.
    """
    from productize.domain.backstage.export import export_backstage, write_backstage
    from productize.domain.descriptors import MODEL_BY_KIND

    directory = _prepare(directory, overwrite)
    documents: list[Any] = []
    extras: dict[tuple[str, str], dict[str, str]] = {}
    querysets: list[tuple[str, Any]] = [
        ("loop", Loop.objects.order_by("slug").prefetch_related("ownerships")),
        ("team", Team.objects.order_by("slug")),
        ("person", Person.objects.order_by("slug")),
        (
            "product",
            Product.objects.order_by("slug").prefetch_related(
                "ownerships", "interfaces", "consumptions"
            ),
        ),
    ]
    total = sum(queryset.count() for _, queryset in querysets)
    done = 0
    for kind, queryset in querysets:
        model = MODEL_BY_KIND[kind]
        for row in queryset.iterator(chunk_size=CHUNK):
            documents.append(model.model_validate(document_from_row(kind, row)))
            if kind != "product" and row.annotations:
                extras[(kind, row.slug)] = dict(row.annotations)
            done += 1
            if progress is not None and (done % 1000 == 0 or done == total):
                progress(done, total)
    entities = export_backstage(documents, extras=extras)
    write_backstage(directory, entities)
    return Counter(entity["kind"] for entity in entities)
