"""Did-you-mean and slug helpers: turning a mistake into the likely fix."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from productize.domain.descriptors import ID_MAX

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = ID_MAX) -> str:
    """A valid descriptor id made from any text (`Checkout Service` -> `checkout-service`).

    Returns an empty string when nothing usable is left (e.g. only punctuation).
    """
    # Fold accents first so `Café Crème` becomes `cafe-creme` rather than `caf-cr-me`.
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def _normal(word: str) -> str:
    return word.strip().lower().replace("-", "_").replace(" ", "_")


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    synonyms: dict[str, str] | None = None,
    cutoff: float = 0.6,
) -> str | None:
    """The choice closest to `word` (case, `-`/`_` and known synonyms first), or None."""
    options = list(dict.fromkeys(choices))
    if not options or not isinstance(word, str):
        return None
    normal = _normal(word)
    by_normal = {_normal(option): option for option in options}
    if normal in by_normal and by_normal[normal] != word:
        return by_normal[normal]
    if synonyms and normal in synonyms:
        return synonyms[normal]
    close = difflib.get_close_matches(normal, list(by_normal), n=1, cutoff=cutoff)
    if close and by_normal[close[0]] != word:
        return by_normal[close[0]]
    return None


def hint_for(
    word: str, choices: Iterable[str], *, synonyms: dict[str, str] | None = None
) -> str | None:
    """`did you mean `x`?` when there is a close choice, else None."""
    match = did_you_mean(word, choices, synonyms=synonyms)
    return f"did you mean `{match}`?" if match else None


def one_of(choices: Iterable[str]) -> str:
    """`a, b or c`: a short list of choices for messages."""
    items = [str(choice) for choice in choices]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
