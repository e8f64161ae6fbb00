"""Hypothesis fuzzing of `parse_bytes`: it never raises, and its findings point into the file."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from productize.domain.descriptors import ProductDoc
from productize.domain.parse import parse_bytes
from productize.domain.suggest import slugify

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_findings_inside(data: bytes, parsed: object) -> None:
    text = data.decode("utf-8", "replace")
    # Any character YAML may count as a line break, so the bound holds for every convention.
    lines = len(text.splitlines()) + text.count("\r") + 2
    for finding in parsed.findings:  # type: ignore[attr-defined]
        assert finding.line >= 0 and finding.column >= 0, finding
        assert finding.line <= lines, (finding, lines)
        assert finding.line > 0 or finding.column == 0, finding
        assert finding.code and finding.message


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    parsed = parse_bytes("fuzz.yaml", data)
    assert "internal-error" not in {f.code for f in parsed.findings}
    _assert_findings_inside(data, parsed)


KEYS = st.sampled_from(
    [
        "kind",
        "id",
        "name",
        "stage",
        "owners",
        "scope",
        "does",
        "interfaces",
        "provides",
        "consumes",
        "tags",
        "x",
        "<<",
        "1",
        "true",
        "- a",
        "'q'",
    ]
)
SCALARS = st.one_of(
    st.sampled_from(
        [
            "product",
            "team",
            "checkout",
            "Bad Id",
            "growing",
            "~",
            "yes",
            "12",
            "1.5",
            "&a x",
            "*a",
            "!!str 3",
            "!!python/name:os",
            "'q'",
            '"d"',
            "|",
            ">",
            "[",
            "{",
            "\t",
            "@",
            "`",
            "%",
            "---",
            "...",
            "# c",
            "",
        ]
    ),
    st.text(alphabet=string.printable, max_size=12),
)


@st.composite
def yamlish(draw: st.DrawFn, depth: int = 0) -> str:
    """Text shaped like YAML: mappings, lists and flow collections, often slightly wrong."""
    indent = "  " * depth
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS)
        shape = draw(st.integers(0, 5 if depth < 3 else 1))
        if shape <= 1:
            lines.append(f"{indent}{key}: {draw(SCALARS)}")
        elif shape == 2:
            items = draw(st.lists(SCALARS, max_size=3))
            lines.append(f"{indent}{key}: [{', '.join(items)}]")
        elif shape == 3:
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {item}" for item in draw(st.lists(SCALARS, max_size=3)))
        else:
            lines.append(f"{indent}{key}:")
            lines.append(draw(yamlish(depth + 1)))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["---", "...", "\t- x", " bad: indent", "%YAML 1.2"])))
    return "\n".join(lines)


@FUZZ
@given(yamlish(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_yaml_shaped_text_never_raises(text: str, newline: str, bom: bool) -> None:
    data = (("\ufeff" if bom else "") + text.replace("\n", newline)).encode("utf-8")
    parsed = parse_bytes("fuzz.yaml", data)
    assert "internal-error" not in {f.code for f in parsed.findings}
    _assert_findings_inside(data, parsed)


WORDS = st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=20).filter(
    lambda s: slugify(s) != ""
)


@st.composite
def products(draw: st.DrawFn) -> dict[str, object]:
    """A valid product document as plain data."""
    name = draw(WORDS).strip() or "x"
    return {
        "kind": "product",
        "id": slugify(name) or "x",
        "name": name,
        "stage": draw(st.sampled_from(["idea", "prototype", "growing", "retired"])),
        "owners": draw(st.lists(st.sampled_from(["alice", "team:ops", "person:bob"]), max_size=3)),
        "tags": draw(st.lists(st.sampled_from(["core", "x.y", "a-b"]), max_size=3, unique=True)),
        "scope": {"does": draw(st.lists(WORDS.map(str.strip).filter(bool), max_size=3))},
        "interfaces": {
            "provides": [
                {"name": n, "kind": "api"}
                for n in draw(st.lists(st.sampled_from(["api", "ui", "feed"]), unique=True))
            ],
            "consumes": draw(st.lists(st.sampled_from(["a/b", "c-d/e"]), max_size=2)),
        },
    }


def _to_yaml(value: object, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}{key}:\n{_to_yaml(item, indent + 1)}")
            else:
                out.append(f"{pad}{key}: {_scalar(item)}")
        return "\n".join(out)
    assert isinstance(value, list)
    return "\n".join(
        f"{pad}-\n{_to_yaml(item, indent + 1)}"
        if isinstance(item, dict)
        else f"{pad}- {_scalar(item)}"
        for item in value
    )


def _scalar(value: object) -> str:
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@FUZZ
@given(products())
def test_valid_generated_products_round_trip(product: dict[str, object]) -> None:
    text = _to_yaml(product) + "\n"
    parsed = parse_bytes("product.yaml", text.encode())
    assert parsed.findings == [], [f.render() for f in parsed.findings]
    (doc,) = parsed.documents
    expected = ProductDoc.model_validate(product)
    assert doc.model == expected
    assert doc.id == product["id"]
