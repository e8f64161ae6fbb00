"""Pattern suggestions: group unpatterned feedback into proposed patterns, and link new feedback
to existing patterns.

Texts become TF-IDF vectors over words (1-2 grams) and characters (3-5 grams within words, so
typos and word forms still meet); the two blocks are weighted and normalised, so a dot product
is a cosine similarity. Grouping is average-linkage agglomerative clustering cut at a
similarity threshold, so the number of patterns need not be known up front. It runs on a
sparse graph of each item's nearest neighbours (every pair, in sets smaller than the degree),
which keeps time and memory linear in the number of items; how pairs missing from the graph
are counted is explained at `_average_linkage`.

scikit-learn (and numpy/scipy) are imported when first used, so importing this module stays
cheap and `productize check` never needs them.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Sentence ends, and the `Hi all -` / `Bug report:` joints that set greetings apart.
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+|(?<=:)\s+|\s+-\s+")


@dataclass(frozen=True, slots=True)
class TextItem:
    """A feedback item as the suggester sees it: an id and its text (title included)."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class SuggestParams:
    """Knobs of the grouping, tuned on the labelled set (see bench/bench_suggest.py)."""

    threshold: float = 0.08  # minimum average similarity inside a group
    min_size: int = 2  # a suggestion needs at least this many items
    # Each item keeps its most similar `neighbours` in the graph (all of them in smaller sets):
    # more finds big groups better on large sets and costs time.
    neighbours: int = 150
    word_weight: float = 0.5  # share of the word block against the character block
    max_chars: int = 2_000  # long texts are cut for vectorising (the start says the most)
    min_similarity: float = 0.05  # pairs below this are not kept in the graph


@dataclass(frozen=True, slots=True)
class PatternSuggestion:
    """A proposed pattern: a problem-statement title, its members and how sure we are."""

    title: str
    terms: tuple[str, ...]
    member_ids: tuple[str, ...]
    central_id: str
    cohesion: float  # mean pairwise similarity of the members
    confidence: float  # cohesion, discounted for small groups

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "title": self.title,
            "terms": list(self.terms),
            "member_ids": list(self.member_ids),
            "central_id": self.central_id,
            "cohesion": self.cohesion,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class PatternProfile:
    """An existing pattern for linking: its problem statement and its members' texts."""

    id: str
    statement: str
    member_texts: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class LinkSuggestion:
    """Proposes linking a feedback item to an existing pattern."""

    feedback_id: str
    pattern_id: str
    similarity: float


# --- vectors ------------------------------------------------------------------------------


Embedder = Callable[[list[str]], Any]
"""An optional backend: texts -> a 2-D array of vectors (e.g. a sentence-embedding model).

With one, similarity comes from its vectors and TF-IDF only names the groups; its cosine
scale differs, so tune `SuggestParams.threshold` for it (bench/bench_suggest.py --sweep).
"""


@dataclass(slots=True)
class _Vectors:
    matrix: csr_matrix  # rows L2-normalised: what similarity is measured on
    words: csr_matrix  # the word TF-IDF block alone, for naming groups
    vocabulary: list[str]
    word_model: Any
    char_model: Any
    word_weight: float
    embed: Embedder | None = None

    def transform(self, texts: Sequence[str], max_chars: int) -> csr_matrix:
        """Vectors for other texts in the same space."""
        cut = [t[:max_chars] for t in texts]
        if self.embed is not None:
            return _embedded(self.embed, cut)
        return _combine(
            self.word_model.transform(cut), self.char_model.transform(cut), self.word_weight
        )


class _NoVocabulary:
    """Stands in for a vectoriser that found no terms at all (only stop words, say)."""

    def transform(self, texts: list[str]) -> csr_matrix:
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 0))


def _embedded(embed: Embedder, texts: list[str]) -> csr_matrix:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    vectors = np.asarray(embed(texts), dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] != len(texts):
        raise ValueError(f"the embedder returned shape {vectors.shape} for {len(texts)} texts")
    return csr_matrix(normalize(vectors))


