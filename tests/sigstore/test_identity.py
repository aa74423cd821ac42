"""Tests for srcverify.sigstore.identity: Fulcio extensions and identity policies.

Certificates are built in code with a fixed EC key and fixed times, carrying
exactly the Fulcio extensions each test needs; the real leaf certificates of
the shared corpus check the same code against what Fulcio actually issues.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from hypothesis import given
from hypothesis import strategies as st

from srcverify.errors import CertificateError, PolicyError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.fulcio import (
    certificate_identity,
    extension_value,
    oidc_issuer,
    subject_alternative_names,
)
from srcverify.sigstore.identity import (
    AllOf,
    AnyOf,
    GitHubWorkflow,
    Identity,
    Issuer,
    PolicySpecError,
)

KEY = ec.derive_private_key(0x5EED_1DE7_171E5, ec.SECP256R1())
GITHUB = "https://github.com/login/oauth"
GOOGLE = "https://accounts.google.com"
ACTIONS = "https://token.actions.githubusercontent.com"
BEACON_REPO = "sigstore-conformance/extremely-dangerous-public-oidc-beacon"
BEACON_WORKFLOW = (
    f"https://github.com/{BEACON_REPO}/.github/workflows/extremely-dangerous-oidc-beacon.yml"
    "@refs/heads/main"
)


def der_utf8(text: str) -> bytes:
    raw = text.encode()
    if len(raw) < 0x80:
        return bytes([0x0C, len(raw)]) + raw
    size = len(raw).to_bytes((len(raw).bit_length() + 7) // 8, "big")
    return bytes([0x0C, 0x80 | len(size)]) + size + raw


def make_cert(
    *,
    email: str | None = None,
    uri: str | None = None,
    othername: str | None = None,
    extensions: dict[int, bytes] | None = None,
) -> x509.Certificate:
    """A leaf with the given SAN and Fulcio extensions (arc -> raw extnValue)."""
    names: list[x509.GeneralName] = []
    if email is not None:
        names.append(x509.RFC822Name(email))
    if uri is not None:
        names.append(x509.UniformResourceIdentifier(uri))
    if othername is not None:
        names.append(x509.OtherName(ObjectIdentifier("1.3.6.1.4.1.57264.1.7"), der_utf8(othername)))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-fulcio")]))
        .public_key(KEY.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2025, 1, 1, 0, 10, tzinfo=UTC))
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=True)
    for arc, value in (extensions or {}).items():
        oid = ObjectIdentifier(f"1.3.6.1.4.1.57264.1.{arc}")
        builder = builder.add_extension(x509.UnrecognizedExtension(oid, value), critical=False)
    return builder.sign(KEY, hashes.SHA256())


def person(email: str, issuer: str) -> x509.Certificate:
    """A release manager's certificate as Fulcio issues it today (.1.1 and .1.8)."""
    return make_cert(email=email, extensions={1: issuer.encode(), 8: der_utf8(issuer)})


LEGACY_CLAIMS = {
    1: ACTIONS.encode(),
    2: b"workflow_dispatch",
    3: b"c7b3dfb335f051e1c86bda4c716fac97df62ad81",
    4: b"Extremely dangerous OIDC beacon",
    5: BEACON_REPO.encode(),
    6: b"refs/heads/main",
}
GENERIC_CLAIMS = {
    8: der_utf8(ACTIONS),
    9: der_utf8(BEACON_WORKFLOW),
    10: der_utf8("c7b3dfb335f051e1c86bda4c716fac97df62ad81"),
    11: der_utf8("github-hosted"),
    12: der_utf8(f"https://github.com/{BEACON_REPO}"),
    13: der_utf8("c7b3dfb335f051e1c86bda4c716fac97df62ad81"),
    14: der_utf8("refs/heads/main"),
    15: der_utf8("632596897"),
    16: der_utf8("https://github.com/sigstore-conformance"),
    17: der_utf8("131804563"),
    18: der_utf8(BEACON_WORKFLOW),
    19: der_utf8("c7b3dfb335f051e1c86bda4c716fac97df62ad81"),
    20: der_utf8("workflow_dispatch"),
    21: der_utf8(f"https://github.com/{BEACON_REPO}/actions/runs/8347481628/attempts/1"),
    22: der_utf8("public"),
    23: der_utf8("production"),
}


