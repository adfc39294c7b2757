"""`desk-tui serve` over HTTPS with a private CA's certificate, and the real client pointed at
it: trusted through --ca-bundle / DESK_CA_BUNDLE, refused with a sentence otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from desk_tui.client.connect import connect, open_client
from desk_tui.client.errors import CertificateError, OfflineError, PlainHttpRefused
from desk_tui.client.settings import load_settings
from desk_tui.client.transport import NO_RETRY
from tests.client.private_ca import make_private_ca
from tests.support.served import ServedAPI

pytestmark = [pytest.mark.timeout(400), pytest.mark.xdist_group("https")]  # the group: tests/conftest.py


@pytest.fixture(scope="module")
def certificates():
    folder = Path(tempfile.mkdtemp(prefix="desk-tls-"))
    return make_private_ca(folder / "salon"), make_private_ca(folder / "rogue", ca_name="Rogue CA")


@pytest.fixture(scope="module")
def https_api(certificates, engine, new_db_url):
    """As an operator runs it: one worker on SQLite, two on PostgreSQL (each worker loads the
    certificate itself)."""
    issued, _ = certificates
    args = ["--ssl-certfile", str(issued.certfile), "--ssl-keyfile", str(issued.keyfile)]
    with ServedAPI(new_db_url(engine), workers=1 if engine == "sqlite" else 2, demo=True, args=args, scheme="https",
                   verify=str(issued.ca_bundle)) as server:
        yield server


async def test_the_client_signs_in_over_https_trusting_the_private_ca(https_api, certificates, home, monkeypatch):
    issued, _ = certificates
    monkeypatch.setenv("DESK_CA_BUNDLE", str(issued.ca_bundle))
    settings = load_settings(server=https_api.url)
    assert settings.ca_bundle == issued.ca_bundle
    async with open_client(connect(settings, home), settings, home) as client:
        signed_in = await client.login("reception", "1111")
        assert signed_in.staff.username == "reception"
        assert [loc.name for loc in await client.locations()] == ["Downtown", "Riverside"]


@pytest.mark.parametrize("bundle", ["none", "another CA"])
async def test_a_certificate_the_client_does_not_trust_is_refused_with_a_sentence(https_api, certificates, home,
                                                                                 bundle):
    _, rogue = certificates
    settings = load_settings(server=https_api.url, ca_bundle=rogue.ca_bundle if bundle == "another CA" else None)
    async with open_client(connect(settings, home), settings, home) as client:
        with pytest.raises(CertificateError) as refused:
            await client.login("reception", "1111")
        assert client.signed_in is None and client.offline
    sentence = refused.value.sentence
    assert sentence.startswith("Nothing was sent: the server's certificate is not trusted (unable to get local "
                               "issuer certificate).")
    assert "--ca-bundle, DESK_CA_BUNDLE or ca_bundle in config.toml" in sentence


def _doctor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desk_tui", "doctor", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ})


def _row(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(name)).split(None, 1)[1]


def test_doctor_reports_the_certificate_and_the_servers_health(https_api, certificates, home):
    issued, _ = certificates
    result = _doctor("--server", https_api.url, "--ca-bundle", str(issued.ca_bundle))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _row(result.stdout, "Certificate") == (
        f"trusted by {issued.ca_bundle}; issued by Bella Private CA (Bella Salon & Spa); "
        f"expires {issued.not_after:%Y-%m-%d} (in 29 days)")
    assert _row(result.stdout, "Health") == "ok (database ok)"

    untrusted = _doctor("--server", https_api.url)
    assert untrusted.returncode == 1
    assert _row(untrusted.stdout, "Certificate") == "NOT trusted: unable to get local issuer certificate"


def test_a_ca_bundle_that_does_not_exist_is_named(home, tmp_path):
    result = _doctor("--server", "https://127.0.0.1:9", "--ca-bundle", str(tmp_path / "missing.pem"))
    assert result.returncode == 2
    assert f"The CA bundle {tmp_path / 'missing.pem'} does not exist" in result.stderr


async def test_no_pin_leaves_for_another_machine_over_plain_http(make_client):
    # 192.0.2.1 is a documentation address nothing answers on: the refusal comes before any try.
    remote = make_client("http://192.0.2.1:9", retry=NO_RETRY)
    with pytest.raises(PlainHttpRefused):
        await remote.login("reception", "1111")
    with pytest.raises(PlainHttpRefused):  # a manager's approval carries a PIN too
        await remote.write("POST", "/sales/sal_1/lines", json={"service_id": "svc_1",
                                                                "approval": {"username": "manager", "pin": "2222"}})
    # To this machine plain http is fine (the demo, an SSH tunnel): it is tried, and nothing answers.
    for url in ("http://127.0.0.1:9", "http://localhost:9"):
        with pytest.raises(OfflineError):
            await make_client(url, retry=NO_RETRY).login("reception", "1111")
    with pytest.raises(OfflineError):  # --insecure: sent anyway
        await make_client("http://192.0.2.1:9", retry=NO_RETRY, allow_plain_http=True, timeout=0.5).login(
            "reception", "1111")
