"""Quality and speed of pattern suggestions (not a test).

Run: .venv/bin/python bench/bench_suggest.py [--sweep] [--size 10000]

Quality: adjusted Rand index, homogeneity and completeness of the grouping on the labelled set
(tests/fixtures/feedback/labelled.jsonl), and how well new feedback links to existing patterns.
Items labelled `none`, and items no suggestion claims, each count as a group of their own.
Speed: suggestions over `--size` synthetic items from the same generator.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, completeness_score, homogeneity_score

from productize.domain.loop.suggest import (
    PatternProfile,
    SuggestParams,
    TextItem,
    cluster_labels,
    suggest_links,
    suggest_patterns,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "feedback"
sys.path.insert(0, str(FIXTURES))

from make_labelled import generate  # noqa: E402


def load() -> list[dict[str, object]]:
    """The committed labelled set."""
    lines = (FIXTURES / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def truth(rows: list[dict[str, object]]) -> list[str]:
    """True labels, each `none` item its own group."""
    return [str(r["label"]) if r["label"] != "none" else f"none-{r['id']}" for r in rows]


def scores(rows: list[dict[str, object]], params: SuggestParams) -> dict[str, float]:
    """ARI, homogeneity and completeness of the grouping; also ARI without the noise items."""
    items = [TextItem(str(r["id"]), str(r["text"])) for r in rows]
    predicted = cluster_labels(items, params)
    expected = truth(rows)
    signal = [i for i, r in enumerate(rows) if r["label"] != "none"]
    return {
        "ari": adjusted_rand_score(expected, predicted),
        "ari_without_noise": adjusted_rand_score(
            [expected[i] for i in signal], [predicted[i] for i in signal]
        ),
        "homogeneity": homogeneity_score(expected, predicted),
        "completeness": completeness_score(expected, predicted),
        "groups": float(len(set(predicted))),
    }


def linking(rows: list[dict[str, object]], threshold: float) -> dict[str, float]:
    """Half of each problem's items form a pattern; the other half (and the noise) are new."""
    by_label: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_label[str(row["label"])].append(row)
    patterns, new = [], []
    for label, members in sorted(by_label.items()):
        if label == "none":
            new.extend(members)
            continue
        half = max(1, len(members) // 2)
        statement = str(members[0]["text"])
        patterns.append(PatternProfile(label, statement, [str(m["text"]) for m in members[1:half]]))
        new.extend(members[half:])
    links = suggest_links(
        [TextItem(str(r["id"]), str(r["text"])) for r in new], patterns, threshold=threshold
    )
    best: dict[str, str] = {}
    for link in links:
        best.setdefault(link.feedback_id, link.pattern_id)  # links come best first per item
    labels = {str(r["id"]): str(r["label"]) for r in new}
    signal = [i for i, label in labels.items() if label != "none"]
    noise = [i for i, label in labels.items() if label == "none"]
    correct = sum(1 for i in signal if best.get(i) == labels[i])
    proposed = sum(1 for i in signal if i in best)
    return {
        "top1_accuracy": correct / len(signal),
        "precision": correct / proposed if proposed else 0.0,
        "noise_linked": sum(1 for i in noise if i in best) / max(1, len(noise)),
    }


def timing(size: int, params: SuggestParams) -> tuple[float, int, float]:
    """Seconds for suggestions over `size` synthetic items, how many, and the ARI there."""
    rows = generate(size, seed=99)
    items = [TextItem(str(r["id"]), str(r["text"])) for r in rows]
    start = time.perf_counter()
    suggestions = suggest_patterns(items, params)
    seconds = time.perf_counter() - start
    group = {member: n for n, s in enumerate(suggestions) for member in s.member_ids}
    predicted = [group.get(item.id, -1 - i) for i, item in enumerate(items)]
    return seconds, len(suggestions), adjusted_rand_score(truth(rows), predicted)


def main() -> None:
    """Print the figures (and a threshold sweep with --sweep)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweep", action="store_true", help="try several thresholds")
    parser.add_argument("--size", type=int, default=10_000, help="synthetic items for timing")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    rows = load()
    params = SuggestParams()
    if args.sweep:
        for word_weight in (0.4, 0.5, 0.6):
            for threshold in (0.06, 0.08, 0.1, 0.12, 0.15, 0.2):
                p = SuggestParams(threshold=threshold, word_weight=word_weight)
                s = scores(rows, p)
                print(
                    f"word_weight={word_weight} threshold={threshold}: "
                    + ", ".join(f"{k}={v:.3f}" for k, v in s.items())
                )
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.35):
            print(
                f"link threshold={threshold}: "
                + ", ".join(f"{k}={v:.3f}" for k, v in linking(rows, threshold).items())
            )
    start = time.perf_counter()
    s = scores(rows, params)
    elapsed = time.perf_counter() - start
    print(
        f"labelled set: {len(rows)} items, {len({r['label'] for r in rows}) - 1} problems + noise"
    )
    print(
        "grouping (defaults): "
        + ", ".join(f"{k}={v:.3f}" for k, v in s.items())
        + f" in {elapsed:.2f}s"
    )
    print(
        "linking (threshold 0.2): "
        + ", ".join(f"{k}={v:.3f}" for k, v in linking(rows, 0.2).items())
    )
    if not args.no_timing:
        seconds, count, ari = timing(args.size, params)
        print(
            f"suggestions over {args.size:,} synthetic items: {seconds:.1f}s, {count} suggested,"
            f" ARI {ari:.3f}"
        )


if __name__ == "__main__":
    main()
