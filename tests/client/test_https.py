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
from desk_tui.client.errors import CertificateError
from desk_tui.client.settings import load_settings
from tests.client.private_ca import make_private_ca
from tests.support.served import ServedAPI

pytestmark = pytest.mark.timeout(400)


@pytest.fixture(scope="module")
def certificates():
    folder = Path(tempfile.mkdtemp(prefix="desk-tls-"))
    return make_private_ca(folder / "salon"), make_private_ca(folder / "rogue", ca_name="Rogue CA")


@pytest.fixture(scope="module")
def https_api(certificates, new_db_url):
    issued, _ = certificates
    args = ["--ssl-certfile", str(issued.certfile), "--ssl-keyfile", str(issued.keyfile)]
    with ServedAPI(new_db_url("sqlite"), demo=True, args=args, scheme="https", verify=str(issued.ca_bundle)) as server:
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
