"""Version clusters from similar pairs, with the user's decisions, guarded against chains.

Pairs at or above the threshold join releases, strongest first (Kruskal's order, ties by
id, so that the result depends on nothing but the pairs). Joining on pairs alone would chain:
A like B, B like C, ... can join two releases that share little. So two groups join only
when every member of one is at least `floor` (estimated from the signatures) like every
member of the other: a cluster's members are each at least the threshold like another member
and never below the floor like any member the pairs brought in (a group the user joined is
checked part by part: a version of either part may join it). The user's decisions come
first and are never undone: "these are versions" joins two groups whatever their
similarity; "not a version" keeps two releases in different clusters (a join that would put
them together is refused).

The clusters of a connected part of the graph (pairs at or above the threshold, and joins
the user made) depend only on that part, so an import reclusters only the parts it touched
and gets what a rebuild would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

#: How many members of each group the floor is checked against (the earliest ids): enough
#: for versions, bounded for a boilerplate text stored thousands of times.
FLOOR_SAMPLE = 40


def default_floor(threshold: float) -> float:
    """The least similarity of any two members of a cluster, given its threshold: an
    estimate of their Jaccard similarity, 0.4 at 0.8: two versions of a short release (a
    paragraph dropped, boilerplate added), each 0.8 or more like it by containment, can be
    under 0.5 alike by Jaccard. (On the labelled set at 0.8: recall 0.986 with this floor,
    0.974 with 0.48; precision 1.000 with both.)"""
    return round(threshold * 0.5, 4)


@dataclass
class Decisions:
    """What the user decided: pairs joined (in the order decided) and pairs kept apart."""

    joined: list[tuple[int, int]] = field(default_factory=list)
    apart: set[tuple[int, int]] = field(default_factory=set)

    def kept_apart(self, a: int, b: int) -> bool:
        return (min(a, b), max(a, b)) in self.apart

    def nodes(self) -> set[int]:
        out: set[int] = set()
        for a, b in (*self.joined, *self.apart):
            out.update((a, b))
        return out


class _Groups:
    """Union-find that keeps each group's members."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.members[x] = [x]
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))


def cluster(
    pairs: Iterable[tuple[int, int, float]],
    threshold: float,
    decisions: Decisions,
    similar: Callable[[Sequence[int], Sequence[int]], float],
    floor: float | None = None,
) -> list[list[int]]:
    """Groups of two or more releases (each sorted by id, groups by their first id).

    `pairs` are (a, b, exact similarity); `similar(xs, ys)` gives the least estimated
    similarity between any x and any y."""
    floor = default_floor(threshold) if floor is None else floor
    groups = _Groups()
    apart: dict[int, set[int]] = {}
    for a, b in decisions.apart:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def conflict(ra: int, rb: int) -> bool:
        small, other = (ra, rb) if len(groups.members[ra]) <= len(groups.members[rb]) else (rb, ra)
        for x in groups.members[small]:
            for y in apart.get(x, ()):
                if y in groups.parent and groups.find(y) == other:
                    return True
        return False

    # The floor is checked within what pairs built: a group the user joined is two groups
    # of versions, and a version of either may join it.
    by_pairs = _Groups()
    for a, b in decisions.joined:
        ra, rb = groups.find(a), groups.find(b)
        if ra != rb and not conflict(ra, rb):
            groups.union(ra, rb)
    strong = sorted(
        ((sim, min(a, b), max(a, b)) for a, b, sim in pairs if sim >= threshold and a != b),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for _sim, a, b in strong:
        ra, rb = groups.find(a), groups.find(b)
        if ra == rb or conflict(ra, rb):
            continue
        pa, pb = by_pairs.find(a), by_pairs.find(b)
        xs = sorted(by_pairs.members[pa])[:FLOOR_SAMPLE]
        ys = sorted(by_pairs.members[pb])[:FLOOR_SAMPLE]
        if pa != pb and (len(xs) > 1 or len(ys) > 1) and similar(xs, ys) < floor:
            continue
        groups.union(ra, rb)
        if pa != pb:
            by_pairs.union(pa, pb)
    out = [sorted(m) for m in groups.members.values() if len(m) > 1]
    return sorted(out)
