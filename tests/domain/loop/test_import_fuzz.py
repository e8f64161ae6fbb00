"""No input makes an importer raise; whatever it keeps is clean text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from productize.domain.loop.importers import (
    ColumnMapping,
    FieldMapping,
    ImportResult,
    import_csv,
    import_discourse_topics,
    import_github_issues,
    import_jsonl,
)

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check(result: ImportResult) -> None:
    for item in result.items:
        assert item.text and not CONTROL.search(item.text)
        assert len(item.text) <= 50_000
    assert all(skip.where and skip.why for skip in result.skipped + result.notes)


csv_like = st.lists(
    st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), max_size=4), max_size=6
).map(lambda rows: "\n".join(",".join(row) for row in [["text", "id"], *rows]).encode())


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300), csv_like))
def test_csv_never_raises(data: bytes) -> None:
    check(import_csv(data, mapping=ColumnMapping("text", external_id="id"), source="s"))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_json_importers_never_raise(data: bytes) -> None:
    check(import_jsonl(data, mapping=FieldMapping(), source="s"))
    check(import_github_issues(data))
    check(import_discourse_topics(data))


KEYS = [
    "id",
    "title",
    "body",
    "user",
    "login",
    "labels",
    "name",
    "pull_request",
    "topic_list",
    "topics",
    "post_stream",
    "posts",
    "raw",
    "cooked",
    "created_at",
    "tags",
    "posters",
    "users",
    "username",
    "description",
    "user_id",
    "excerpt",
    "category_id",
    "slug",
    "html_url",
    "repository_url",
    "number",
    "node_id",
    "post_number",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(KEYS),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_structured_json_never_raises(value: object) -> None:
    import json

    data = json.dumps(value).encode()
    check(import_github_issues(data))
    check(import_discourse_topics(data))
    check(import_jsonl(data, mapping=FieldMapping(text="body", external_id="id"), source="s"))
