"""Export of press contacts (CSV, XLSX, vCard) with the Vietnamese headers and outlet-type names, so an export
imports back as the same contacts."""
import re

from flask_babel import gettext as _
from .. import spreadsheets
from ..clock import now, to_local
from ..errors import ValidationError
from . import service
from .columns import COLUMNS


def _export_row(c):
    verified = to_local(c.last_verified_at).strftime("%d/%m/%Y") if c.last_verified_at else ""
    return [c.full_name, c.outlet, service.OUTLET_TYPE_VI.get(c.outlet_type, c.outlet_type), c.position or "",
            c.beat or "",
            "; ".join(c.phones or []), c.email or "", c.notes or "", verified]


def export_csv(contacts):
    return spreadsheets.csv_bytes([vi for _f, vi, _en in COLUMNS], (_export_row(c) for c in contacts))


def export_xlsx(contacts):
    wb = spreadsheets.workbook("Danh bạ báo chí")
    ws = wb.active
    spreadsheets.append(ws, [vi for _f, vi, _en in COLUMNS], bold=True)
    for c in contacts:
        spreadsheets.append(ws, _export_row(c))
    for col, width in zip("ABCDEFGHI", (28, 32, 26, 20, 30, 28, 30, 40, 16)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return spreadsheets.xlsx_bytes(wb)


def _vescape(value):
    return (value or "").replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold_line(line):
    """vCard lines are folded at 75 octets (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += ch
    parts.append(current)
    return "\r\n ".join(parts)


def export_vcard(contacts, version="3.0"):
    if version not in ("3.0", "4.0"):
        raise ValidationError(_("Unknown vCard version."), fields={"version": _("3.0 or 4.0")})
    out = []
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    for c in contacts:
        parts = c.full_name.split()
        family, given = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (c.full_name, "")
        lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{_vescape(c.full_name)}",
                 f"N:{_vescape(family)};{_vescape(given)};;;", f"ORG:{_vescape(c.outlet)}"]
        if c.position:
            lines.append(f"TITLE:{_vescape(c.position)}")
        if c.beat:
            lines.append(f"ROLE:{_vescape(c.beat)}")
        for phone in c.phones or []:
            lines.append(f"TEL;TYPE=voice:{_vescape(phone)}" if version == "3.0"
                         else f"TEL;VALUE=uri;TYPE=voice:tel:{re.sub(r'[^0-9+]', '', phone)}")
        if c.email:
            lines.append(f"EMAIL;TYPE=internet:{_vescape(c.email)}" if version == "3.0"
                         else f"EMAIL:{_vescape(c.email)}")
        lines.append(f"CATEGORIES:{_vescape(service.OUTLET_TYPE_VI.get(c.outlet_type, c.outlet_type))}")
        if c.notes:
            lines.append(f"NOTE:{_vescape(c.notes)}")
        lines.append(f"UID:crisiscomm-contact-{c.id}")
        lines.append(f"REV:{stamp}")
        lines.append("END:VCARD")
        out.extend(_fold_line(line) for line in lines)
    return ("\r\n".join(out) + "\r\n").encode("utf-8")
