"""The import wizard (upload -> sheet and kind -> column mapping -> dry-run preview -> run with
progress -> report) and the portfolio export. Thin: parse, one service or selector, render.

A job is visible to the user who created it and to admins; anybody else gets the same 404 as
for a job that does not exist.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientfocus.exchange import ColumnMapping, ExchangeError, Kind, fields_of
from clientfocus.imports import pipeline, selectors, services
from clientfocus.imports.exports import CONTENT_TYPES, EXTENSIONS, FORMATS, portfolio_export
from clientfocus.imports.forms import MappingForm, SaveMappingForm, UploadForm
from clientfocus.imports.models import ImportJob
from clientfocus.imports.pipeline import rejects_path, report_path
from clientfocus.imports.problems import lang, problem_reason, problem_where


def job_message(job: ImportJob, language: str | None = None) -> str:
    """The whole-file problem of a failed job, in the user's language."""
    from clientfocus.exchange import MESSAGES, message

    if not job.message_code:
        return ""
    if job.message_code in MESSAGES:
        try:
            return message(
                job.message_code, "en" if (language or lang()) == "en" else "ru", **job.message_params
            )
        except (KeyError, IndexError):
            return message(job.message_code, "ru")
    return _("Внутренняя ошибка при загрузке; подробности в журнале сервера.")


def _may_import(request: HttpRequest) -> None:
    if not services.may_import(request.user):
        raise PermissionDenied


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(selectors.jobs_visible_to(request.user), pk=pk)


class _CappedUpload(FileUploadHandler):
    """Counts an upload's bytes as they arrive and drops the file once it passes the limit, so an
    oversized upload is never stored, let alone parsed (the rest of the body is read and discarded)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit, self.size, self.too_large = limit, 0, False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # only to install the upload handler before the body is read; _start checks CSRF
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a file and say what it holds. Also lists the user's recent jobs."""
    cap = _CappedUpload(request, pipeline.WEB_LIMITS.max_bytes)
    request.upload_handlers.insert(0, cap)
    return _start(request, cap)


@csrf_protect
def _start(request: HttpRequest, cap: _CappedUpload) -> HttpResponse:
    _may_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if cap.too_large:
        form.errors.pop("file", None)
        form.add_error(
            "file", ExchangeError("file_too_large", limit=cap.limit).text("en" if lang() == "en" else "ru")
        )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create_upload(
                actor=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ExchangeError as exc:
            form.add_error("file", exc.text("en" if lang() == "en" else "ru"))
        else:
            return redirect("imports:job", pk=job.pk)
    context = {"nav": "imports", "form": form, "jobs": selectors.recent_jobs(user=request.user)}
    return render(request, "imports/start.html", context)


def _mapping_rows(job: ImportJob) -> list[dict[str, Any]]:
    current = (job.mapping or {}).get("columns", {})
    language = lang()
    return [
        {
            "name": f.name,
            "label": f.label_en if language == "en" else f.label_ru,
            "required": f.required,
            "header": current.get(f.name, ""),
        }
        for f in fields_of(Kind(job.kind)).values()
    ]


def _problems(job: ImportJob) -> list[dict[str, Any]]:
    language = lang()
    return [
        {
            **p,
            "where": problem_where(p["row"], p.get("sheet"), language),
            "reason": problem_reason(p["code"], language),
        }
        for p in job.problems
    ]


@require_http_methods(["GET", "POST"])
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """Steps 2–6 on one page: the sheet, the mapping, the preview, the progress, the report."""
    _may_import(request)
    the_job = _job(request, pk)
    form = MappingForm(request.POST or None, job=the_job, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("saved"):
                columns = selectors.saved_mapping_columns(
                    user=request.user, pk=data["saved"], kind=the_job.kind
                )
            else:
                columns = form.columns()
            services.job_configure(
                actor=request.user,  # type: ignore[arg-type]
                job=the_job,
                kind=data["kind"],
                sheet=data.get("sheet") or "",
                columns=columns if data["kind"] == the_job.kind and not form.sheet_changed() else None,
                skip_bad_rows=data["skip_bad_rows"],
                create_companies=data["create_companies"],
            )
        except ExchangeError as exc:
            form.add_error(None, exc.text("en" if lang() == "en" else "ru"))
        else:
            if request.POST.get("action") == "check" and the_job.mapping:
                services.job_start(actor=request.user, job=the_job, dry_run=True)  # type: ignore[arg-type]
            return redirect("imports:job", pk=the_job.pk)
    return render(request, "imports/job.html", _job_context(request, the_job, form))


def _job_context(request: HttpRequest, the_job: ImportJob, form: Any = None) -> dict[str, Any]:
    missing: list[str] = []
    if the_job.mapping:
        try:
            missing = ColumnMapping.from_dict(the_job.mapping).missing_required()
        except ExchangeError:
            missing = []
    return {
        "nav": "imports",
        "job": the_job,
        "form": form,
        "rows": _mapping_rows(the_job),
        "missing": missing,
        "problems": _problems(the_job),
        "preview_fields": [r for r in _mapping_rows(the_job) if r["header"]],
        "message": job_message(the_job),
        "save_form": SaveMappingForm(),
        "saved": selectors.saved_mappings(user=request.user, kind=the_job.kind),
        "has_rejects": rejects_path(the_job).exists() if the_job.rows_bad else False,
        "running": the_job.state in (ImportJob.State.CHECKING, ImportJob.State.RUNNING)
        and not the_job.stalled,
    }


@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTMX poll: the progress block while the job runs, the whole page once it is done."""
    _may_import(request)
    the_job = _job(request, pk)
    context = _job_context(request, the_job)
    if not context["running"] and request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/job.html#progress", context)


@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    _may_import(request)
    the_job = _job(request, pk)
    busy = the_job.state in (ImportJob.State.CHECKING, ImportJob.State.RUNNING) and not the_job.stalled
    if busy or not the_job.mapping:
        return redirect("imports:job", pk=the_job.pk)
    resume = request.POST.get("resume") == "1" and the_job.phase == "write"
    services.job_start(actor=request.user, job=the_job, resume=resume)  # type: ignore[arg-type]
    return redirect("imports:job", pk=the_job.pk)


@require_POST
def save_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _may_import(request)
    the_job = _job(request, pk)
    form = SaveMappingForm(request.POST)
    if form.is_valid() and the_job.mapping:
        services.mapping_save(
            actor=request.user,  # type: ignore[arg-type]
            kind=the_job.kind,
            name=form.cleaned_data["name"],
            columns=dict(the_job.mapping.get("columns", {})),
        )
        messages.success(request, _("Сопоставление сохранено."))
    return redirect("imports:job", pk=the_job.pk)


def _download(path: Any, name: str) -> FileResponse:
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="text/csv")


@require_GET
def report(request: HttpRequest, pk: int) -> FileResponse:
    _may_import(request)
    the_job = _job(request, pk)
    return _download(report_path(the_job), f"import-{the_job.pk}-report.csv")


@require_GET
def rejects(request: HttpRequest, pk: int) -> FileResponse:
    _may_import(request)
    the_job = _job(request, pk)
    return _download(rejects_path(the_job), f"import-{the_job.pk}-rejects.csv")


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The portfolio page's current view (same filters) as a file: ?format=xlsx|csv|csv-ru."""
    from clientfocus.portfolio.views import portfolio_filters

    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    buffer = io.BytesIO()
    portfolio_export(user=request.user, filters=portfolio_filters(request), fmt=fmt, target=buffer)  # type: ignore[arg-type]
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="portfolio-{stamp}.{EXTENSIONS[fmt]}"'
    return response