def _combine(words: Any, chars: Any, word_weight: float) -> csr_matrix:
    from scipy.sparse import hstack
    from sklearn.preprocessing import normalize

    # Each block is L2-normalised by its vectoriser; the square roots make `word_weight` the
    # share of the cosine that comes from words.
    combined = hstack([words * word_weight**0.5, chars * (1 - word_weight) ** 0.5]).tocsr()
    return normalize(combined)


def _fit(texts: Sequence[str], params: SuggestParams, embed: Embedder | None = None) -> _Vectors:
    from sklearn.feature_extraction.text import TfidfVectorizer

    cut = [t[: params.max_chars] for t in texts]
    # min_df=2 drops words seen once (they cannot make two items alike) — unless the set is so
    # small that nothing would be left.
    min_df = 2 if len(cut) >= 20 else 1
    word_model = TfidfVectorizer(
        strip_accents="unicode",
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=min_df,
        max_df=0.5 if len(cut) >= 20 else 1.0,
        # Words start with a letter: order numbers and amounts say little about the problem.
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9]+\b",  # noqa: S106 - not a password
    )
    char_model = TfidfVectorizer(
        analyzer="char_wb",
        strip_accents="unicode",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=min_df,
        max_df=0.5 if len(cut) >= 20 else 1.0,
        max_features=200_000,
    )
    words, word_model = _fit_or_empty(word_model, cut)
    chars, char_model = _fit_or_empty(char_model, cut)
    vocabulary = list(word_model.get_feature_names_out()) if words.shape[1] else []
    if embed is not None:
        matrix = _embedded(embed, cut)
    else:
        matrix = _combine(words, chars, params.word_weight)
    return _Vectors(matrix, words, vocabulary, word_model, char_model, params.word_weight, embed)


def _fit_or_empty(model: Any, texts: list[str]) -> tuple[Any, Any]:
    from scipy.sparse import csr_matrix

    try:
        return model.fit_transform(texts), model
    except ValueError:
        # Only stop words or punctuation: no vocabulary. An empty block keeps shapes right.
        return csr_matrix((len(texts), 0)), _NoVocabulary()


# --- grouping -------------------------------------------------------------------------------


def _degree(n: int, params: SuggestParams) -> int:
    """How many neighbours each item keeps in the graph: all of them for small sets."""
    return max(1, min(n - 1, params.neighbours))


def _similarity_graph(matrix: csr_matrix, params: SuggestParams) -> list[dict[int, float]]:
    """For each item, its similar items and similarities (symmetric, no self-loops)."""
    import numpy as np
    from scipy.sparse import coo_matrix

    n = matrix.shape[0]
    k = _degree(n, params)
    transposed = matrix.T.tocsr()
    chunk = 512
    rows: list[Any] = []
    cols: list[Any] = []
    values: list[Any] = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        block = (matrix[start:stop] @ transposed).toarray()
        block[np.arange(stop - start), np.arange(start, stop)] = -1.0  # not its own neighbour
        if k < n - 1:
            top = np.argpartition(-block, k, axis=1)[:, :k]
        else:
            top = np.tile(np.arange(n), (stop - start, 1))
        near = np.take_along_axis(block, top, axis=1)
        keep = near >= params.min_similarity
        rows.append(np.nonzero(keep)[0] + start)
        cols.append(top[keep])
        values.append(near[keep])
    if not rows:
        return []
    edges = coo_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    ).tocsr()
    # A pair kept by either side is kept for both (the similarity is the same either way).
    symmetric = edges.maximum(edges.T).tocsr()
    indptr, indices, data = symmetric.indptr, symmetric.indices.tolist(), symmetric.data.tolist()
    return [
        dict(zip(indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]], strict=True))
        for i in range(n)
    ]


