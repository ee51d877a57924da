"""The import wizard through HTTP: upload, mapping, dry run, run, report, and its safety."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientfocus.imports.models import ImportJob, SavedMapping
from clientfocus.imports.pipeline import job_dir
from clientfocus.imports.tests import makers as M
from clientfocus.sales.models import Sale

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "1c.csv", kind: str = "sales"):
    return client.post(reverse("imports:start"), {"file": SimpleUploadedFile(name, data), "kind": kind})


def test_the_wizard_from_upload_to_report(client, cast):
    client.force_login(cast["users"]["dana"])
    assert "Импорт" in client.get(reverse("portfolio:myday")).content.decode()  # the nav link
    response = _upload(client, M.sales_csv(M.GOOD_SALES + M.BAD_SALES), name="../../etc/passwd")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:job", kwargs={"pk": job.pk}
    )
    # The file name is only shown: the upload is stored under a generated name in the job folder.
    assert job.original_name == "passwd" or job.original_name.endswith("passwd")
    assert sorted(p.name for p in job_dir(job).iterdir()) == ["source.dat"]
    page = client.get(response["Location"]).content.decode()
    # Step 2: the mapping comes pre-selected from the headers.
    assert '<select class="form-select form-select-sm" name="col_amount" aria-label="Сумма">' in page
    assert '<option value="Сумма" selected>Сумма</option>' in page
    # Override: no margin column; ask for a dry run.
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items() if k != "margin"}
    response = client.post(
        reverse("imports:job", kwargs={"pk": job.pk}),
        {"kind": "sales", **columns, "create_companies": "on", "action": "check"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "checked" and "margin" not in job.mapping["columns"]
    assert Sale.objects.filter(key__startswith="СЧ-").count() == 0  # a dry run writes nothing
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="preview"' in page and "3 000,00" in page
    assert "такой даты нет в календаре" in page and "32.01.2025" in page
    # Run: all-or-nothing refuses; with skipping it writes the good rows.
    client.post(reverse("imports:run", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.state == "refused" and Sale.objects.filter(key__startswith="СЧ-").count() == 0
    client.post(
        reverse("imports:job", kwargs={"pk": job.pk}),
        {"kind": "sales", **columns, "create_companies": "on", "skip_bad_rows": "on", "action": "save"},
    )
    client.post(reverse("imports:run", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.state == "done" and job.rows_added == 5
    assert Sale.objects.get(key="СЧ-1#1").margin_minor is None  # the margin column was unmapped
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="job-done"' in page and 'data-testid="rejects"' in page
    rejects = client.get(reverse("imports:rejects", kwargs={"pk": job.pk}))
    assert (
        rejects.status_code == 200
        and b"".join(rejects.streaming_content).decode("utf-8-sig").count("\r\n") == 5
    )
    report = client.get(reverse("imports:report", kwargs={"pk": job.pk}))
    assert "не сходится контрольное число" in b"".join(report.streaming_content).decode("utf-8-sig")


def test_cell_text_is_escaped_in_the_preview_and_the_report(client, cast):
    client.force_login(cast["users"]["dana"])
    evil = "<script>alert(1)</script>"
    lines = [f"{evil};{M.INN_ROMASHKA};15.01.2025;СЧ-1;1;Бумага;1;1;{evil};;"]
    _upload(client, M.sales_csv(lines))
    job = ImportJob.objects.get()
    client.post(
        reverse("imports:job", kwargs={"pk": job.pk}),
        {
            "kind": "sales",
            **{f"col_{k}": v for k, v in job.mapping["columns"].items()},
            "create_companies": "on",
            "action": "check",
        },
    )
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the client name in the preview, the bad amount


def test_progress_is_polled_and_ends_with_a_refresh(client, cast):
    client.force_login(cast["users"]["bob"])
    _upload(client, M.sales_csv(M.GOOD_SALES))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="running", phase="write", chunks_done=1, chunks_total=4)
    html = client.get(
        reverse("imports:progress", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in html and "Записано частей: 1 из 4" in html and "width: 25%" in html
    ImportJob.objects.filter(pk=job.pk).update(state="done")
    response = client.get(reverse("imports:progress", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_a_mapping_is_saved_by_name_and_applied_to_the_next_file(client, cast):
    client.force_login(cast["users"]["alice"])
    _upload(client, M.sales_csv(M.GOOD_SALES))
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items() if k != "product"}
    client.post(reverse("imports:job", kwargs={"pk": job.pk}), {"kind": "sales", **columns, "action": "save"})
    client.post(reverse("imports:save_mapping", kwargs={"pk": job.pk}), {"name": "1С: реализация"})
    saved = SavedMapping.objects.get(owner=cast["users"]["alice"])
    assert saved.name == "1С: реализация" and "product" not in saved.columns
    _upload(client, M.sales_csv(M.GOOD_SALES))
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert "product" in second.mapping["columns"]
    client.post(
        reverse("imports:job", kwargs={"pk": second.pk}),
        {"kind": "sales", "saved": saved.pk, "action": "save"},
    )
    second.refresh_from_db()
    assert second.mapping["columns"] == saved.columns


def test_a_missing_required_column_is_explained(client, cast):
    client.force_login(cast["users"]["dana"])
    _upload(client, M.sales_csv(M.GOOD_SALES))
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items() if k not in ("date",)}
    page = client.post(
        reverse("imports:job", kwargs={"pk": job.pk}), {"kind": "sales", **columns}
    ).content.decode()
    assert "не сопоставлены обязательные поля: Дата" in page


def test_uploads_over_the_limit_are_refused_before_parsing(client, cast, monkeypatch):
    from clientfocus.exchange import Limits

    monkeypatch.setattr("clientfocus.imports.pipeline.WEB_LIMITS", Limits(max_bytes=100))
    client.force_login(cast["users"]["dana"])
    page = _upload(client, M.sales_csv(M.GOOD_SALES)).content.decode()
    assert "файл больше допустимых 100 байт" in page
    assert not ImportJob.objects.exists()


def test_posts_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["users"]["dana"])
    response = client.post(reverse("imports:start"), {"file": SimpleUploadedFile("a.csv", b"a;b\r\n1;2\r\n")})
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_export_follows_the_portfolio_filters(client, cast):
    client.force_login(cast["users"]["bob"])
    html = client.get(reverse("portfolio:portfolio"), {"q": "ромашка"}).content.decode()
    assert f"{reverse('imports:export')}?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&amp;format=xlsx" in html
    body = client.get(reverse("imports:export"), {"q": "ромашка", "format": "csv-ru"}).content.decode(
        "utf-8-sig"
    )
    assert "Ромашка" in body and "Северный кабель" not in body
    response = client.get(reverse("imports:export"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_job_that_stopped_mid_write_is_resumed_from_the_wizard(client, cast, monkeypatch):
    from clientfocus.imports.pipeline import ImportRun

    monkeypatch.setattr("clientfocus.imports.pipeline.BYTES_PER_CHUNK", 200)
    client.force_login(cast["users"]["dana"])
    lines = [f"Клиент {i};;{1 + i % 28:02d}.03.2025;Д-{i};1;Товар;1;10;{100 + i};;" for i in range(40)]
    _upload(client, M.sales_csv(lines))
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.mapping["columns"].items()}
    client.post(
        reverse("imports:job", kwargs={"pk": job.pk}),
        {"kind": "sales", **columns, "create_companies": "on", "action": "check"},
    )
    real, calls = ImportRun._write_chunk, []

    def crashing(self, frame):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the server was restarted")
        return real(self, frame)

    monkeypatch.setattr(ImportRun, "_write_chunk", crashing)
    client.post(reverse("imports:run", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert (job.state, job.phase, job.message_code) == ("failed", "write", "internal")
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="resume"' in page and "Внутренняя ошибка при загрузке" in page
    # A process killed mid-write leaves the job "running"; ten silent minutes make it resumable.
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    ImportJob.objects.filter(pk=job.pk).update(state="running", message_code="", updated_at=long_ago)
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="resume"' in page and "hx-trigger" not in page
    monkeypatch.setattr(ImportRun, "_write_chunk", real)
    client.post(reverse("imports:run", kwargs={"pk": job.pk}), {"resume": "1"})
    job.refresh_from_db()
    assert job.state == "done"
    assert Sale.objects.filter(invoice__startswith="Д-").count() == 40


def test_the_sheet_of_a_workbook_is_picked_in_the_wizard(client, cast):
    from clientfocus.exchange.tests.makers import xlsx_two_sheets

    client.force_login(cast["users"]["dana"])
    _upload(client, xlsx_two_sheets(), name="1c.xlsx")
    job = ImportJob.objects.get()
    assert job.sheets == ["Сводка", "Продажи"] and job.headers == ["Менеджер", "Сумма"]
    client.post(reverse("imports:job", kwargs={"pk": job.pk}), {"kind": "sales", "sheet": "Продажи"})
    job.refresh_from_db()
    assert job.sheet == "Продажи"
    assert job.headers == ["Покупатель", "ИНН", "Дата документа", "Кол-во", "Цена", "Сумма, руб."]
    assert (
        job.mapping["columns"]["amount"] == "Сумма, руб."
        and job.mapping["columns"]["company"] == "Покупатель"
    )
    client.post(
        reverse("imports:job", kwargs={"pk": job.pk}),
        {
            "kind": "sales",
            "sheet": "Продажи",
            **{f"col_{k}": v for k, v in job.mapping["columns"].items()},
            "action": "check",
        },
    )
    job.refresh_from_db()
    assert job.state == "checked"
    assert {p["sheet"] for p in job.problems} == {"Продажи"}
