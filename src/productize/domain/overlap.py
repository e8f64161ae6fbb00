"""Scope overlap: pairs of products whose missions or `does` lists claim the same job.

Each product becomes a bag of stemmed words (mission + `does` items, stop words removed),
weighted TF-IDF style: `(1 + log tf) * log(N / df)`, then normalised to length 1. Two products
overlap when the cosine similarity of their vectors reaches a threshold; each pair is shown
with the words that contributed most, so a person can judge whether the jobs really collide.

To scale, similarities are accumulated through an inverted index (word -> products) instead
of comparing every pair. Words in more than `max_df` of the products are skipped as
candidates: they carry almost no weight (their IDF is near zero) and would make the index
quadratic. With that, 10,000 products take a second or two in pure Python.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_STOP_TEXT = """a about above after all also an and any are as at be because been being both but by
    can could did do does doing done for from further had has have having he her here hers
    him his how i if in into is it its itself just me more most my no nor not of off on once
    only or other our ours out over own same she should so some such than that the their them
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours every each way ways thing
    things make makes help helps let lets get gets one people someone anyone everyone product
    products team teams use uses using used"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "ings", "ing", "edly", "ed", "ly")


@dataclass(frozen=True, slots=True)
class OverlapInput:
    """What overlap needs from a product: its id, mission and `does` list."""

    id: str
    mission: str | None
    does: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two products that seem to claim the same job, with the words they share."""

    a: str
    b: str
    similarity: float
    shared_words: tuple[str, ...]


def stem(word: str) -> str:
    """A crude suffix-stripping stem: `deliveries`, `delivery` and `delivered` meet."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith(("e", "y")) and len(word) > 3:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed content words of a text."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def find_overlaps(
    products: Iterable[OverlapInput],
    *,
    threshold: float = 0.35,
    max_df: float = 0.05,
    min_df_cap: int = 50,
    top_words: int = 5,
) -> list[Overlap]:
    """Pairs with cosine similarity ≥ threshold, most similar first."""
    items = list(products)
    n = len(items)
    if n < 2:
        return []
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)  # stem -> original words seen
    bags: list[Counter[str]] = []
    for item in items:
        bag: Counter[str] = Counter()
        for text in (item.mission or "", *item.does):
            for word in _WORD.findall(text.lower()):
                if word in STOP_WORDS or len(word) < 2:
                    continue
                root = stem(word)
                bag[root] += 1
                surfaces[root][word] += 1
        bags.append(bag)
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    idf = {word: math.log(n / count) for word, count in df.items()}
    vectors: list[dict[str, float]] = []
    for bag in bags:
        vector = {w: (1 + math.log(tf)) * idf[w] for w, tf in bag.items() if idf[w] > 0}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        vectors.append({w: v / norm for w, v in vector.items()} if norm else {})
    # Inverted index over the words rare enough to be telling; see the module docstring.
    df_limit = max(min_df_cap, int(max_df * n))
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for word, weight in vector.items():
            if df[word] <= df_limit:
                index[word].append((i, weight))
    overlaps: list[Overlap] = []
    for i, vector in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for word, weight in vector.items():
            for j, other in index.get(word, ()):
                if j > i:
                    scores[j] += weight * other
        for j, score in scores.items():
            if score < threshold:
                continue
            # Exact cosine (the index skipped very common words) and the words behind it.
            other_vector = vectors[j]
            shared = {w: vector[w] * other_vector[w] for w in vector.keys() & other_vector.keys()}
            similarity = sum(shared.values())
            if similarity < threshold:
                continue
            best = sorted(shared, key=lambda w: (-shared[w], w))[:top_words]
            words = tuple(surfaces[w].most_common(1)[0][0] for w in best)
            overlaps.append(Overlap(items[i].id, items[j].id, round(similarity, 3), words))
    overlaps.sort(key=lambda o: (-o.similarity, o.a, o.b))
    return overlaps
