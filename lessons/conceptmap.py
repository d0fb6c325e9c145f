"""The concept map, laid out on the server.

Every concept is a dot (the more relations, the larger) with its term under it, every relation an arrow.
Stress majorisation puts concepts a few relations apart a few lengths apart; then, as PRISM does (Gansner
and Hu, 2010), it runs again with every two concepts wanting at least the distance at which their boxes (dot
and label) stop overlapping, while labels are nudged off arrows that are not theirs; a last pass takes apart
any boxes still touching. All of it happens as if room down cost more than room across (SQUASH), and with
the longest relation that lets the map fit the page's column.

Nothing is random and the number of rounds is fixed, so the same concepts and relations give the same
drawing, to the byte: the page is one document for every reader (core/documents.py), and the browser only
highlights (static/lessons/concept_map.js). The page draws the map at its natural size, never scaled down,
so a label is LABEL_PX on screen.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

LABEL_PX = 14  # a concept's term (static/css/base.css draws it at this size)
LINE_PX = 18  # the height its line takes
GAP_PX = 12  # the least room between two concepts' boxes, and between a label and an arrow
PAD_PX = 12  # around the drawing
WIDTH_PX = 1040  # the page's column (.page in base.css, less its padding)
EDGE_PX = 160  # the longest a relation is drawn (a small course's map stays small)
ROOMY = 0.6  # how much of two related concepts' label widths their relation's length adds
SQUASH = 1.3  # how much more room down costs than room across: a map wider than tall, as a screen is


@dataclass(frozen=True)
class Drawing:
    """What the template draws: the SVG's size, the relations' kinds (one arrowhead each), and each concept
    and relation placed, their numbers as text (so the template never localises them)."""

    width: int
    height: int
    kinds: list[str]
    nodes: list[dict[str, str]]
    edges: list[dict[str, str]]


def text_width(text: str, px: float = LABEL_PX) -> float:
    """About how wide `text` is drawn: a CJK character an em, any other about 0.55 em."""
    return px * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def radius(degree: int) -> float:
    """14 px across for a concept with one relation, up to 34 px for ten or more."""
    return 7 + 10 * (min(max(degree, 1), 10) - 1) / 9


def draw(nodes: list[dict], edges: list[dict]) -> Drawing:
    """The map of `nodes` ({"id": slug, "label": term, "url", ...}) and `edges` ({"source", "target",
    "kind", "label": the relation in words, ...}); the dicts come back with their places added."""
    nodes = sorted(nodes, key=lambda n: n["id"])  # the drawing does not depend on the order given
    index = {n["id"]: i for i, n in enumerate(nodes)}
    pairs = [(index[e["source"]], index[e["target"]]) for e in edges]
    degree = np.bincount(np.array(pairs, dtype=int).reshape(-1), minlength=len(nodes))
    radii = np.array([radius(d) for d in degree])
    # A concept's box: its dot and, under it, its label (down to `bottom`, from the dot's centre).
    bottom = radii + 2 + LINE_PX
    widths = np.array([text_width(n["label"]) for n in nodes])
    half = np.stack([np.maximum(widths / 2, radii), (radii + bottom) / 2], 1)
    centres = place(pairs, half)
    width = height = 2 * PAD_PX
    if len(nodes):
        centres += PAD_PX - (centres - half).min(0)
        width, height = (int(size) for size in np.ceil((centres + half).max(0) + PAD_PX))
    xy = centres - np.stack([np.zeros(len(nodes)), (bottom - radii) / 2], 1)  # the dots' centres

    placed_nodes = [
        {**n, "x": _px(x), "y": _px(y), "r": _px(r), "label_y": _px(y + r + 2 + LABEL_PX)}  # the baseline
        for n, (x, y), r in zip(nodes, xy, radii, strict=True)
    ]
    placed_edges = []
    for e, (i, j) in zip(edges, pairs, strict=True):
        along = xy[j] - xy[i]
        length = np.hypot(*along) or 1.0
        along /= length
        start, end = xy[i] + along * radii[i], xy[j] - along * radii[j]  # dot edge to dot edge
        # The words halfway along the stretch between the two boxes, where no term covers them.
        out = _leaves(xy[i], centres[i], half[i], along)
        into = length - _leaves(xy[j], centres[j], half[j], -along)
        middle = xy[i] + along * (out + into) / 2 if out < into else (start + end) / 2
        placed_edges.append(
            {
                **e,
                "x1": _px(start[0]),
                "y1": _px(start[1]),
                "x2": _px(end[0]),
                "y2": _px(end[1]),
                "label_x": _px(middle[0]),
                "label_y": _px(middle[1] - 3),  # the words sit on the line, not across it
            }
        )
    kinds = sorted({e["kind"] for e in edges})
    return Drawing(width, height, kinds, placed_nodes, placed_edges)


def _leaves(dot: np.ndarray, centre: np.ndarray, half: np.ndarray, direction: np.ndarray) -> float:
    """How far from `dot`, going `direction`, a line leaves the box of `half` around `centre`."""
    wall = centre + np.sign(direction) * half - dot
    return float(np.divide(wall, direction, out=np.full(2, np.inf), where=direction != 0).min())


def place(pairs: list[tuple[int, int]], half: np.ndarray) -> np.ndarray:
    """The centres of boxes `half` (n × 2: half their width and height) joined by `pairs`, as large as fits
    WIDTH_PX."""
    n = len(half)
    if n < 2:
        return np.zeros((n, 2))
    hops = _hops(n, pairs)
    shape = _upright(_majorise(_spectral_start(hops), hops, hops))  # one relation long
    widths = (half[:, None, 0] + half[None, :, 0]) * ROOMY * (hops > 0)  # wide labels keep others further off
    tall = half * [1, SQUASH]  # laid out stretched down, then pressed back

    def at(length: float) -> np.ndarray:
        return _separate(_apart(shape * length, hops * length + widths, tall, pairs), tall) / [1, SQUASH]

    def width(centres: np.ndarray) -> float:
        return float((centres[:, 0] + half[:, 0]).max() - (centres[:, 0] - half[:, 0]).min())

    # The longest relation that fits, halving the interval each time (to within 10 px; each try is a whole
    # layout, most of the map's cost); the longest that fitted is the one drawn.
    short, long = 10.0, EDGE_PX
    fitted = None
    for _ in range(4):
        length = (short + long) / 2
        centres = at(length)
        if width(centres) <= WIDTH_PX - 2 * PAD_PX:
            short, fitted = length, centres
        else:
            long = length
    return fitted if fitted is not None else at(short)


def _hops(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    """How many relations apart each two concepts are, either way round (Floyd-Warshall); concepts with no
    path between them one more than the longest path."""
    hops = np.full((n, n), np.inf)
    np.fill_diagonal(hops, 0)
    for i, j in pairs:
        if i != j:
            hops[i, j] = hops[j, i] = 1
    for k in range(n):
        hops = np.minimum(hops, hops[:, k : k + 1] + hops[k : k + 1, :])
    hops[np.isinf(hops)] = hops[np.isfinite(hops)].max() + 1
    return hops


def _spectral_start(hops: np.ndarray) -> np.ndarray:
    """Classical scaling: the two main axes of the distances, a start close to the answer."""
    n = len(hops)
    centring = np.eye(n) - 1 / n
    values, vectors = np.linalg.eigh(-0.5 * centring @ (hops**2) @ centring)
    return _signed(vectors[:, :-3:-1] * np.sqrt(np.maximum(values[:-3:-1], 1e-9)))


def _majorise(xy: np.ndarray, wanted: np.ndarray, ideal: np.ndarray, rounds: int = 300) -> np.ndarray:
    """Stress majorisation (SMACOF; Gansner, Koren and North, 2004): distances as close to `wanted` as can
    be, each pair weighing 1 / ideal²."""
    weights = np.divide(1.0, ideal**2, out=np.zeros_like(ideal), where=ideal > 0)
    inverse = np.linalg.pinv(np.diag(weights.sum(1)) - weights)
    for _ in range(rounds):
        distance = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
        pull = np.divide(weights * wanted, distance, out=np.zeros_like(wanted), where=distance > 1e-9)
        xy = inverse @ (np.diag(pull.sum(1)) - pull) @ xy
    return xy


def _upright(xy: np.ndarray) -> np.ndarray:
    """Turned so that its longer axis lies across the page."""
    xy = xy - xy.mean(0)
    _, _, axes = np.linalg.svd(xy, full_matrices=False)
    return _signed(xy @ axes.T)


def _signed(xy: np.ndarray) -> np.ndarray:
    """Each axis pointed the way its largest coordinate lies (an eigenvector's sign is arbitrary)."""
    largest = np.abs(xy).argmax(0)
    return xy * np.where(xy[largest, [0, 1]] < 0, -1.0, 1.0)


def _apart(
    centres: np.ndarray, ideal: np.ndarray, half: np.ndarray, pairs: list[tuple[int, int]], rounds: int = 20
) -> np.ndarray:
    """Stress majorisation again, each two boxes wanting at least the distance at which they stop
    overlapping along the line between them, and boxes nudged off the arrows they lie on."""
    reach = half[None] + half[:, None] + GAP_PX  # between two centres, across and down, for a gap
    for _ in range(rounds):
        delta = np.abs(centres[None] - centres[:, None])
        direction = delta / np.maximum(np.linalg.norm(delta, axis=-1), 1e-9)[..., None]
        touch = np.divide(reach, direction, out=np.full_like(reach, np.inf), where=direction > 1e-9).min(-1)
        np.fill_diagonal(touch, 0)
        centres = _majorise(centres, np.maximum(ideal, touch), ideal, rounds=10)
        centres = centres + _off_arrows(centres, half, pairs)
    return centres


def _off_arrows(centres: np.ndarray, half: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """For each box that an arrow not its own crosses, the move that takes it just clear (the average,
    where several do)."""
    if not pairs:
        return np.zeros_like(centres)
    source, target = np.array(pairs).T
    own = np.zeros((len(pairs), len(centres)), bool)
    own[np.arange(len(pairs)), source] = own[np.arange(len(pairs)), target] = True
    corners = centres[:, None] + half[:, None] * np.array([[-1, -1], [1, -1], [-1, 1], [1, 1]])  # n × 4 × 2
    start = centres[source]
    along = centres[target] - start
    length = np.maximum(np.linalg.norm(along, axis=1), 1e-9)
    along /= length[:, None]
    normal = np.stack([-along[:, 1], along[:, 0]], 1)
    relative = corners[None] - start[:, None, None]  # arrows × boxes × corners × 2
    side = np.einsum("enkc,ec->enk", relative, normal)  # how far each corner is off each arrow's line
    ahead = np.einsum("enkc,ec->enk", relative, along)  # and along it
    crossed = (
        ~own
        & (ahead.max(-1) > 0)
        & (ahead.min(-1) < length[:, None])
        & (side.min(-1) < 0)
        & (side.max(-1) > 0)
    )
    # to the side of the line the box is more on
    shift = np.where(side.sum(-1) >= 0, GAP_PX - side.min(-1), -(side.max(-1) + GAP_PX))
    push = np.einsum("en,ec->nc", np.where(crossed, shift, 0), normal)
    return push / np.maximum(crossed.sum(0), 1)[:, None]


def _separate(centres: np.ndarray, half: np.ndarray, sweeps: int = 500) -> np.ndarray:
    """Boxes still too close moved apart, a pair at a time, along the axis that needs the smaller move,
    until every two are GAP_PX apart."""
    centres = centres.copy()
    reach = half[:, None] + half[None] + GAP_PX
    for _ in range(sweeps):
        close = np.argwhere(np.triu((reach - np.abs(centres[:, None] - centres[None]) > 0.01).all(-1), 1))
        if not len(close):
            break
        for i, j in close:  # in order, each seeing the moves before it
            delta = centres[j] - centres[i]
            overlap = reach[i, j] - np.abs(delta)  # across and down
            if (overlap <= 0.01).any():
                continue
            axis = int(overlap[1] < overlap[0])
            step = overlap[axis] / 2 * (1 if delta[axis] >= 0 else -1)
            centres[i, axis] -= step
            centres[j, axis] += step
    return centres


def _px(value: float) -> str:
    return f"{value:.1f}"
