"""GitHub issues exports: the JSON array `GET /repos/{owner}/{repo}/issues` returns."""

from __future__ import annotations

from typing import Any

from productize.domain.loop.importers.common import (
    MAX_SHORT,
    MAX_TEXT,
    MAX_URL,
    FeedbackInput,
    ImportResult,
    clean,
    json_documents,
    time_field,
)


def _repository(issue: dict[str, Any]) -> str | None:
    # `repository_url` is https://api.github.com/repos/{owner}/{repo}; the repo name is the
    # best product hint GitHub gives (triage confirms it).
    url = issue.get("repository_url")
    if isinstance(url, str) and "/repos/" in url:
        return url.rsplit("/", 1)[-1] or None
    return None


def _labels(issue: dict[str, Any]) -> tuple[str, ...]:
    labels = issue.get("labels")
    if not isinstance(labels, list):
        return ()
    names = (label.get("name") if isinstance(label, dict) else label for label in labels)
    return tuple(str(name)[:MAX_SHORT] for name in names if isinstance(name, str) and name)


def import_github_issues(
    data: bytes, *, source: str = "github", max_text: int = MAX_TEXT
) -> ImportResult:
    """Feedback from a GitHub issues export; pull requests are skipped with a reason."""
    result = ImportResult()
    documents = json_documents(data, result)
    if documents is None:
        return result
    issues: list[tuple[str, Any]] = []
    for page, document in enumerate(documents, start=1):
        if isinstance(document, dict):
            document = [document]  # a single issue (`GET .../issues/{n}`)
        if not isinstance(document, list):
            result.skip(
                f"page {page}", f"expected a JSON array of issues, found {type(document).__name__}"
            )
            continue
        prefix = f"page {page}, " if len(documents) > 1 else ""
        issues.extend((f"{prefix}item {i}", issue) for i, issue in enumerate(document, start=1))
    seen: dict[tuple[str, str], str] = {}
    for where, issue in issues:
        if not isinstance(issue, dict):
            result.skip(where, f"expected an issue object, found {type(issue).__name__}")
            continue
        number = issue.get("number")
        label = f"{where} (#{number})" if number is not None else where
        if "pull_request" in issue:
            result.skip(label, "a pull request, not an issue (the issues API lists both)")
            continue
        item = _issue(issue, source, label, result, max_text)
        if item is not None:
            result.add(item, label, seen)
    return result


def _issue(
    issue: dict[str, Any], source: str, where: str, result: ImportResult, max_text: int
) -> FeedbackInput | None:
    title = clean(issue.get("title"), limit=MAX_SHORT, where=where, name="title", result=result)
    body = clean(issue.get("body"), limit=max_text, where=where, name="body", result=result)
    if not title and not body:
        result.skip(where, "no title and no body")
        return None
    # The global id survives transfers between repositories; the URL is the fallback.
    ids = (issue.get(key) for key in ("id", "node_id", "html_url"))
    raw_id = next((v for v in ids if isinstance(v, str | int) and not isinstance(v, bool)), None)
    user = issue.get("user")
    user = user if isinstance(user, dict) else {}
    return FeedbackInput(
        source=source,
        external_id=str(raw_id)[:MAX_SHORT] if raw_id is not None else None,
        text=body or title or "",
        title=title,
        author=clean(user.get("login"), limit=MAX_SHORT, where=where, name="author", result=result),
        # GitHub does not export e-mail addresses; the issue itself is the way back to them.
        author_contact=None,
        created_at=time_field(
            issue.get("created_at"), where=where, name="created_at", result=result
        ),
        product_hint=_repository(issue),
        url=clean(issue.get("html_url"), limit=MAX_URL, where=where, name="url", result=result),
        labels=_labels(issue),
    )
