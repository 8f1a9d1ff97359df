"""Every role, on a phone (390×844) and a laptop (1366×768), walks every page its navigation offers and the
detail pages linked from them (incident, inquiry, briefing, contact, scenario, playbook, forms). A page fails on:
horizontal overflow, a header or primary control smaller than 44×44 px (WCAG 2.5.5), or English left in the
Vietnamese UI — any text equal to a msgid of the message catalogs whose Vietnamese differs, or containing a
longer such msgid. Pages other branches add to the navigation are walked too."""
import glob
import os
import re
from urllib.parse import urlsplit

import pytest

from crisiscomm.demo import DEMO_PASSWORD, DEMO_USERS, create_demo
from crisiscomm.extensions import db

from ..factories import browser_sign_in

pytestmark = pytest.mark.browser

VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1366, "height": 768}]
# Detail pages and forms found through the links of the pages visited (the first of each kind).
DETAIL = [re.compile(p) for p in (r"^/incidents/\d+$", r"^/incidents/new$", r"^/inquiries/\d+$", r"^/inquiries/new$",
                                  r"^/briefings/\d+$", r"^/contacts/\d+$", r"^/scenarios/[a-z0-9-]+$",
                                  r"^/scenarios/[a-z0-9-]+/playbook$", r"^/plans/view/\d+$",
                                  r"^/departments/[a-z0-9-]+$", r"^/network/schools/\d+$", r"^/network/groups/\d+$",
                                  r"^/network/schools/new$", r"^/network/import$", r"^/network/report$",
                                  r"^/account$", r"^/training/\d+$",
                                  r"^/training/new$", r"^/training/people/\d+$")]
SKIP = re.compile(r"\.(ics|xlsx|csv|vcf|docx|json|pdf)$|^/logout|^/api/|/export|/feed")


def catalog_msgids():
    """msgid → Vietnamese, for every catalog entry whose Vietnamese is not the English itself."""
    from babel.messages.pofile import read_po

    import crisiscomm

    root = os.path.dirname(crisiscomm.__file__)
    out, same = {}, set()
    for path in glob.glob(os.path.join(root, "**", "translations", "vi", "LC_MESSAGES", "messages.po"),
                          recursive=True):
        with open(path, "rb") as fh:
            for msg in read_po(fh):
                ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
                strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
                for msgid, msgstr in zip(ids, strings):
                    if msgid and msgstr and msgid.strip().lower() != msgstr.strip().lower():
                        out[msgid] = msgstr
                    elif msgid and msgstr:
                        same.add(msgid)  # Vietnamese says it the same way somewhere ("Email")
    return {k: v for k, v in out.items() if k not in same}


def english_matchers(catalog):
    """(exact, phrases): whole texts that are a msgid (case-insensitive), and the literal parts of four or
    more words of longer msgids (placeholders split them) that must not appear anywhere."""
    vietnamese = {v.strip().lower() for v in catalog.values()}
    exact, phrases = set(), set()
    for msgid in catalog:
        if "%" not in msgid and msgid.strip().lower() not in vietnamese:
            exact.add(msgid.strip().lower())
        for part in re.split(r"%\([a-z_]+\)[sd]|%[sd]", msgid):
            part = part.strip(" .,:;·—-()")
            if len(part.split()) >= 4 and part.lower() not in vietnamese:
                phrases.add(part)
    return exact, phrases


TEXTS_JS = """() => {
  const out = [];
  const visible = el => { const s = getComputedStyle(el); return s.display !== 'none' && s.visibility !== 'hidden'; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode, p = n.parentElement;
    if (!p || ['SCRIPT', 'STYLE', 'TEXTAREA', 'CODE', 'PRE'].includes(p.tagName) || p.closest('.lang, [lang=en], .prose, .statement, [data-user-text]')) continue;
    const t = n.textContent.trim(); if (t && visible(p)) out.push(t);
  }
  document.querySelectorAll('[placeholder], [title], [aria-label], option, input[type=submit]').forEach(el => {
    for (const a of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
    if (el.tagName === 'OPTION') out.push(el.textContent.trim());
    if (el.type === 'submit' && el.value) out.push(el.value.trim());
  });
  return out;
}"""

LAYOUT_JS = """() => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw + 1) {
    const wide = [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > vw + 1
      && !el.closest('.table-wrap, .sr-only, .skip')).slice(0, 3)
      .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
    problems.push('page ' + document.documentElement.scrollWidth + 'px wide for ' + vw + 'px: ' + wide.join(', '));
  }
  const controls = [...document.querySelectorAll('header.topbar a, header.topbar button, header.topbar summary, header.topbar label, '
    + 'main .btn-primary, main .btn-danger, main button[type=submit], main input[type=submit]')];
  for (const el of controls) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === 'hidden' || el.closest('.sr-only, .skip')) continue;
    if (r.width < 43.5 || r.height < 43.5)
      problems.push('control ' + JSON.stringify(el.textContent.trim().slice(0, 30) || el.getAttribute('aria-label') || el.tagName) + ' ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px');
  }
  return problems;
}"""


def _links(page):
    return page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")


def _path(href):
    parts = urlsplit(href)
    if parts.netloc and parts.netloc not in ("127.0.0.1",) and not parts.netloc.startswith("127.0.0.1:"):
        return None
    return parts.path or None


def test_every_page_fits_a_phone_has_big_controls_and_speaks_vietnamese(page, app, departments, live_server):
    with app.app_context():
        create_demo()
        db.session.commit()
    exact, phrases = english_matchers(catalog_msgids())
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: script error {exc}"))
    seen_roles = set()
    for role, email, *_rest in DEMO_USERS:
        if role in seen_roles:
            continue
        seen_roles.add(role)
        browser_sign_in(page, email, DEMO_PASSWORD)
        page.set_viewport_size(VIEWPORTS[1])
        nav = ["/"] + [p for p in (_path(h) for h in page.eval_on_selector_all(
            "nav.mainnav a[href]", "els => els.map(a => a.getAttribute('href'))")) if p]
        todo, visited, kinds = list(dict.fromkeys(nav)), [], set()
        while todo:
            path = todo.pop(0)
            if path in visited or SKIP.search(path):
                continue
            visited.append(path)
            for viewport in VIEWPORTS:
                page.set_viewport_size(viewport)
                response = page.goto(path)
                where = f"{role} {viewport['width']}px {path}"
                if response.status >= 400:
                    problems.append(f"{where}: HTTP {response.status}")
                    break
                problems.extend(f"{where}: {p}" for p in page.evaluate(LAYOUT_JS))
                if viewport is VIEWPORTS[0]:
                    texts = page.evaluate(TEXTS_JS)
                    english = sorted({t for t in texts if t.lower() in exact})
                    body = "\n".join(texts)
                    english += sorted(p for p in phrases if p in body)
                    problems.extend(f"{where}: English {t!r}" for t in english)
            for href in _links(page):
                target = _path(href)
                if not target or target in visited:
                    continue
                for i, pattern in enumerate(DETAIL):
                    if i not in kinds and pattern.match(target):
                        kinds.add(i)
                        todo.append(target)
        assert len(visited) > 3, f"{role} reached only {visited}"
    assert problems == [], "\n" + "\n".join(problems)
