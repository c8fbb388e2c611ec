"""JWT checks on every hook and feedback call: asymmetric only, kid, trusted issuer, jku never
followed unless it is the issuer's jwks_url, aud = the called URL, exp/iat, jti replay, no sub."""

from __future__ import annotations

import base64
import json
import logging

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from lenaguard.errors import InputError
from lenaguard.service.cds_security import CdsAuthError, TrustedIssuers, verify
from tests.cds.conftest import (
    BASE,
    ISS,
    ORDER_SIGN,
    PATIENT_VIEW,
    SANDBOX_ISS,
    SANDBOX_JWKS_URL,
    claims,
    load,
    order_sign_request,
)

PV_BODY = load("sandbox/patient-view_request.json")["body"]


def _post(client, path, token, body=PV_BODY):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(path, content=json.dumps(body), headers=headers)


def _refused(response, words: str):
    assert response.status_code == 401, response.text
    assert words in response.json()["detail"]


def test_a_valid_es384_token_without_sub_is_accepted_and_logged(client, sign, caplog):
    token = sign(claims(BASE + PATIENT_VIEW))
    with caplog.at_level(logging.INFO, logger="lenaguard.cds"):
        assert _post(client, PATIENT_VIEW, token).status_code == 200
    assert "no sub claim" in caplog.text


def test_a_valid_rs256_token_with_sub_is_accepted(client, sign):
    token = sign(claims(BASE + PATIENT_VIEW, sub="cds-client"), alg="RS256")
    assert _post(client, PATIENT_VIEW, token).status_code == 200


def test_an_expired_token_is_refused(client, sign):
    payload = claims(BASE + PATIENT_VIEW)
    payload["iat"] -= 3600
    payload["exp"] = payload["iat"] + 300
    _refused(_post(client, PATIENT_VIEW, sign(payload)), "expired")


def test_a_token_issued_in_the_future_is_refused(client, sign):
    payload = claims(BASE + PATIENT_VIEW)
    payload["iat"] += 3600
    payload["exp"] += 3600
    _refused(_post(client, PATIENT_VIEW, sign(payload)), "iat")


def test_a_token_for_another_url_is_refused(client, sign):
    token = sign(claims(BASE + ORDER_SIGN))  # another service's URL
    _refused(_post(client, PATIENT_VIEW, token), "aud")


def test_behind_a_proxy_the_audience_is_the_public_url(make_client, sign):
    client = make_client(public_url="https://lenaguard.example.org")
    inside = sign(claims(BASE + PATIENT_VIEW))
    _refused(_post(client, PATIENT_VIEW, inside), "aud")
    public = sign(claims("https://lenaguard.example.org" + PATIENT_VIEW))
    assert _post(client, PATIENT_VIEW, public).status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_is_refused(client, keys):
    header = {"alg": "none", "typ": "JWT", "kid": keys.ec_kid}
    token = f"{_b64(header)}.{_b64(claims(BASE + PATIENT_VIEW))}."
    _refused(_post(client, PATIENT_VIEW, token), "only asymmetric")


def test_hmac_is_refused_even_keyed_with_the_public_key(client, keys):
    # the classic confusion attack: HS256 with the issuer's public key as the shared secret
    public = keys.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib
    import hmac

    header = {"alg": "HS256", "typ": "JWT", "kid": keys.rsa_kid}
    signing_input = f"{_b64(header)}.{_b64(claims(BASE + PATIENT_VIEW))}"
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    _refused(_post(client, PATIENT_VIEW, token), "only asymmetric")


def test_an_unknown_kid_is_refused(client, keys):
    token = jwt.encode(
        claims(BASE + PATIENT_VIEW), keys.ec, algorithm="ES384", headers={"kid": "who-knows"}
    )
    _refused(_post(client, PATIENT_VIEW, token), "unknown key")


def test_a_token_without_kid_is_refused(client, keys):
    token = jwt.encode(claims(BASE + PATIENT_VIEW), keys.ec, algorithm="ES384")
    _refused(_post(client, PATIENT_VIEW, token), "kid")


def test_a_signature_by_another_key_is_refused(client, keys):
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(
        claims(BASE + PATIENT_VIEW), other, algorithm="ES384", headers={"kid": keys.ec_kid}
    )
    _refused(_post(client, PATIENT_VIEW, token), "Signature")


def test_an_untrusted_issuer_is_refused(client, sign):
    token = sign(claims(BASE + PATIENT_VIEW, iss="https://evil.example"))
    _refused(_post(client, PATIENT_VIEW, token), "not trusted")


def test_a_replayed_jti_is_refused(client, sign):
    token = sign(claims(BASE + PATIENT_VIEW))
    assert _post(client, PATIENT_VIEW, token).status_code == 200
    _refused(_post(client, PATIENT_VIEW, token), "replay")


