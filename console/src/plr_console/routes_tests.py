"""Test runs of the scripted conversations, and the latest reports, read-only."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from . import reports
from .accounts import User
from .web import check_csrf, redirect, render, require

router = APIRouter()


@router.get("/tests")
async def tests_page(request: Request, user: User = Depends(require("viewer"))):
    return _tests_page(request)


def _tests_page(request: Request, error: str | None = None):
    state = request.app.state
    directory = state.settings.reports_dir
    return render(request, "tests.html", status_code=400 if error else 200, active="tests",
                  runs=state.runner.recent(10), busy=state.runner.busy(), sections=reports.sections(directory),
                  texts=reports.texts(directory), error=error)


@router.post("/tests/run")
async def start_run(request: Request, user: User = Depends(require("caseworker"))):
    await check_csrf(request)
    form = await request.form()
    state = request.app.state
    try:
        run = state.runner.start(user.username, str(form.get("filter") or "").strip())
    except (ValueError, RuntimeError) as exc:
        return _tests_page(request, str(exc))
    state.audit.record(user.username, f"started test run {run.id}")
    return redirect(f"/tests/runs/{run.id}")


@router.get("/tests/runs/{run_id}")
async def run_page(request: Request, run_id: str, user: User = Depends(require("viewer"))):
    run = request.app.state.runner.get(run_id)
    if run is None:
        return render(request, "message.html", status_code=404, title="No such test run", message="")
    report = run.report if run.state == "finished" else None
    return render(request, "run.html", active="tests", run=run, report=report,
                  output=request.app.state.runner.output(run) if run.state == "finished" else "")


@router.get("/reports/{name}")
async def report_text(request: Request, name: str, user: User = Depends(require("viewer"))):
    path = reports.find(request.app.state.settings.reports_dir, name, reports.TEXT)
    if path is None:
        return render(request, "message.html", status_code=404, title="No such report", message="")
    return render(request, "report.html", active="tests", name=name,
                  blocks=reports.blocks(path.read_text(errors="replace")))


@router.get("/report-files/{name:path}")
async def report_image(request: Request, name: str, user: User = Depends(require("viewer"))):
    path = reports.find(request.app.state.settings.reports_dir, name, tuple(reports.IMAGES))
    if path is None:
        return Response(status_code=404)
    return Response(path.read_bytes(), media_type=reports.IMAGES[path.suffix],
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