# --- reading the certificate --------------------------------------------------


def test_san_email_uri_and_sigstore_othername_are_read() -> None:
    cert = make_cert(email="hugo@python.org", uri="https://example.com/x", othername="foo!bar")
    assert subject_alternative_names(cert) == (
        "hugo@python.org",
        "https://example.com/x",
        "foo!bar",
    )
    assert certificate_identity(cert) == "hugo@python.org, https://example.com/x, foo!bar"


def test_no_san_reads_as_no_identity() -> None:
    cert = make_cert(extensions={8: der_utf8(GITHUB)})
    assert subject_alternative_names(cert) == ()
    assert certificate_identity(cert) == ""


def test_issuer_prefers_v2_extension_over_legacy() -> None:
    cert = make_cert(email="a@b", extensions={1: b"https://legacy", 8: der_utf8("https://v2")})
    assert oidc_issuer(cert) == "https://v2"
    assert oidc_issuer(cert) == "https://v2"


def test_issuer_falls_back_to_legacy_raw_extension() -> None:
    cert = make_cert(email="nad@python.org", extensions={1: GITHUB.encode()})
    assert oidc_issuer(cert) == GITHUB


def test_issuer_absent_is_none() -> None:
    assert oidc_issuer(make_cert(email="a@b")) is None


def test_long_der_utf8_string_is_decoded() -> None:
    long_uri = "https://example.com/" + "x" * 300
    cert = make_cert(extensions={9: der_utf8(long_uri)})
    assert extension_value(cert, 9) == long_uri


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\x13\x03abc", "expected a DER UTF8String"),  # PrintableString tag
        (b"\x0c\x05abc", "UTF8String length 5 does not match the 3 bytes present"),
        (b"\x0c\x81\x03abc", "non-minimal DER length"),
        (b"\x0c\x02\xff\xfe", "not valid UTF-8"),
        (b"\x0c", "expected a DER UTF8String"),
    ],
)
def test_malformed_der_extension_is_a_certificate_error(value: bytes, reason: str) -> None:
    cert = make_cert(extensions={8: value})
    with pytest.raises(CertificateError, match=reason):
        oidc_issuer(cert)


def test_legacy_extension_that_is_not_utf8_is_a_certificate_error() -> None:
    cert = make_cert(extensions={1: b"\xff\xfe"})
    with pytest.raises(CertificateError, match=r"57264\.1\.1 .*not valid UTF-8"):
        oidc_issuer(cert)


@given(st.binary(max_size=300))
def test_any_issuer_extension_bytes_give_a_string_or_our_error(value: bytes) -> None:
    cert = make_cert(extensions={8: value})
    try:
        result = oidc_issuer(cert)
    except CertificateError:
        return
    assert isinstance(result, str)
    assert der_utf8(result) == value


# --- Identity -----------------------------------------------------------------


def test_identity_exact_match_passes() -> None:
    Identity(identity="hugo@python.org", issuer=GITHUB).check(person("hugo@python.org", GITHUB))


def test_identity_san_mismatch_names_expected_and_actual() -> None:
    policy = Identity(identity="hugo@python.org", issuer=GITHUB)
    with pytest.raises(PolicyError) as info:
        policy.check(person("thomas@python.org", GITHUB))
    assert info.value.detail == (
        "SAN mismatch: expected hugo@python.org, certificate has thomas@python.org"
    )
    assert str(info.value).startswith("policy: SAN mismatch")


def test_identity_issuer_mismatch_names_expected_and_actual() -> None:
    policy = Identity(identity="thomas@python.org", issuer=GITHUB)
    with pytest.raises(
        PolicyError, match=f"OIDC issuer mismatch: expected {GITHUB}, certificate has {GOOGLE}"
    ):
        policy.check(person("thomas@python.org", GOOGLE))


