"""Generate a large, valid, believable catalog of product descriptors for benchmarks.

    python bench/gen_products.py --products 10000 --out /tmp/catalog --seed 1

Writes one `products/<group>/<product-id>/product.yaml` per product, `organization.yaml` (the
organisation and its loops), `teams.productize.yaml` and `people/people-NNN.productize.yaml`.
The same (n, seed) always gives byte-identical files. Products consume ~3 interfaces of
earlier products (so `part_of` and `consumes` never loop); about 3% of interfaces are
deprecated, so the checker warns about some consumers, and there are no errors.

Other benchmarks import `generate(n, out, seed)`.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

_WORD_TEXT = (
    "billing ledger checkout basket catalog search pricing stock orders invoice payment "
    "refund shipping tracking route depot fleet driver booking calendar identity login "
    "profile consent audit metrics alerts logs deploy build release design tokens icons "
    "mail notify chat forum survey support wiki docs onboarding payroll expenses hiring "
    "access secrets vault cache queue events stream report forecast budget contracts"
)
WORDS = tuple(_WORD_TEXT.split())
STAGES = ("idea", "prototype", "established", "growing", "growing", "maintained", "retired")
KINDS = ("api", "api", "api", "event", "ui", "cli", "library", "data", "document", "process")
CHANNELS = ("issue-tracker", "chat", "support", "forum", "survey")
AUDIENCES = ("shoppers", "drivers", "depot staff", "finance team", "support agents", "engineers")
TAGS = ("core", "internal", "customer-facing", "payments", "data", "platform", "mobile", "legacy")
GROUP_SIZE = 1000  # products per directory group: keeps directories a sane size


def _plural(n: int, minimum: int, per: int) -> int:
    return max(minimum, n // per)


def generate(n: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write a catalog of `n` products under `out`; return the number of documents per kind."""
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    loops = [f"loop-{w}" for w in ("commerce", "operations", "platform", "people")]
    loops += [f"loop-{i:03d}" for i in range(_plural(n, 0, 500))]
    teams = [f"team-{i:04d}" for i in range(_plural(n, 8, 20))]
    people = [f"person-{i:05d}" for i in range(_plural(n, 25, 4))]

    org = [
        "kind: organization\nid: acme\nname: Acme Goods\n"
        "mission: Everyone can get what they need, delivered the same day.\n"
    ]
    for i, loop in enumerate(loops):
        parent = f"parent: {loops[rng.randrange(4)]}\n" if i >= 4 else ""
        org.append(
            f"kind: loop\nid: {loop}\nname: {loop.replace('-', ' ').title()}\n{parent}"
            f"mission: Serve our {rng.choice(AUDIENCES)} well.\n"
            f"customers: [{rng.choice(AUDIENCES)}]\nowners: [person:{rng.choice(people)}]\n"
        )
    (out / "organization.yaml").write_text("---\n".join(org))

    members: dict[str, list[str]] = {team: [] for team in teams}
    for person in people:
        members[rng.choice(teams)].append(person)
    (out / "teams.productize.yaml").write_text(
        "---\n".join(
            f"kind: team\nid: {team}\nname: Team {i}\n"
            + (f"parent: {teams[i // 10]}\n" if i >= 10 else "")
            + "members:\n"
            + "".join(f"  - {p}\n" for p in members[team][::2])  # the rest say it themselves
            for i, team in enumerate(teams)
        )
    )
    team_of = {p: t for t, ps in members.items() for p in ps}
    (out / "people").mkdir(exist_ok=True)
    for start in range(0, len(people), 100):
        docs = [
            f"kind: person\nid: {p}\nname: Person {p[7:]}\nemail: {p}@acme.example\n"
            f"teams: [{team_of[p]}]\n"
            for p in people[start : start + 100]
        ]
        (out / "people" / f"people-{start // 100:03d}.productize.yaml").write_text(
            "---\n".join(docs)
        )

    interfaces: list[str] = []  # "product/name" of every interface so far
    for i in range(n):
        a, b = rng.sample(WORDS, 2)
        pid = f"{a}-{b}-{i}"
        provides, names = [], []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(KINDS)
            name = f"{rng.choice(WORDS)}-{kind}"
            if name in names:
                continue
            names.append(name)
            stability = rng.choices(("stable", "experimental", "deprecated"), (70, 27, 3))[0]
            provides.append(
                f"    - name: {name}\n      kind: {kind}\n"
                f"      description: The {a} {kind} of {b}.\n      stability: {stability}\n"
                + (f"      docs: https://docs.acme.example/{pid}/{name}\n" if kind == "api" else "")
            )
        consumes = sorted(set(rng.sample(interfaces, min(len(interfaces), rng.randint(1, 5)))))
        consumes = [ref for ref in consumes if not ref.startswith(f"{pid}/")]
        owners = [f"person:{rng.choice(people)}"] + (
            [f"team:{rng.choice(teams)}"] if rng.random() < 0.5 else []
        )
        part_of = (
            f"part_of: {interfaces[rng.randrange(len(interfaces))].split('/')[0]}\n"
            if (interfaces and rng.random() < 0.1)
            else ""
        )
        text = (
            f"# {a.title()} {b} — generated for benchmarks\n"
            f"kind: product\nid: {pid}\nname: {a.title()} {b.title()} {i}\n"
            f"mission: >\n  Helps {rng.choice(AUDIENCES)} with {a} so they never worry "
            f"about {b}.\n"
            f"vision: One place for all {a}.\n"
            f"stage: {rng.choice(STAGES)}\n"
            f"alignment:\n  kind: {rng.choice(('direct', 'indirect'))}\n"
            f"  why: Customers depend on {a}.\n"
            f"loop: {rng.choice(loops)}\nowners: [{', '.join(owners)}]\n{part_of}"
            f"audience:\n  - {rng.choice(AUDIENCES)}\n"
            f"scope:\n  does:\n    - keeps {a} correct\n    - answers questions about {b}\n"
            f"  does_not:\n    - handle {rng.choice(WORDS)}\n"
            "interfaces:\n  provides:\n"
            + "".join(provides)
            + ("  consumes:\n" + "".join(f"    - {ref}\n" for ref in consumes) if consumes else "")
            + f"links:\n  repository: https://git.acme.example/{pid}\n"
            f"  feedback:\n    - kind: {rng.choice(CHANNELS)}\n"
            f"      url: https://git.acme.example/{pid}/issues\n"
            f"tags: [{', '.join(sorted(set(rng.sample(TAGS, 2))))}]\n"
            f'annotations:\n  cost-centre: "cc-{rng.randrange(100, 999)}"\n'
        )
        directory = out / "products" / f"group-{i // GROUP_SIZE:03d}" / pid
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "product.yaml").write_text(text)
        interfaces.extend(f"{pid}/{name}" for name in names)
    return {
        "organization": 1,
        "loop": len(loops),
        "team": len(teams),
        "person": len(people),
        "product": n,
    }


def main() -> None:
    """Command line: `--products N --out DIR --seed S`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, required=True, help="how many products")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.products, args.out, args.seed)
    print(f"wrote {counts} to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
