"""SPC charts as inline SVG: vectors in the page and in the PDF, no script, no inline style (the
Content Security Policy allows none), colours as presentation attributes.

Colours are NHSRplotthedots' (R/ptd_spc_colours.R): common cause grey, improvement blue,
concern orange, neither purple, the target red and dashed; the mean solid, the limits dashed.
The icons carry words beside them, never colour alone.
"""

from html import escape

from markupsafe import Markup

from buddying.reports import spc

GREY, BLUE, ORANGE, PURPLE, RED, NHS_BLUE, TEXT = (
    "#7B7D7D",
    "#289DE0",
    "#FAB428",
    "#361475",
    "#DE1B1B",
    "#005EB8",
    "#212B32",
)
POINT_COLOURS = {
    spc.COMMON_CAUSE: GREY,
    spc.IMPROVEMENT_HIGH: BLUE,
    spc.IMPROVEMENT_LOW: BLUE,
    spc.CONCERN_HIGH: ORANGE,
    spc.CONCERN_LOW: ORANGE,
    spc.NEITHER_HIGH: PURPLE,
    spc.NEITHER_LOW: PURPLE,
}
VARIATION_LETTERS = {
    spc.IMPROVEMENT_HIGH: "H",
    spc.CONCERN_HIGH: "H",
    spc.NEITHER_HIGH: "H",
    spc.IMPROVEMENT_LOW: "L",
    spc.CONCERN_LOW: "L",
    spc.NEITHER_LOW: "L",
}
ASSURANCE_COLOURS = {spc.CONSISTENT_PASS: BLUE, spc.CONSISTENT_FAIL: ORANGE, spc.HIT_AND_MISS: GREY}
ASSURANCE_LETTERS = {spc.CONSISTENT_PASS: "P", spc.CONSISTENT_FAIL: "F", spc.HIT_AND_MISS: "?"}
WIDTH, HEIGHT = 680, 330
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 90


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.1f}".removesuffix(".0")


def spc_svg(result: spc.Result, title: str, key: str) -> Markup:
    """The XmR chart of ``result`` as an ``<svg>`` element (empty when there are no points)."""
    points = result.points
    if not points:
        return Markup("")
    values = [p.value for p in points]
    lines = [
        v
        for v in (result.upper_limit, result.lower_limit, result.mean, result.target)
        if v is not None
    ]
    low, high = min(values + lines), max(values + lines)
    if high == low:
        high, low = high + 1, low - 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    title_id = f"chart-{escape(key)}-title"
    parts = [
        f'<svg class="app-spc-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{title_id}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="11">',
        f'<title id="{title_id}">{escape(title)}: {escape(result.variation_label)}; '
        f"{escape(result.assurance_label)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#FFFFFF" '
        f'stroke="#D8DDE0"/>',
    ]
    # Axis ticks: five values from bottom to top.
    for step in range(5):
        value = low + (high - low) * step / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#F0F4F5"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'fill="{TEXT}">{_fmt(value)}</text>'
        )

    def hline(value: float | None, colour: str, dash: str, label: str) -> None:
        if value is None:
            return
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-width="1.5"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
            f'<text x="{LEFT + plot_w - 2}" y="{y(value) - 3:.1f}" text-anchor="end" '
            f'fill="{colour}">{escape(label)} {_fmt(value)}</text>'
        )

    hline(result.upper_limit, GREY, "6 4", "Upper limit")
    hline(result.lower_limit, GREY, "6 4", "Lower limit")
    hline(result.mean, TEXT, "", "Mean")
    hline(result.target, RED, "2 3", "Target")
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<path d="{path}" fill="none" stroke="{NHS_BLUE}" stroke-width="1.5"/>')
    every = max(1, len(points) // 12)
    for i, point in enumerate(points):
        colour = POINT_COLOURS[point.kind]
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(point.value):.1f}" r="4" fill="{colour}" '
            f'stroke="{colour}"><title>{escape(point.label)}: {_fmt(point.value)}'
            f"{' (' + escape(point.rules) + ')' if point.rules else ''}</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'fill="{TEXT}">{escape(point.label)}</text>'
            )
    # The icons, with their words.
    icon_y = HEIGHT - 44
    variation_colour = POINT_COLOURS.get(result.variation, GREY)
    assurance_colour = ASSURANCE_COLOURS.get(result.assurance, "#D8DDE0")
    letter = VARIATION_LETTERS.get(result.variation, "")
    assurance_letter = ASSURANCE_LETTERS
    for row, (colour, mark, words) in enumerate(
        (
            (variation_colour, letter, result.variation_label),
            (
                assurance_colour,
                assurance_letter.get(result.assurance, ""),
                result.assurance_label,
            ),
        )
    ):
        cy = icon_y + 22 * row
        parts.append(
            f'<circle cx="{LEFT + 8}" cy="{cy}" r="8" fill="#FFFFFF" stroke="{colour}" '
            f'stroke-width="3"/><text x="{LEFT + 8}" y="{cy + 4}" text-anchor="middle" '
            f'fill="{colour}" font-weight="bold">{mark}</text>'
            f'<text x="{LEFT + 22}" y="{cy + 4}" fill="{TEXT}">{escape(words)}</text>'
        )
    parts.append("</svg>")
    # Every value interpolated above is a number, a colour constant or escaped text.
    return Markup("".join(parts))  # noqa: S704


ICON_CLASSES = {
    spc.COMMON_CAUSE: "common",
    spc.IMPROVEMENT_HIGH: "improvement",
    spc.IMPROVEMENT_LOW: "improvement",
    spc.CONCERN_HIGH: "concern",
    spc.CONCERN_LOW: "concern",
    spc.NEITHER_HIGH: "neither",
    spc.NEITHER_LOW: "neither",
    spc.CONSISTENT_PASS: "improvement",
    spc.CONSISTENT_FAIL: "concern",
    spc.HIT_AND_MISS: "common",
}


def _icon(kind: str | None, letter: str) -> Markup:
    """A small Making Data Count style icon for a table cell: a ring in the icon's colour
    (improvement blue, concern orange, neither purple, common cause grey; ``reports.css``) with
    its letter. A styled ``<span>``, not an SVG, so a table of thousands of rows lays out fast in
    the PDF. Decorative: the words always stand beside it."""
    return Markup(  # noqa: S704 - a class name and a letter, both constants
        f'<span class="app-spc-icon app-spc-icon--{ICON_CLASSES.get(kind, "none")}" '
        f'aria-hidden="true">{letter or "&nbsp;"}</span>'
    )


def variation_icon(variation: str | None) -> Markup:
    return _icon(variation, VARIATION_LETTERS.get(variation, ""))


def assurance_icon(assurance: str | None) -> Markup:
    return _icon(assurance, ASSURANCE_LETTERS.get(assurance, ""))