def test_identity_without_issuer_extension_is_rejected() -> None:
    policy = Identity(identity="a@b", issuer=GITHUB)
    with pytest.raises(PolicyError, match="certificate has no issuer extension"):
        policy.check(make_cert(email="a@b"))


def test_identity_without_san_is_rejected() -> None:
    policy = Identity(identity="a@b", issuer=GITHUB)
    with pytest.raises(PolicyError, match="certificate has no SAN identity"):
        policy.check(make_cert(extensions={8: der_utf8(GITHUB)}))


def test_identity_matches_uri_and_othername_sans() -> None:
    uri = make_cert(uri=BEACON_WORKFLOW, extensions={8: der_utf8(ACTIONS)})
    Identity(identity=BEACON_WORKFLOW, issuer=ACTIONS).check(uri)
    other = make_cert(othername="foo!oidc.local", extensions={8: der_utf8("http://oidc.local")})
    Identity(identity="foo!oidc.local", issuer="http://oidc.local").check(other)


def test_identity_regexp_must_match_the_whole_san() -> None:
    policy = Identity(identity_regexp=r"hugo@python\.org", issuer=GITHUB)
    policy.check(person("hugo@python.org", GITHUB))
    with pytest.raises(PolicyError, match=r"expected a match for hugo@python\\\.org"):
        policy.check(person("hugo@python.org.evil.example", GITHUB))
    with pytest.raises(PolicyError, match=re.escape("certificate has xhugo@python.org")):
        policy.check(person("xhugo@python.org", GITHUB))


