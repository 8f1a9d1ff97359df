"""User-written Markdown to safe HTML: Markdown, then bleach with a strict allow-list."""
import bleach
import markdown as md
from markupsafe import Markup

ALLOWED_TAGS = ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
                "blockquote", "code", "pre", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
                "span", "div", "abbr", "sup", "sub", "dl", "dt", "dd", "mark"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "th": ["colspan", "rowspan"],
                      "td": ["colspan", "rowspan"], "span": ["class"], "div": ["class"], "h2": ["id"],
                      "h3": ["id"], "mark": ["class"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto", "tel"]


def sanitize(html):
    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
                           strip=True, strip_comments=True)
    return bleach.linkify(cleaned, callbacks=[_safe_link], skip_tags=["pre", "code"], parse_email=False)


def _safe_link(attrs, new=False):
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


def render_markdown(text, extensions=("extra", "sane_lists", "nl2br")):
    html = md.markdown(text or "", extensions=list(extensions), output_format="html")
    return Markup(sanitize(html))
