"""The LRS client, connector and simulator: response codes to outcomes, never a guess, the
client certificate, escaping, hostile answers, and an LRS that is down."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.lrs.client import LRSClient, LRSSettings, LRSUnavailableError
from adapters.lrs.connector import answer_learner
from adapters.lrs.messages import (
    Demographics,
    LRSAnswer,
    Organisation,
    find_request,
    read_answer,
    read_request,
)
from adapters.lrs.simulator import KnownLearner, LRSSimulator, next_uln
from sif_core.model import uln_problem

KIT = KnownLearner("1000000043", "Kit", "Khan", "2009-05-01", "M")
TWINS = [
    KnownLearner("1000000051", "Tam", "Twine", "2009-06-02", "F"),
    KnownLearner("1000000078", "Tam", "Twine", "2009-06-02", "F"),
]


def _who(
    given: str, family: str, born: str, sex: str = "", postcode: str | None = "NT1 2AB"
) -> Demographics:
    return Demographics(given, family, born, sex, postcode)


@pytest.fixture
def simulator() -> Iterator[LRSSimulator]:
    running = LRSSimulator([KIT, *TWINS]).start()
    yield running
    running.stop()


@pytest.fixture
def lrs(simulator: LRSSimulator) -> Iterator[LRSClient]:
    with LRSClient(LRSSettings(simulator.url, "10012345", "sifbridge", "secret")) as client:
        yield client


@pytest.mark.parametrize(
    ("who", "outcome", "code"),
    [
        (_who("Kit", "Khan", "2009-05-01", "M"), "found", "WSRC0004"),
        (_who("kit", "KHAN", "2009-05-01"), "found", "WSRC0004"),
        (_who("Tam", "Twine", "2009-06-02"), "too-many-matches", "WSRC0002"),
        (_who("Kat", "Khan", "2009-05-01"), "possible-match", "WSRC0003"),
        (_who("Nell", "Newby", "2010-01-01"), "registered", "WSRC0005"),
        (_who("Noor", "Nomad", "2010-01-01", postcode=None), "not-registered", "WSRC0021"),
    ],
)
def test_each_lrs_response_code_becomes_its_outcome(
    lrs: LRSClient, who: Demographics, outcome: str, code: str
) -> None:
    result = answer_learner(lrs, who)
    assert (result["outcome"], result["code"]) == (outcome, code)
    if outcome in ("found", "registered"):
        assert uln_problem(result["uln"]) is None
    else:
        assert "uln" not in result


def test_a_registered_learner_is_found_next_time(lrs: LRSClient, simulator: LRSSimulator) -> None:
    who = _who("Nell", "Newby", "2010-01-01", "F")
    first = answer_learner(lrs, who)
    again = answer_learner(lrs, who)
    assert (again["outcome"], again["uln"]) == ("found", first["uln"])
    assert simulator.calls == [("find", "WSRC0001"), ("register", "WSRC0005"), ("find", "WSRC0004")]


class _Says:
    """An LRS that answers whatever it is told to."""

    def __init__(self, find: LRSAnswer, register: LRSAnswer | None = None) -> None:
        self.found, self.registered = find, register
        self.registrations = 0

    def find(self, learner: Demographics) -> LRSAnswer:
        return self.found

    def register(self, learner: Demographics) -> LRSAnswer:
        self.registrations += 1
        assert self.registered is not None
        return self.registered


@pytest.mark.parametrize("uln", ["1000000042", "9999999999", "0123456789"])
def test_a_uln_that_fails_its_check_is_an_error_not_a_result(uln: str) -> None:
    result = answer_learner(_Says(LRSAnswer("WSRC0004", (uln,))), _who("A", "B", "2009-01-01"))
    assert result["outcome"] == "error"
    assert "uln" not in result


def test_only_no_match_leads_to_registration() -> None:
    for code in ("WSRC0002", "WSRC0003", "WSRC0004"):
        lrs = _Says(LRSAnswer(code, ("1000000043",) if code == "WSRC0004" else ()))
        answer_learner(lrs, _who("A", "B", "2009-01-01"))
        assert lrs.registrations == 0
    linked = _Says(LRSAnswer("WSRC0001"), LRSAnswer("WSRC0022", ("1000000043",)))
    result = answer_learner(linked, _who("A", "B", "2009-01-01"))
    assert (linked.registrations, result["outcome"]) == (1, "possible-match")


def test_an_lrs_fault_is_reported_with_its_code(simulator: LRSSimulator) -> None:
    request = find_request(Organisation("123", "u", "p"), _who("A", "B", "2009-01-01"))
    reply = requests.post(simulator.url, data=request, timeout=10)
    answer = read_answer(reply.content)
    assert reply.status_code == 500
    assert answer.is_fault
    assert answer.code == "WSEC0001"
    assert "UKPRN" in answer.description


def test_names_with_markup_characters_travel_intact() -> None:
    who = _who("Zoë & <Co>", "O'Brien-Smyth", "2009-01-01", "F")
    operation, organisation, back = read_request(
        find_request(Organisation("10012345", "u", "p"), who)
    )
    assert operation == "FindLearnerByDemographics"
    assert organisation.ukprn == "10012345"
    assert back == who


def test_an_answer_declaring_entities_is_refused() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<Envelope><Body><FindLearnerResponse><ResponseCode>&e;</ResponseCode>"
        b"</FindLearnerResponse></Body></Envelope>"
    )
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()

    def send(request: requests.PreparedRequest, **_: object) -> requests.Response:
        response = requests.Response()
        response.status_code, response._content, response.url = 200, hostile, str(request.url)
        return response

    adapter.send = send  # type: ignore[method-assign,assignment]
    session.mount("http://", adapter)
    client = LRSClient(LRSSettings("http://lrs.test/svc", "10012345", "u", "p"), session=session)
    with pytest.raises(LRSUnavailableError, match="refused"):
        client.find(_who("A", "B", "2009-01-01"))


def test_an_unreachable_lrs_is_unavailable_not_an_answer(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = LRSClient(LRSSettings(f"http://127.0.0.1:{port}/svc", "10012345", "u", "p"))
    with pytest.raises(LRSUnavailableError, match="tried again"):
        answer_learner(client, _who("A", "B", "2009-01-01"))


def test_settings_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="8-digit"):
        LRSSettings("https://lrs.test", "123", "u", "p")
    with pytest.raises(ValueError, match="both"):
        LRSSettings("https://lrs.test", "10012345", "u", "p", cert_file=tmp_path / "c.pem")
    with pytest.raises(ValueError, match="https"):
        LRSSettings("lrs.test", "10012345", "u", "p")
    assert "hunter2" not in repr(LRSSettings("https://lrs.test", "10012345", "u", "hunter2"))


def test_simulator_ulns_are_valid_and_increasing() -> None:
    prefix, seen = 400_000_000, []
    for _ in range(50):
        prefix, uln = next_uln(prefix)
        assert uln_problem(uln) is None
        seen.append(uln)
    assert seen == sorted(seen)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(folder: Path) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=sifbridge test CA", cwd=folder)  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=folder)  # fmt: skip
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "2",
                 "-extfile", "san.ext", cwd=folder)  # fmt: skip


def test_the_client_presents_the_organisations_certificate(tmp_path: Path) -> None:
    _certificates(tmp_path)
    server = LRSSimulator(
        [KIT],
        tls=(tmp_path / "server.pem", tmp_path / "server.key"),
        client_ca=tmp_path / "ca.pem",
    ).start()
    try:
        with_cert = LRSSettings(
            server.url,
            "10012345",
            "u",
            "p",
            cert_file=tmp_path / "client.pem",
            key_file=tmp_path / "client.key",
            ca_file=tmp_path / "ca.pem",
        )
        with LRSClient(with_cert) as client:
            assert answer_learner(client, _who("Kit", "Khan", "2009-05-01"))["outcome"] == "found"
        without = LRSSettings(server.url, "10012345", "u", "p", ca_file=tmp_path / "ca.pem")
        with LRSClient(without) as client, pytest.raises(LRSUnavailableError):
            client.find(_who("Kit", "Khan", "2009-05-01"))
    finally:
        server.stop()