def test_issuer_regexp_must_match_the_whole_issuer() -> None:
    policy = Identity(identity="a@b", issuer_regexp=r"https://github\.com/login/oauth")
    policy.check(person("a@b", GITHUB))
    with pytest.raises(PolicyError, match="OIDC issuer mismatch"):
        policy.check(person("a@b", GITHUB + "/evil"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"issuer": GITHUB}, "exactly one of identity and identity_regexp"),
        ({"identity": "a", "identity_regexp": "a", "issuer": GITHUB}, "exactly one of identity"),
        ({"identity": "a"}, "exactly one of issuer and issuer_regexp"),
        ({"identity": "a", "issuer": "x", "issuer_regexp": "x"}, "exactly one of issuer"),
        ({"identity": "", "issuer": GITHUB}, "identity: expected a non-empty string"),
        ({"identity_regexp": "(", "issuer": GITHUB}, "identity_regexp '\\(' is not a valid"),
        ({"identity": "a", "issuer_regexp": "[z-a]"}, "issuer_regexp .* is not a valid"),
    ],
)
def test_identity_rejects_bad_specifications(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(PolicySpecError, match=message):
        Identity(**kwargs)


def test_identity_describe() -> None:
    assert Identity(identity="hugo@python.org", issuer=GITHUB).describe() == (
        f"identity hugo@python.org, issuer {GITHUB}"
    )
    assert Identity(identity_regexp="^a$", issuer_regexp="^b$").describe() == (
        "identity matching ^a$, issuer matching ^b$"
    )


def test_issuer_policy() -> None:
    Issuer(issuer=ACTIONS).check(make_cert(extensions={8: der_utf8(ACTIONS)}))
    with pytest.raises(PolicyError, match=f"expected {ACTIONS}, certificate has {GITHUB}"):
        Issuer(issuer=ACTIONS).check(person("a@b", GITHUB))
    with pytest.raises(PolicySpecError):
        Issuer()


# --- GitHubWorkflow -----------------------------------------------------------


def test_github_workflow_legacy_claims_pass() -> None:
    cert = make_cert(uri=BEACON_WORKFLOW, extensions=LEGACY_CLAIMS)
    GitHubWorkflow(
        repository=BEACON_REPO,
        workflow="Extremely dangerous OIDC beacon",
        ref="refs/heads/main",
        trigger="workflow_dispatch",
        sha="c7b3dfb335f051e1c86bda4c716fac97df62ad81",
    ).check(cert)


def test_github_workflow_generic_claims_pass() -> None:
    cert = make_cert(uri=BEACON_WORKFLOW, extensions=GENERIC_CLAIMS)
    GitHubWorkflow(
        ref="refs/heads/main",
        trigger="workflow_dispatch",
        sha="c7b3dfb335f051e1c86bda4c716fac97df62ad81",
        build_signer_uri=BEACON_WORKFLOW,
        build_signer_digest="c7b3dfb335f051e1c86bda4c716fac97df62ad81",
        runner_environment="github-hosted",
        source_repository_uri=f"https://github.com/{BEACON_REPO}",
        source_repository_identifier="632596897",
        source_repository_owner_uri="https://github.com/sigstore-conformance",
        source_repository_owner_identifier="131804563",
        build_config_uri=BEACON_WORKFLOW,
        build_config_digest="c7b3dfb335f051e1c86bda4c716fac97df62ad81",
        build_trigger="workflow_dispatch",
        run_invocation_uri=f"https://github.com/{BEACON_REPO}/actions/runs/8347481628/attempts/1",
        source_repository_visibility_at_signing="public",
        deployment_environment="production",
    ).check(cert)


def test_github_workflow_prefers_the_generic_extension_over_the_legacy_one() -> None:
    cert = make_cert(extensions={6: b"refs/heads/main", 14: der_utf8("refs/tags/v1")})
    GitHubWorkflow(ref="refs/tags/v1").check(cert)
    with pytest.raises(
        PolicyError, match="ref mismatch: expected refs/heads/main, certificate has refs/tags/v1"
    ):
        GitHubWorkflow(ref="refs/heads/main").check(cert)


def test_github_workflow_reports_every_mismatch_and_missing_claim() -> None:
    cert = make_cert(extensions=LEGACY_CLAIMS)
    policy = GitHubWorkflow(
        repository="someone/else", ref="refs/tags/v9", runner_environment="github-hosted"
    )
    with pytest.raises(PolicyError) as info:
        policy.check(cert)
    assert info.value.detail == (
        "GitHub workflow claims: "
        f"repository mismatch: expected someone/else, certificate has {BEACON_REPO}; "
        "ref mismatch: expected refs/tags/v9, certificate has refs/heads/main; "
        "runner_environment: expected github-hosted, certificate has no "
        "1.3.6.1.4.1.57264.1.11 (Runner Environment)"
    )


def test_github_workflow_missing_claim_names_both_extensions() -> None:
    with pytest.raises(
        PolicyError, match=r"1\.14 \(Source Repository Ref\) or .*1\.6 \(GitHub Workflow Ref\)"
    ):
        GitHubWorkflow(ref="refs/heads/main").check(person("a@b", GITHUB))


def test_github_workflow_needs_a_claim_and_non_empty_values() -> None:
    with pytest.raises(PolicySpecError, match="at least one claim"):
        GitHubWorkflow()
    with pytest.raises(PolicySpecError, match="claim ref: expected a non-empty string"):
        GitHubWorkflow(ref="")


def test_github_workflow_describe_lists_claims() -> None:
    policy = GitHubWorkflow(repository="o/r", ref="refs/heads/main")
    assert policy.describe() == "GitHub workflow repository=o/r, ref=refs/heads/main"
    assert "source_repository_uri" in GitHubWorkflow.claim_names()


# --- AnyOf / AllOf ------------------------------------------------------------


def test_empty_any_of_and_all_of_fail_closed() -> None:
    cert = person("hugo@python.org", GITHUB)
    with pytest.raises(PolicyError, match="empty policy"):
        AnyOf([]).check(cert)
    with pytest.raises(PolicyError, match="empty policy"):
        AllOf([]).check(cert)
    assert AnyOf([]).describe() == AllOf([]).describe() == "nobody (empty policy)"


def test_any_of_passes_if_one_alternative_passes() -> None:
    policy = AnyOf(
        [
            Identity(identity="hugo@python.org", issuer=GITHUB),
            Identity(identity="savannah@python.org", issuer=GITHUB),
        ]
    )
    policy.check(person("savannah@python.org", GITHUB))


def test_any_of_lists_why_each_alternative_failed() -> None:
    policy = AnyOf(
        [
            Identity(identity="hugo@python.org", issuer=GITHUB),
            Identity(identity="thomas@python.org", issuer=GOOGLE),
        ]
    )
    with pytest.raises(PolicyError) as info:
        policy.check(person("thomas@python.org", GITHUB))
    assert info.value.detail == (
        "no allowed signer matched (2 alternatives): "
        f"[1] identity hugo@python.org, issuer {GITHUB}: SAN mismatch: expected "
        "hugo@python.org, certificate has thomas@python.org; "
        f"[2] identity thomas@python.org, issuer {GOOGLE}: OIDC issuer mismatch: expected "
        f"{GOOGLE}, certificate has {GITHUB}"
    )


def test_any_of_with_one_alternative_keeps_its_message() -> None:
    policy = AnyOf([Identity(identity="hugo@python.org", issuer=GITHUB)])
    with pytest.raises(PolicyError) as info:
        policy.check(person("thomas@python.org", GITHUB))
    assert info.value.detail.startswith("SAN mismatch: expected hugo@python.org")
    assert policy.describe() == f"identity hugo@python.org, issuer {GITHUB}"


def test_all_of_requires_every_policy() -> None:
    cert = make_cert(uri=BEACON_WORKFLOW, extensions=LEGACY_CLAIMS)
    AllOf([Issuer(issuer=ACTIONS), GitHubWorkflow(repository=BEACON_REPO)]).check(cert)
    with pytest.raises(PolicyError, match="repository mismatch"):
        AllOf([Issuer(issuer=ACTIONS), GitHubWorkflow(repository="x/y")]).check(cert)
    assert AllOf([Issuer(issuer=ACTIONS), GitHubWorkflow(repository="x/y")]).describe() == (
        f"issuer {ACTIONS} and GitHub workflow repository=x/y"
    )


# --- real certificates ----------------------------------------------------------


def _leaf(path: Path) -> x509.Certificate:
    leaf = Bundle.from_json(path.read_bytes()).material.leaf
    assert leaf is not None
    return leaf


def test_every_cpython_corpus_certificate_names_its_release_manager(corpus: Path) -> None:
    cases = json.loads((corpus / "cpython" / "cases.json").read_text())["cases"]
    checked = 0
    for case in cases:
        if case["expected"] != "pass":
            continue
        leaf = _leaf(corpus / "cpython" / case["bundle"])
        facts = case["bundle_facts"]
        assert list(subject_alternative_names(leaf)) == facts["cert_san"], case["id"]
        assert oidc_issuer(leaf) == facts["cert_oidc_issuer"], case["id"]
        Identity(identity=case["identity"], issuer=case["issuer"]).check(leaf)
        checked += 1
    assert checked == 87  # 86 tracker bundles + the v0.1 promise-only 3.12.5 bundle


def test_conformance_certificate_claims(corpus: Path) -> None:
    leaf = _leaf(corpus / "conformance" / "cases" / "happy-path-v0.3" / "bundle.sigstore.json")
    Identity(identity=BEACON_WORKFLOW, issuer=ACTIONS).check(leaf)
    GitHubWorkflow(
        repository=BEACON_REPO,
        workflow="Extremely dangerous OIDC beacon",
        ref="refs/heads/main",
        trigger="workflow_dispatch",
        build_signer_uri=BEACON_WORKFLOW,
        runner_environment="github-hosted",
        source_repository_visibility_at_signing="public",
    ).check(leaf)
    with pytest.raises(
        PolicyError,
        match=re.escape("ref mismatch: expected refs/tags/v1.0.0, certificate has refs/heads/main"),
    ):
        GitHubWorkflow(ref="refs/tags/v1.0.0").check(leaf)


def test_sigstore_go_othername_certificate(corpus: Path) -> None:
    path = corpus / "other-real-bundles/sigstore-go/testdata/bundles/othername.sigstore.json"
    leaf = _leaf(path)
    assert subject_alternative_names(leaf) == ("foo!oidc.local",)
    Identity(identity="foo!oidc.local", issuer="http://oidc.local:8080").check(leaf)
