"""Content checks on scenario texts that `scenarios check` can automate (issue: the playbooks as the law and the
institutions stand in 2026): no abolished levels or bodies and no replaced laws; no candidate's exam number or a
student's name in what is said publicly; an empathy line in every holding statement; the Ministry's 6 hours
presented as a benchmark, not as the Department's legal deadline; no promise a Department cannot keep.

``problems(text, parsed)`` returns fileformat.Problem items with file line numbers.
"""
import re

from ..text import fold
from .fileformat import (CHANNELS, ERROR, HOLDING_STATEMENT, KEY_MESSAGES, PRESS_RELEASE, QUESTIONS, WARNING,
                         Problem, normalize_newlines)

# What is said to the press and the public.
PUBLIC_SECTIONS = (HOLDING_STATEMENT, KEY_MESSAGES, QUESTIONS, PRESS_RELEASE, CHANNELS)

# (pattern on the folded line, what to write instead). Folded: lower case, no diacritics ("quận" → "quan").
OUTDATED = [
    (r"quan/huyen|huyen/quan|cap huyen|(ubnd|uy ban nhan dan|phong gddt|phong giao duc( va dao tao)?) "
     r"(quan|huyen)\b",
     "no district level since 1 July 2025: name the commune or ward (xã, phường) or the province"),
    (r"\bthanh tra so\b", "'Thanh tra Sở' no longer exists: the Department's inspection team (đoàn kiểm tra của Sở) "
                          "or the provincial inspectorate (Thanh tra tỉnh)"),
    (r"co quan quan ly thong tin mang",
     "name the real bodies: the provincial Department of Culture, Sports and Tourism (press management) and the "
     "provincial police"),
    (r"so thong tin va truyen thong|\bso tt&tt\b|\bso tttt\b",
     "the provincial Department of Information and Communications was merged in 2025: press management is with "
     "the Department of Culture, Sports and Tourism"),
    (r"nghi dinh (so )?13/2023|nghi dinh 13\b",
     "Decree 13/2023 was replaced on 1 January 2026 by the Personal Data Protection Law 91/2025/QH15 and "
     "Decree 356/2025/ND-CP"),
    (r"luat bao chi 2016|luat bao chi nam 2016",
     "the 2016 Press Law was replaced on 1 July 2026 by the Press Law 2025"),
]
MINISTRY_SIX_HOURS = re.compile(r"22/qd-bgddt")
EXAM_NUMBER = re.compile(r"so bao danh|\bsbd\b")
NEGATION = re.compile(r"\b(khong|chua|khong duoc|tuyet doi khong)\b")
STUDENT_NAME_SLOT = re.compile(r"\[[^\]]*\b(ho ten|ho va ten|ten)\b[^\]]*\b(hoc sinh|thi sinh|chau|em|nan nhan)\b"
                               r"[^\]]*\]|\[[^\]]*\b(hoc sinh|thi sinh|nan nhan)\b[^\]]*\b(ho ten|ho va ten)\b[^\]]*\]")
# Phrases that express empathy ("không chia sẻ clip" is not one: "chia sẻ" alone does not count).
EMPATHY = ("xin chia se", "chia se voi", "chia se su", "chia se sau sac", "chia se noi", "cam thong", "thau hieu",
           "dong cam", "chia buon", "xin loi", "hieu su lo lang", "hieu su ban khoan", "lo lang cua", "bat an cua",
           "thuong tiec", "xot xa", "thong cam", "dau buon")
PROMISES = re.compile(r"khong bao gio|24/24|24/7|tuyet doi an toan|cam ket 100|bao dam 100|100% an toan")


def _names_exam_number(folded):
    """An exam number mentioned other than in a prohibition ("không công bố số báo danh") or a bracketed slot."""
    for match in EXAM_NUMBER.finditer(folded):
        before = folded[max(0, match.start() - 40):match.start()]
        if before.rstrip().endswith("[") or "[" in before.rsplit("]", 1)[-1] or not NEGATION.search(before):
            return True
    return False


def _lines(text):
    return normalize_newlines(text).split("\n")


def problems(text, parsed):
    out = []
    lines = _lines(text)
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    for number, line in enumerate(lines, start=1):
        folded = fold(line)
        for pattern, advice in OUTDATED:
            # "…, thay thế Nghị định 13/2023" names the old text only to say it was replaced.
            if re.search(pattern, folded) and not re.search(r"thay the (?:" + pattern + ")", folded):
                out.append(Problem(number, f"outdated: {advice}"))
        if MINISTRY_SIX_HOURS.search(folded) and "tham chieu" not in folded:
            out.append(Problem(number, "Decision 22/QĐ-BGDĐT binds the Ministry's units: present its 6 hours as the "
                                       "Ministry's benchmark ('mốc tham chiếu của Bộ') and the province's "
                                       "spokesperson regulation as the Department's deadline"))
    for section in parsed.sections:
        if section.title not in PUBLIC_SECTIONS:
            continue
        for offset, line in enumerate(section.text.split("\n")):
            folded = fold(line)
            number = section.text_line + offset
            if _names_exam_number(folded):
                out.append(Problem(number, f"'## {section.title}' is public: no candidate's exam number (số báo "
                                           "danh) — it identifies a possibly under-age candidate"))
            if STUDENT_NAME_SLOT.search(folded):
                out.append(Problem(number, f"'## {section.title}' is public: no slot for a student's or candidate's "
                                           "name"))
            match = PROMISES.search(folded)
            if match:
                out.append(Problem(number, f"'{match.group(0)}' promises what a Department cannot guarantee: say "
                                           "what is done and when", WARNING))
    holding = parsed.section(HOLDING_STATEMENT)
    if holding is not None and holding.text.strip() and not any(w in fold(holding.text) for w in EMPATHY):
        out.append(Problem(holding.line, f"'## {HOLDING_STATEMENT}' needs an empathy line (chia sẻ, thấu hiểu, "
                                         "xin lỗi where the sector is at fault): be first, be right, be credible, "
                                         "express empathy"))
    return out


__all__ = ["problems", "PUBLIC_SECTIONS", "ERROR", "WARNING"]