def test_a_token_without_jti_is_refused(client, sign):
    _refused(_post(client, PATIENT_VIEW, sign(claims(BASE + PATIENT_VIEW, jti=None))), "jti")


def test_a_jku_other_than_the_issuers_jwks_url_is_never_followed(client, sign):
    token = sign(claims(BASE + PATIENT_VIEW), headers={"jku": "https://evil.example/jwks.json"})
    _refused(_post(client, PATIENT_VIEW, token), "jku")


def test_unsigned_calls_are_refused_by_default(client):
    response = _post(client, PATIENT_VIEW, None)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_unsigned_calls_pass_only_when_allowed(make_client):
    client = make_client(cds_allow_unsigned=True)
    assert _post(client, PATIENT_VIEW, None).status_code == 200


def test_feedback_needs_a_valid_jwt_too(client, sign):
    path = PATIENT_VIEW + "/feedback"
    body = load("spec_feedback_1.json")
    _refused(_post(client, path, sign(claims(BASE + PATIENT_VIEW)), body), "aud")
    assert _post(client, path, sign(claims(BASE + path)), body).status_code == 200


def test_the_authored_request_with_a_signed_jwt_is_answered(client, sign):
    token = sign(claims(BASE + ORDER_SIGN))
    response = _post(client, ORDER_SIGN, token, order_sign_request())
    assert response.status_code == 200 and response.json()["cards"]


# --- the sandbox's shape, keys fetched from the issuer's jwks_url ------------------------------


def _sandbox_issuers(keys, served: list) -> TrustedIssuers:
    """The sandbox as an issuer with a jwks_url, served (by a stand-in) with our test keys."""

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        return httpx.Response(200, json=keys.jwks())

    return TrustedIssuers.from_data(
        {"issuers": [{"iss": SANDBOX_ISS, "jwks_url": SANDBOX_JWKS_URL}]},
        client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_the_sandbox_header_and_claims_shape_is_accepted(keys):
    captured = load("sandbox/patient-view_request.json")
    header = dict(captured["jwt_header"])
    payload = dict(captured["jwt_payload"])
    assert "sub" not in payload and payload["exp"] - payload["iat"] == 300
    fresh = claims(payload["aud"], iss=payload["iss"])
    served: list[str] = []
    issuers = _sandbox_issuers(keys, served)
    token = jwt.encode(
        fresh,
        keys.ec,
        algorithm=header["alg"],
        headers={"kid": keys.ec_kid, "jku": header["jku"], "typ": header["typ"]},
    )
    call = verify(token, audience=payload["aud"], issuers=issuers)
    assert call.iss == SANDBOX_ISS and call.sub is None
    assert served == [SANDBOX_JWKS_URL]
    verify(
        jwt.encode(
            claims(payload["aud"], iss=SANDBOX_ISS),
            keys.ec,
            algorithm="ES384",
            headers={"kid": keys.ec_kid},
        ),
        audience=payload["aud"],
        issuers=issuers,
    )
    assert served == [SANDBOX_JWKS_URL]  # cached


def test_the_sandbox_public_jwks_loads_as_an_es384_issuer():
    jwks = load("sandbox/sandbox-public-jwks.json")
    issuers = TrustedIssuers.from_data({"issuers": [{"iss": SANDBOX_ISS, "jwks": jwks}]})
    captured = load("sandbox/patient-view_request.json")
    kid = captured["jwt_header"]["kid"]
    (key,) = [k for k in jwks["keys"] if k["kid"] == kid]
    assert jwt.PyJWK(key, algorithm="ES384").key is not None
    # a token under the sandbox's kid but not signed by the sandbox fails on the signature
    from cryptography.hazmat.primitives.asymmetric import ec

    forged = jwt.encode(
        claims("http://x/cds-services/a", iss=SANDBOX_ISS),
        ec.generate_private_key(ec.SECP384R1()),
        algorithm="ES384",
        headers={"kid": kid},
    )
    with pytest.raises(CdsAuthError, match="Signature"):
        verify(forged, audience="http://x/cds-services/a", issuers=issuers)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"issuers": [{"jwks": {"keys": []}}]},
        {"issuers": [{"iss": ISS}]},
        {"issuers": [{"iss": ISS, "jwks": {"keys": []}, "jwks_url": "https://a"}]},
        {"issuers": [{"iss": ISS, "jwks_url": "http://plain.example/jwks"}]},
    ],
)
def test_a_malformed_issuers_file_is_refused_naming_the_problem(data):
    with pytest.raises(InputError):
        TrustedIssuers.from_data(data)
