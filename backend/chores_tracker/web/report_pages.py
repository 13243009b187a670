"""The report: earnings per week as a chart, the allowance summary per child, and its CSV download."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.deps import DbSession
from chores_tracker.errors import DomainError
from chores_tracker.http import MAX_ROW_ID
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.periods import Period
from chores_tracker.reports import service as reports
from chores_tracker.reports.schemas import AllowanceSummaryOut, ExportFormat
from chores_tracker.web.charts import NARROW, WIDE, bar_chart
from chores_tracker.web.forms import FormErrors
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import render
from chores_tracker.web.session import FamilyParent

router = APIRouter()

CHART_WEEKS = 8


def _filters(request: Request, errors: FormErrors) -> tuple[Period, int | None, dict[str, str]]:
    """The report's filters from the query string; a bad value is reported on its field and ignored."""
    raw = {name: request.query_params.get(name, "").strip() for name in ("date_from", "date_to", "child_id")}
    bounds: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        try:
            bounds[name] = date.fromisoformat(raw[name]) if raw[name] else None
        except ValueError:
            errors.add(name, _("Enter a date like 2026-01-31."))
            bounds[name] = None
    child_id = int(raw["child_id"]) if raw["child_id"].isdigit() and int(raw["child_id"]) <= MAX_ROW_ID else None
    return Period.from_bounds(bounds["date_from"], bounds["date_to"]), child_id, raw


def _short_labels(starts: list[date]) -> list[str]:
    """A phone has room for the day only; the month shows where it changes."""
    labels = []
    for index, start in enumerate(starts):
        new_month = index == 0 or start.month != starts[index - 1].month
        labels.append(f"{start.day} {start:%b}" if new_month else str(start.day))
    return labels


def _summary(
    session: Session, parent: User, period: Period, child_id: int | None, errors: FormErrors
) -> AllowanceSummaryOut:
    try:
        return reports.allowance_summary(session, parent, period, child_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        errors.from_domain(exc, words={"date_to": "“To”", "date_from": "“From”"})
        return reports.allowance_summary(session, parent, Period(), child_id)


@router.get("/reports")
def report_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    errors = FormErrors()
    period, child_id, raw = _filters(request, errors)
    summary = _summary(session, parent, period, child_id, errors)
    weeks = reports.weekly_summary(session, parent, weeks_back=CHART_WEEKS, child_id=child_id)
    starts = [week.week_start for week in weeks]
    earned = [week.total_earned for week in weeks]
    charts = {
        "narrow": bar_chart(list(zip(_short_labels(starts), earned, strict=True)), NARROW),
        "wide": bar_chart(
            [(f"{start.day} {start:%b}", value) for start, value in zip(starts, earned, strict=True)], WIDE
        ),
    }
    return render(
        request,
        "report.html",
        {
            "title": _("Report"),
            "summary": summary,
            "weeks": weeks,
            "charts": charts,
            "children": identity.list_children(session, parent, whole_family=True),
            "form": raw,
            "errors": errors.fields,
            "query": request.url.query,
        },
        status_code=422 if errors else 200,
    )


@router.get("/reports/allowance-summary.csv")
def report_csv(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    errors = FormErrors()
    period, child_id, _ = _filters(request, errors)
    export = reports.export_allowance_summary(_summary(session, parent, period, child_id, errors), ExportFormat.csv)
    return Response(
        export.content,
        media_type=f"{export.content_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"', "Cache-Control": "no-store"},
    )
