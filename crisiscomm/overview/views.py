from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from .. import spreadsheets
from ..plans.years import current_school_year, recent_years, school_year_or_404
from . import service
from .export import scorecard_xlsx

bp = Blueprint("overview", __name__, url_prefix="/overview")


@bp.get("/")
@login_required
def index():
    service.require_ministry()
    args = request.args
    data = service.overview_page(sort=args.get("sort") or None, direction=args.get("dir") or None,
                                 q=args.get("q", "").strip() or None, cluster=args.get("cluster") or None,
                                 flagged=args.get("flagged") == "1", view=args.get("view") or "today")
    return render_template("overview/index.html", data=data, args=request.args)


def _year():
    return school_year_or_404(request.args.get("year") or current_school_year())


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
