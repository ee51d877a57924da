"""Random bytes never crash the import: a clear whole-file error or a report, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientfocus.exchange import ExchangeError
from clientfocus.imports import services
from clientfocus.imports.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = "Контрагент;ИНН;Дата;Номер;Сумма\r\n".encode("cp1251")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400), with_header=st.booleans(), kind=st.sampled_from(["sales", "companies"]))
def test_random_bytes_give_a_clear_answer(admin_dana, body, with_header, kind):
    data = (HEADERS if with_header else b"") + body
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.bin"
        path.write_bytes(data)
        try:
            job = services.job_create_path(actor=admin_dana, path=str(path), kind=kind, skip_bad_rows=True)
        except ExchangeError as exc:
            assert exc.text("ru") and exc.text("en")
            return
        job = services.job_run(actor=admin_dana, job=job, recompute=False)
        assert job.state in (ImportJob.State.DONE, ImportJob.State.FAILED, ImportJob.State.REFUSED)
        if job.state == ImportJob.State.FAILED:
            assert job.message_code and job.message_code != "internal"