def _average_linkage(graph: list[dict[int, float]], threshold: float, degree: int) -> list[int]:
    """Cluster labels: merge the pair of groups with the highest average similarity while it
    is at least `threshold`.

    With a full graph, pairs missing from it count as similarity 0 (exact average linkage).
    With a neighbour graph of `degree`, a pair inside a group of m items is known with a
    chance of about 2 x degree / m, so the sum is divided by the pairs we could expect to
    know rather than all pairs: two halves of one big problem still meet, while two
    different problems joined by one stray edge do not.
    """
    n = len(graph)
    size = [1] * n
    parent = list(range(n))
    # links[a][b] = sum of known similarities between the members of groups a and b.
    links: list[dict[int, float] | None] = [dict(neighbours) for neighbours in graph]

    def average(total: float, a: int, b: int) -> float:
        joined = size[a] + size[b]
        return total / (size[a] * size[b] * min(1.0, 2 * degree / joined))

    # Only pairs that could merge go on the heap; weaker links still count in the sums, and a
    # pair is pushed again whenever a merge changes its average.
    heap = [
        (-s, i, j)
        for i, neighbours in enumerate(graph)
        for j, s in neighbours.items()
        if i < j and s >= threshold
    ]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        links_a, links_b = links[a], links[b]
        if links_a is None or links_b is None:
            continue  # stale: one of them was merged already
        current = average(links_a.get(b, 0.0), a, b)
        if abs(current + negative) > 1e-12:
            continue  # stale: the average changed since this entry was pushed
        # Merge the smaller link table into the larger one.
        if len(links_a) < len(links_b):
            a, b, links_a, links_b = b, a, links_b, links_a
        parent[b] = a
        links_a.pop(b, None)
        links_b.pop(a, None)
        for c, s in links_b.items():
            links_a[c] = links_a.get(c, 0.0) + s
            links_c = links[c]
            assert links_c is not None
            links_c[a] = links_c.get(a, 0.0) + links_c.pop(b)
        links[b] = None
        size[a] += size[b]
        for c, s in links_a.items():
            value = average(s, a, c)
            if value >= threshold:
                heapq.heappush(heap, (-value, min(a, c), max(a, c)))
    return [_root(parent, i) for i in range(n)]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def cluster_labels(
    items: Sequence[TextItem],
    params: SuggestParams | None = None,
    *,
    embed: Embedder | None = None,
) -> list[int]:
    """A group label for every item (items alone in their group get a label of their own)."""
    params = params or SuggestParams()
    if not items:
        return []
    vectors = _fit([item.text for item in items], params, embed)
    graph = _similarity_graph(vectors.matrix, params)
    return _average_linkage(graph, params.threshold, _degree(len(items), params))


def suggest_patterns(
    items: Sequence[TextItem],
    params: SuggestParams | None = None,
    *,
    embed: Embedder | None = None,
) -> list[PatternSuggestion]:
    """Proposed patterns from unpatterned feedback, most confident first."""
    params = params or SuggestParams()
    if len(items) < params.min_size:
        return []
    vectors = _fit([item.text for item in items], params, embed)
    graph = _similarity_graph(vectors.matrix, params)
    labels = _average_linkage(graph, params.threshold, _degree(len(items), params))
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    suggestions = [
        _describe(members, items, graph, vectors, params)
        for members in groups.values()
        if len(members) >= params.min_size
    ]
    return sorted(suggestions, key=lambda s: (-s.confidence, -len(s.member_ids), s.central_id))


