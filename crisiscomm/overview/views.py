from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from .. import spreadsheets
from ..errors import ValidationError
from ..plans.years import current_school_year, parse_school_year, recent_years
from . import service
from .export import scorecard_xlsx

bp = Blueprint("overview", __name__, url_prefix="/overview")


@bp.get("/")
@login_required
def index():
    service.require_ministry()
    try:
        data = service.build_overview(sort=request.args.get("sort") or None, direction=request.args.get("dir") or None,
                                      q=request.args.get("q", "").strip() or None,
                                      cluster=request.args.get("cluster") or None,
                                      flagged=request.args.get("flagged") == "1",
                                      view=request.args.get("view") or "today")
    except ValidationError:
        data = service.build_overview(view="today")
    return render_template("overview/index.html", data=data, args=request.args)


def _year():
    try:
        return parse_school_year(request.args.get("year") or current_school_year())
    except ValidationError:
        abort(404)


@bp.get("/scorecard")
@login_required
def scorecard():
    service.require_ministry()
    card = service.build_scorecard(school_year=_year())
    return render_template("overview/scorecard.html", card=card, years=recent_years())


@bp.get("/scorecard.xlsx")
@login_required
def scorecard_export():
    service.require_ministry()
    card = service.build_scorecard(school_year=_year())
    return Response(scorecard_xlsx(card),
                    mimetype=spreadsheets.XLSX_MIMETYPE,
                    headers={"Content-Disposition":
                             f'attachment; filename="scorecard-{card["school_year"]}.xlsx"'})
