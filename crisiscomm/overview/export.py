"""The scorecard as an XLSX workbook: the evidence file for the appraisal (criterion 12.2)."""
from flask_babel import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import spreadsheets
from ..clock import format_datetime

_HEAD = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="7A1712")


def _value(criterion, value):
    if value is None:
        return None
    if criterion["unit"] == "share":
        return round(float(value), 4)
    return value


def scorecard_xlsx(card):
    wb = spreadsheets.workbook(_("Departments"))
    ws = wb.active
    spreadsheets.append(ws, [_("Communication-work scorecard, school year %(year)s", year=card["school_year"])])
    ws["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(ws, [_("Computed at %(at)s; score out of %(max)s points.",
                               at=format_datetime(card["as_of"]), max=int(card["max_points"]))])
    spreadsheets.append(ws, [])
    head = [_("Department"), _("Code"), _("Cluster 2022")]
    for c in card["criteria"]:
        head += [str(c["label"]), _("Points")]
    head += [_("Score"), _("2021–2022 communication score (12.2)"), _("Former units 2021–2022")]
    spreadsheets.append(ws, head)
    for cell in ws[4]:
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in card["rows"]:
        d = r["department"]
        line = [d.name, d.code, d.cluster_2022]
        for c in card["criteria"]:
            item = r["evidence"][c["key"]]
            line += [_value(c, item["value"]), item["points"]]
        line += [r["score"], r["history"]["own"],
                 "; ".join(f"{f['name']}: {f['communication'] if f['communication'] is not None else '–'}"
                           for f in r["history"]["former"])]
        spreadsheets.append(ws, line)
        for i, c in enumerate(card["criteria"]):
            if c["unit"] == "share":
                ws.cell(row=ws.max_row, column=4 + 2 * i).number_format = "0%"
    for i in range(1, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 30 if i == 1 else 16
    ws.freeze_panes = "B5"

    wc = wb.create_sheet(spreadsheets.sheet_title(_("Clusters 2022")))
    spreadsheets.append(wc, [_("Cluster 2022"), _("Departments in 2022"), _("Current units"), _("Mean score"),
               _("Mean 2021–2022 communication score")])
    for cell in wc[1]:
        cell.font, cell.fill = _HEAD, _FILL
    for c in card["clusters"]:
        spreadsheets.append(wc, [c["cluster"], c["departments_2022"], ", ".join(d.province for d in c["units"]),
                                 c["mean_score"], c["history_mean"]])
    for i, w in enumerate((12, 14, 60, 12, 18), start=1):
        wc.column_dimensions[get_column_letter(i)].width = w

    wk = wb.create_sheet(spreadsheets.sheet_title(_("Weights")))
    spreadsheets.append(wk, [_("Criterion"), _("Key"), _("Weight"), _("Target"), _("Better")])
    for cell in wk[1]:
        cell.font, cell.fill = _HEAD, _FILL
    for c in card["criteria"]:
        spreadsheets.append(wk, [str(c["label"]), c["key"], c["weight"], c["target"], c["better"]])
    for key in card["unavailable"]:
        spreadsheets.append(wk, [_("not available on this installation"), key])
    wk.column_dimensions["A"].width = 45
    wk.column_dimensions["B"].width = 30
    return spreadsheets.xlsx_bytes(wb)