def _describe(
    members: list[int],
    items: Sequence[TextItem],
    graph: list[dict[int, float]],
    vectors: _Vectors,
    params: SuggestParams,
) -> PatternSuggestion:
    import numpy as np

    inside = set(members)
    # The central item is the one most similar to the rest of its group.
    closeness = {m: sum(s for j, s in graph[m].items() if j in inside) for m in members}
    central = max(members, key=lambda m: (closeness[m], -m))
    pairs = len(members) * (len(members) - 1) / 2
    cohesion = sum(closeness.values()) / 2 / pairs
    # Two alike items are weak evidence; each further member halves the doubt.
    confidence = cohesion * (1 - 0.5 ** (len(members) - 1))
    centroid = np.asarray(vectors.matrix[members].mean(axis=0)).ravel()
    word_centroid = np.asarray(vectors.words[members].mean(axis=0)).ravel()
    terms: tuple[str, ...] = ()
    if vectors.vocabulary:
        top = np.argsort(-word_centroid)[:5]
        terms = tuple(vectors.vocabulary[i] for i in top if word_centroid[i] > 0)
    return PatternSuggestion(
        title=_title(items[central].text, centroid, vectors, params),
        terms=terms,
        member_ids=tuple(items[m].id for m in sorted(members)),
        central_id=items[central].id,
        cohesion=round(cohesion, 4),
        confidence=round(confidence, 4),
    )


def _title(text: str, centroid: Any, vectors: _Vectors, params: SuggestParams) -> str:
    """The central item's sentence closest to the group: greetings and sign-offs fall away."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 3] or [text.strip()]
    if len(sentences) > 1:
        scores = vectors.transform(sentences, params.max_chars) @ centroid
        best = sentences[int(scores.argmax())]
    else:
        best = sentences[0]
    best = " ".join(best.split())
    best = best[:1].upper() + best[1:]
    return best if len(best) <= 120 else best[:119].rstrip() + "…"


# --- linking and dismissals ------------------------------------------------------------------


def suggest_links(
    new_items: Sequence[TextItem],
    patterns: Sequence[PatternProfile],
    *,
    threshold: float = 0.2,
    limit: int = 3,
    params: SuggestParams | None = None,
    embed: Embedder | None = None,
) -> list[LinkSuggestion]:
    """For each new item, up to `limit` existing patterns at least `threshold` similar."""
    import numpy as np
    from sklearn.preprocessing import normalize

    params = params or SuggestParams()
    if not new_items or not patterns:
        return []
    corpus = [item.text for item in new_items]
    for pattern in patterns:
        corpus.append(pattern.statement)
        corpus.extend(pattern.member_texts)
    vectors = _fit(corpus, params, embed)
    items_matrix = vectors.matrix[: len(new_items)]
    rows = []
    position = len(new_items)
    for pattern in patterns:
        statement = vectors.matrix[position].toarray().ravel()
        members = vectors.matrix[position + 1 : position + 1 + len(pattern.member_texts)]
        position += 1 + len(pattern.member_texts)
        # A pattern is its statement and the mean of its members, equally: the statement is
        # short and abstract, the members carry the words people really use.
        if members.shape[0]:
            statement = statement + np.asarray(members.mean(axis=0)).ravel()
        rows.append(statement)
    profiles = normalize(np.vstack(rows))
    similarities = np.asarray(items_matrix @ profiles.T)
    links: list[LinkSuggestion] = []
    for i, item in enumerate(new_items):
        order = np.argsort(-similarities[i])[:limit]
        links.extend(
            LinkSuggestion(item.id, patterns[j].id, round(float(similarities[i, j]), 4))
            for j in order
            if similarities[i, j] >= threshold
        )
    return links


def jaccard(a: Collection[str], b: Collection[str]) -> float:
    """Overlap of two member sets: shared ÷ either (1.0 for two empty sets)."""
    left, right = set(a), set(b)
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def filter_dismissed(
    suggestions: Iterable[PatternSuggestion],
    dismissed: Iterable[Collection[str]],
    *,
    threshold: float = 0.5,
) -> list[PatternSuggestion]:
    """Suggestions unlike every remembered dismissal (member-set Jaccard below `threshold`).

    A dismissed group that has since grown a lot (new evidence) comes back; one that gained a
    member or two stays hidden.
    """
    remembered = [set(members) for members in dismissed]
    return [
        s
        for s in suggestions
        if all(jaccard(s.member_ids, members) < threshold for members in remembered)
    ]
