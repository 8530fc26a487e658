"""schemathesis hooks: every generated request is signed as a registered Hutong device signs it.

Loaded by `cargo xtask api-contract` through SCHEMATHESIS_HOOKS=hutong_auth, with the sandbox's
endpoint in HUTONG_SANDBOX_ENDPOINT and its certificate in HUTONG_SANDBOX_CA.

- A device key (P-256) is registered once with `POST /v1/devices`, signed by itself (protocol §6.2).
- The auth provider marks each case with a placeholder `Authorization`; the `requests` auth object
  attached in `before_call` replaces it with a real signature over the exact bytes sent:
  `METHOD\\npath?query\\ntimestamp\\nnonce\\nhex(sha256(body))\\n` (protocol §2), a fresh nonce
  each time. Checks that drop or replace the header (ignored_auth) send what they chose.
- Forced outcomes that answer 5xx or not at all (protocol §8: `system_error_once`, the reset and
  timeout scenarios, their magic amounts) are replaced by `success`: they are designed faults,
  tested end to end elsewhere, and schemathesis must see every other 5xx as a failure.
- An `Idempotency-Key` the case carries is set to the id the call is about (protocol §4), and a
  payment-like body gets a funding source and route that exist, so cases reach the money paths
  instead of stopping at the first consistency rule. Only schema-valid values are replaced by
  schema-valid ones, and only in half of the cases, so negative cases stay negative.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import threading
import time

import requests
import schemathesis
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SCHEME = "HUTONG-ECDSA-P256-SHA256"
PLACEHOLDER = "HUTONG-SIGN-THIS-REQUEST"
ACCOUNT = "acct-schemathesis"
ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
INT64 = range(-(2**63), 2**63)
# Scenarios and magic amounts (minor units) that make the sandbox answer 503 or not at all.
NO_ANSWER = ("system_error_once", "timeout_after_commit", "reset_after_commit", "reset_before_commit")
NO_ANSWER_MINOR = (66604, 66605, 66606, 66607)


class DeviceKey:
    def __init__(self, key_id):
        self.key_id = key_id
        self.private = ec.generate_private_key(ec.SECP256R1())

    def public_key_b64(self):
        point = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.b64encode(point).decode()

    def authorization(self, method, target, body):
        timestamp = int(time.time())
        nonce = secrets.token_hex(16)
        canonical = "\n".join(
            [method.upper(), target, str(timestamp), nonce, hashlib.sha256(body).hexdigest()]
        ) + "\n"
        der = self.private.sign(canonical.encode(), ec.ECDSA(hashes.SHA256()))
        signature = base64.b64encode(der).decode()
        return (
            f'{SCHEME} key_id="{self.key_id}",timestamp="{timestamp}",'
            f'nonce="{nonce}",signature="{signature}"'
        )


DEVICE = DeviceKey("dev-st-" + secrets.token_hex(6))
_registered = threading.Lock()
_done = False


def endpoint():
    return os.environ["HUTONG_SANDBOX_ENDPOINT"].rstrip("/")


def ca():
    return os.environ["HUTONG_SANDBOX_CA"]


def register_device():
    """POST /v1/devices signed by the key it registers; idempotent, so safe to repeat."""
    global _done
    with _registered:
        if _done:
            return
        body = json.dumps(
            {"key_id": DEVICE.key_id, "public_key": DEVICE.public_key_b64(), "account_id": ACCOUNT}
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": DEVICE.key_id,
            "Authorization": DEVICE.authorization("POST", "/v1/devices", body),
        }
        r = requests.post(endpoint() + "/v1/devices", data=body, headers=headers, verify=ca(), timeout=30)
        if r.status_code != 200:
            raise RuntimeError(f"device registration failed: {r.status_code} {r.text}")
        _done = True


@schemathesis.auth(refresh_interval=None, retry_on=[])
class HutongDevice:
    def get(self, case, context):
        register_device()
        return DEVICE

    def set(self, case, data, context):
        case.headers = dict(case.headers or {})
        case.headers["Authorization"] = PLACEHOLDER


class SignAsDevice(requests.auth.AuthBase):
    """Signs the prepared request (its exact target and body bytes) when the case asked for it."""

    def __call__(self, r):
        if r.headers.get("Authorization") != PLACEHOLDER:
            return r
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        r.headers["Authorization"] = DEVICE.authorization(r.method, r.path_url, body)
        return r


def _id_of(case):
    """The id an Idempotency-Key must carry for this call (protocol §4), if the case has one."""
    body = case.body if isinstance(case.body, dict) else {}
    path = case.operation.path
    if path == "/v1/devices":
        value = body.get("key_id")
    elif path in ("/v1/payments", "/v1/collections"):
        value = body.get("intent_id")
    elif path.endswith("/refunds"):
        value = body.get("refund_id")
    elif path.endswith("/reverse"):
        value = (case.path_parameters or {}).get("intent_id")
    else:
        return None
    return value if isinstance(value, str) and ID.match(value) else None


def _coin(case):
    """A deterministic coin per case, so reruns with the same seed send the same requests."""
    digest = hashlib.sha256(repr((case.operation.label, case.body)).encode()).digest()
    return digest[0] & 1 == 0


def _money_ok(m):
    return (
        isinstance(m, dict)
        and isinstance(m.get("minor"), int)
        and not isinstance(m.get("minor"), bool)
        and m["minor"] in INT64
        and isinstance(m.get("currency"), str)
        and CURRENCY.match(m["currency"])
    )


def _plausible(case):
    """Replaces schema-valid values by schema-valid values a real wallet would send."""
    body = case.body
    if not isinstance(body, dict) or not _coin(case):
        return
    path = case.operation.path
    network = body.get("network")
    if isinstance(network, str) and isinstance(body.get("route_requested"), str):
        network = network if network in ("alipay", "unionpay") else "alipay"
        body["network"] = network
        body["route_requested"] = f"{network}:direct"
    for field in ("amount", "confirmed_payable"):
        if _money_ok(body.get(field)):
            body[field] = {"minor": abs(body[field]["minor"]) % 100_000 + 1, "currency": "CNY"}
    if path == "/v1/payments":
        if _money_ok(body.get("amount")) and _money_ok(body.get("confirmed_payable")):
            body["confirmed_payable"] = dict(body["amount"])
        if isinstance(body.get("funding_source_id"), str):
            body["funding_source_id"] = "balance"
        if isinstance(body.get("out_trade_no"), str) and not body["out_trade_no"]:
            body["out_trade_no"] = "HT1"
    if path == "/v1/collections" and isinstance(body.get("auth_code"), str):
        body["auth_code"] = "286789012345678901" if body.get("network") == "alipay" else "6212345678901234567"
    if path.endswith("/refunds") and _money_ok(body.get("amount")):
        body["amount"]["minor"] = body["amount"]["minor"] % 500 + 1


def _no_designed_faults(case):
    headers = case.headers or {}
    scenario = headers.get("X-Sandbox-Scenario")
    if isinstance(scenario, str) and any(f in scenario for f in NO_ANSWER):
        headers["X-Sandbox-Scenario"] = "success"
        case.headers = headers
    body = case.body if isinstance(case.body, dict) else {}
    for field in ("amount", "confirmed_payable"):
        money = body.get(field)
        if isinstance(money, dict) and money.get("minor") in NO_ANSWER_MINOR:
            money["minor"] += 100


@schemathesis.hook
def before_call(context, case, kwargs):
    _plausible(case)
    _no_designed_faults(case)
    key = _id_of(case)
    headers = case.headers or {}
    current = headers.get("Idempotency-Key")
    if key is not None and isinstance(current, str) and ID.match(current):
        headers["Idempotency-Key"] = key
        case.headers = headers
    kwargs["auth"] = SignAsDevice()
