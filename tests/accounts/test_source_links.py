"""Links to a descriptor's file on its repository's web host."""

from __future__ import annotations

import pytest

from productize.web.source_links import file_url, repository_web_root


@pytest.mark.parametrize(
    ("location", "branch", "expected"),
    [
        ("https://github.com/acme/catalog.git", "main",
         "https://github.com/acme/catalog/blob/main/products/a.yaml#L3"),
        ("git@github.com:acme/catalog.git", "",
         "https://github.com/acme/catalog/blob/HEAD/products/a.yaml#L3"),
        ("ssh://git@github.com/acme/catalog", "dev",
         "https://github.com/acme/catalog/blob/dev/products/a.yaml#L3"),
        ("https://x-token:s3cret@github.com/acme/catalog.git", "main",
         "https://github.com/acme/catalog/blob/main/products/a.yaml#L3"),
        ("https://gitlab.com/acme/group/catalog.git", "main",
         "https://gitlab.com/acme/group/catalog/-/blob/main/products/a.yaml#L3"),
        ("git@gitlab.acme.io:platform/catalog.git", "main",
         "https://gitlab.acme.io/platform/catalog/-/blob/main/products/a.yaml#L3"),
        ("https://bitbucket.org/acme/catalog.git", "main",
         "https://bitbucket.org/acme/catalog/src/main/products/a.yaml#lines-3"),
        ("https://codeberg.org/acme/catalog.git", "main",
         "https://codeberg.org/acme/catalog/src/branch/main/products/a.yaml#L3"),
    ],
)  # fmt: skip
def test_known_hosts_get_a_link_to_the_file_and_line(
    location: str, branch: str, expected: str
) -> None:
    assert file_url(location, branch, "products/a.yaml", 3) == expected


def test_unknown_hosts_and_hostile_values_get_no_link() -> None:
    assert file_url("https://git.acme.internal/catalog.git", "main", "a.yaml") is None
    assert file_url("/srv/catalog", "", "a.yaml") is None
    assert file_url("javascript:alert(1)//github.com/a/b", "", "a.yaml") is None
    assert file_url("https://github.com/acme/../etc", "", "a.yaml") is None
    assert file_url("https://github.com/onlyowner", "", "a.yaml") is None
    assert repository_web_root("https://github.com/acme/cat<script>.git") is None
    # Codeberg/Gitea need a branch or a commit to point at.
    assert file_url("https://codeberg.org/acme/catalog", "", "a.yaml") is None
    assert file_url("https://codeberg.org/acme/catalog", "", "a.yaml", 0, "abc123") == (
        "https://codeberg.org/acme/catalog/src/commit/abc123/a.yaml"
    )


def test_paths_and_branches_are_quoted() -> None:
    url = file_url("https://github.com/acme/catalog", "feature/x y", 'p q/"a".yaml', 0)
    assert url == "https://github.com/acme/catalog/blob/feature/x%20y/p%20q/%22a%22.yaml"
