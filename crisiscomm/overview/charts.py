"""Server-side SVG charts: no JavaScript, no CDN, no inline style (presentation attributes only).

Every chart is an accessible ``<svg role="img">`` with a ``<title>`` and a text ``<desc>`` listing the figures,
so screen readers, printouts and closed networks all get the numbers.
"""
from markupsafe import Markup, escape

PALETTE = ("#1a56a6", "#b3261e", "#1e7a3c", "#a15c00", "#6b4fa0", "#00707a")


def _fmt(value):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _nice_max(value):
    """The smallest 4 × (1, 2 or 5 × 10^n) at or above ``value``: four gridlines at round numbers."""
    if value <= 0:
        return 4
    magnitude = 1
    while True:
        for m in (1, 2, 2.5, 5):
            step = m * magnitude
            if step >= 1 and step == int(step) and step * 4 >= value:
                return int(step * 4)
        magnitude *= 10


# Drawn 400 units wide so that on a 360 px phone column the 13-unit labels are still about 12 px.
WIDTH, HEIGHT, FONT = 400, 230, 13
MAX_LABELS = 6  # x-axis labels shown at most (every k-th), so they never overlap on a phone


def _lines(text, width, font):
    """SVG text does not wrap: break the title into lines that fit ``width`` (about 0.55 em a character)."""
    per_line = max(10, int(width / (font * 0.55)))
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _frame(title, desc, width, height, body, css_class, y_label=""):
    lines = _lines(title, width - 8, 15)
    top = 18 * len(lines) + (18 if y_label else 4)
    heading = "".join(f'<text x="4" y="{16 + 18 * i}" font-size="15" font-weight="600" fill="#202124">'
                      f"{escape(line)}</text>" for i, line in enumerate(lines))
    unit = (f'<text x="4" y="{top - 4}" font-size="{FONT}" fill="#5f6368">{escape(y_label)}</text>'
            if y_label else "")
    return Markup(
        f'<svg class="chart {escape(css_class)}" role="img" viewBox="0 0 {width} {height + top}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}{' (' + escape(y_label) + ')' if y_label else ''}</desc>"
        f'{heading}{unit}<g transform="translate(0 {top})">{body}</g></svg>')


def _x_label(x, y, label, i, n, width):
    """The first and last labels lean inwards so that neither is cut at the edge."""
    anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
    x = max(2, min(x, width - 2))
    return (f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="{FONT}" fill="#5f6368">'
            f"{escape(label)}</text>")


def _axes(width, height, pad_l, pad_b, pad_t, top, unit):
    parts = []
    plot_h = height - pad_b - pad_t
    for i in range(5):
        v = top * i / 4
        y = height - pad_b - plot_h * i / 4
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#e1e4e8" stroke-width="1"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" fill="#5f6368">'
                     f"{escape(_fmt(v))}{escape(unit)}</text>")
    return "".join(parts)


def bar_chart(items, title, unit="", width=WIDTH, height=HEIGHT, color=PALETTE[0], highlight=None, max_value=None,
              css_class="chart-bar", y_label=""):
    """Vertical bars. ``items``: [(label, value)]; ``highlight``: {label: colour} for bars that stand out."""
    items = list(items)
    pad_l, pad_b, pad_t = 44, 34, 14
    values = [v or 0 for _, v in items]
    top = max_value if max_value is not None else _nice_max(max(values, default=0))
    plot_w, plot_h = width - pad_l - 8, height - pad_b - pad_t
    n = max(len(items), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 48), 2)
    parts = [_axes(width, height, pad_l, pad_b, pad_t, top, unit)]
    every = max(1, -(-n // MAX_LABELS))
    for i, (label, value) in enumerate(items):
        v = value or 0
        h = plot_h * min(v / top, 1) if top else 0
        x = pad_l + slot * i + (slot - bar_w) / 2
        y = height - pad_b - h
        fill = (highlight or {}).get(label, color)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
                     f"<title>{escape(label)}: {escape(_fmt(value))}{escape(unit)}</title></rect>")
        if value is not None and n <= 12:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="{FONT - 1}" '
                         f'fill="#202124">{escape(_fmt(value))}</text>')
        if i % every == 0 or i == n - 1 and n <= MAX_LABELS:
            parts.append(_x_label(x + bar_w / 2, height - pad_b + 18, label, i, n, width))
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in items)
    return _frame(title, desc, width, height, "".join(parts), css_class, y_label)


def line_chart(series, title, unit="", width=WIDTH, height=HEIGHT, max_value=None, css_class="chart-line", y_label=""):
    """Lines sharing one x axis. ``series``: [(name, [(label, value or None)])]; gaps where a value is None."""
    series = [(name, list(points)) for name, points in series]
    labels = [label for label, _ in series[0][1]] if series else []
    pad_l, pad_b, pad_t = 44, 34, 14
    values = [v for _, pts in series for _, v in pts if v is not None]
    top = max_value if max_value is not None else _nice_max(max(values, default=0))
    plot_w, plot_h = width - pad_l - 8, height - pad_b - pad_t - (14 if len(series) > 1 else 0)
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)
    parts = [_axes(width, height, pad_l, pad_b, pad_t + (14 if len(series) > 1 else 0), top, unit)]
    every = max(1, -(-n // MAX_LABELS))
    for i, label in enumerate(labels):
        if (n - 1 - i) % every == 0:  # the latest month always has its label
            parts.append(_x_label(pad_l + step * i, height - pad_b + 18, label, i, n, width))
    for s, (name, points) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        segments, current = [], []
        for i, (label, v) in enumerate(points):
            if v is None:
                if current:
                    segments.append(current)
                current = []
                continue
            y = height - pad_b - plot_h * min(v / top, 1)
            current.append((pad_l + step * i, y, label, v))
        if current:
            segments.append(current)
        for seg in segments:
            d = " ".join(f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}" for j, (x, y, _, _) in enumerate(seg))
            parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y, label, v in seg:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                             f"<title>{escape(name)} {escape(label)}: {escape(_fmt(v))}{escape(unit)}</title></circle>")
        if len(series) > 1:
            # each legend entry right after the previous one's (estimated) text
            lx = pad_l + sum(30 + len(str(n)) * FONT * 0.55 for n, _ in series[:s])
            parts.append(f'<rect x="{lx}" y="2" width="11" height="11" fill="{colour}"/>'
                         f'<text x="{lx + 15}" y="12" font-size="{FONT}" fill="#202124">{escape(name)}</text>')
    desc = " | ".join(f"{name}: " + "; ".join(f"{label} {_fmt(v)}{unit}" for label, v in pts) for name, pts in series)
    return _frame(title, desc, width, height, "".join(parts), css_class, y_label)
