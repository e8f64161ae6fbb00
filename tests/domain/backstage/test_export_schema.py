"""Exported entities are valid against the JSON Schemas Backstage publishes.

The schemas ship in the npm package `@backstage/catalog-model` (as JavaScript modules, which
`node` turns back into JSON here). Nothing is vendored: set PRODUCTIZE_BACKSTAGE_SCHEMAS to
the installed package directory, e.g. after
`npm install --prefix /tmp/bs @backstage/catalog-model`:
`PRODUCTIZE_BACKSTAGE_SCHEMAS=/tmp/bs/node_modules/@backstage/catalog-model`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from productize.domain.backstage.export import check_entity, export_mapped
from tests.domain.backstage.conftest import read_case

_DUMP = r"""
const fs = require('fs'), path = require('path'); const out = {};
function walk(d) { for (const f of fs.readdirSync(d)) { const p = path.join(d, f);
  if (fs.statSync(p).isDirectory()) walk(p);
  else if (f.endsWith('.schema.json.cjs.js')) out[f] = require(p).default; } }
walk(path.join(process.argv[1], 'dist', 'schema'));
process.stdout.write(JSON.stringify(out));
"""
_KIND_FILE = re.compile(r"^([A-Za-z]+)\.v1alpha1\.schema\.json\.cjs\.js$")


def _schemas() -> tuple[dict[str, Any], Any]:
    package = os.environ.get("PRODUCTIZE_BACKSTAGE_SCHEMAS")
    if not package:
        pytest.skip("set PRODUCTIZE_BACKSTAGE_SCHEMAS to an npm-installed @backstage/catalog-model")
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:
        pytest.fail("PRODUCTIZE_BACKSTAGE_SCHEMAS is set but `jsonschema` is not installed")
    done = subprocess.run(
        ["node", "-e", _DUMP, str(Path(package).resolve())],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    files: dict[str, Any] = json.loads(done.stdout)
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in files.values()
    )
    kinds = {m.group(1): s for f, s in files.items() if (m := _KIND_FILE.match(f))}
    assert {"Component", "API", "Domain", "System", "Group", "User", "Resource"} <= set(kinds)
    return kinds, registry


def test_exported_entities_match_backstage_schemas() -> None:
    kinds, registry = _schemas()
    import jsonschema

    result = read_case("basic")
    entities = export_mapped(result.documents, result.definitions)
    assert {e["kind"] for e in entities} >= {"Component", "API", "Resource", "Group", "User"}
    for entity in entities:
        validator = jsonschema.Draft7Validator(kinds[entity["kind"]], registry=registry)
        errors = [e.message for e in validator.iter_errors(entity)]
        assert errors == [], (entity["kind"], entity["metadata"]["name"], errors)
    broken = {"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
              "metadata": {"name": "x"}, "spec": {"type": "service"}}  # fmt: skip
    validator = jsonschema.Draft7Validator(kinds["Component"], registry=registry)
    assert list(validator.iter_errors(broken)), "the schemas are really applied"


def test_the_structural_self_check_needs_no_npm() -> None:
    result = read_case("basic")
    entities = export_mapped(result.documents, result.definitions)
    assert [(e["metadata"]["name"], check_entity(e)) for e in entities if check_entity(e)] == []
    bad = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "Not valid!", "tags": ["Upper"]},
        "spec": {"type": "openapi"},
    }
    assert check_entity(bad) == [
        "metadata.name 'Not valid!'", "metadata.tags 'Upper'",
        "spec.lifecycle", "spec.owner", "spec.definition",
    ]  # fmt: skip
