"""The printed QR codes followed the request's Host header: a client sending
`Host: evil.example.com` got codes leading there (an outside tester). With the service's
`public_url` set they lead to it whatever the Host; without it, to the request's address."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from tests.api.http.support import store_department_and_week

PUBLIC = "https://plan.example.com/"


def _week_page(tmp_path, public_url: str | None) -> str:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'service.db'}", public_url=public_url)
    with TestClient(create_app(settings)) as client:
        client.app.state.service.jobs.submit = lambda _job_id: None  # type: ignore[attr-defined]
        _, _, job = store_department_and_week(client.app.state.service.store)  # type: ignore[attr-defined]
        answer = client.get(f"/v1/timetables/{job}.html", headers={"Host": "evil.example.com"})
        assert answer.status_code == 200, answer.text
        return answer.text


def test_qr_links_lead_to_the_public_url_whatever_the_host(tmp_path) -> None:
    page = _week_page(tmp_path, PUBLIC)
    assert f"{PUBLIC}my/" in page and "evil.example.com" not in page


def test_without_a_public_url_the_request_address_is_used(tmp_path) -> None:
    assert "http://evil.example.com/my/" in _week_page(tmp_path, None)


def test_a_public_url_without_a_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="FIELDWEEK_PUBLIC_URL"):
        Settings(public_url="plan.example.com")
    assert Settings.from_env({"FIELDWEEK_PUBLIC_URL": PUBLIC}).public_url == PUBLIC
