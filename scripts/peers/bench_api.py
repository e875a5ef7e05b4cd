#!/usr/bin/env python3
"""Throughput and latency of `keybridge serve` as a Graph client sees them (a benchmark, not a test).

  bench_api.py BASE_URL TOKEN READER_SUBSTRING ORIGIN USER_PREFIX COUNT [--concurrency N]

For users USER_PREFIX0…: fetch creation options (timed), make each credential on the card with
python-fido2 (not timed), then POST every registration with N concurrent clients (timed: the
server's verification, storage and audit), list each user's methods (timed), and verify every
registration with py_webauthn in this process (timed) for comparison; then MFA sign-ins: request
options for each user (timed), an assertion from the card (not timed), and every POST /auth/signIn
with N concurrent clients (timed: the server's assertion check, the session and the audit).
Prints one JSON object.
"""
import base64
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import webauthn
from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.pcsc import CtapPcscDevice
from fido2.webauthn import PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions


class Interaction(UserInteraction):
    def prompt_up(self):
        pass


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def summary(latencies_ms, wall_s):
    ordered = sorted(latencies_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return {"count": len(ordered), "perSecond": round(len(ordered) / wall_s, 1), "p50ms": round(pick(0.50), 2),
            "p95ms": round(pick(0.95), 2), "p99ms": round(pick(0.99), 2), "maxms": round(ordered[-1], 2),
            "meanms": round(statistics.mean(ordered), 2)}


def timed_pool(function, items, concurrency):
    latencies = []

    def run(item):
        start = time.perf_counter()
        result = function(item)
        latencies.append((time.perf_counter() - start) * 1000)
        return result

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(run, items))
    return results, summary(latencies, time.perf_counter() - start)


def main():
    base, token, reader, origin, prefix, count = sys.argv[1:7]
    count = int(count)
    concurrency = int(sys.argv[sys.argv.index("--concurrency") + 1]) if "--concurrency" in sys.argv else 8
    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    session.headers.update(headers)
    users = [f"{prefix}{index}@contoso.com" for index in range(count)]
    device = next(iter(CtapPcscDevice.list_devices(reader)))
    client = Fido2Client(device, DefaultClientDataCollector(origin), user_interaction=Interaction())

    options, option_latencies = [], []
    prepared = []
    for upn in users:
        start = time.perf_counter()
        reply = session.get(f"{base}/users/{upn}/authentication/fido2Methods/creationOptions", timeout=30)
        option_latencies.append((time.perf_counter() - start) * 1000)
        reply.raise_for_status()
        public_key = reply.json()["publicKey"]
        registration = dict(client.make_credential(PublicKeyCredentialCreationOptions.from_dict(public_key)))
        options.append(public_key)
        prepared.append((upn, registration))

    def post(item):
        upn, credential = item
        body = {"displayName": "bench", "publicKeyCredential": {"id": credential["id"], "response": {
            "clientDataJSON": credential["response"]["clientDataJSON"],
            "attestationObject": credential["response"]["attestationObject"]}, "clientExtensionResults": {}}}
        return requests.post(f"{base}/users/{upn}/authentication/fido2Methods", json=body, headers=headers, timeout=30).status_code

    statuses, registrations = timed_pool(post, prepared, concurrency)
    lists, lookups = timed_pool(
        lambda upn: requests.get(f"{base}/users/{upn}/authentication/methods", headers=headers, timeout=30).status_code,
        users, concurrency)

    sign_in_option_latencies, assertions = [], []
    for upn in users:
        start = time.perf_counter()
        reply = requests.post(f"{base}/auth/signIn/fido2Options", json={"userPrincipalName": upn}, timeout=30)
        sign_in_option_latencies.append((time.perf_counter() - start) * 1000)
        reply.raise_for_status()
        request_options = PublicKeyCredentialRequestOptions.from_dict(reply.json()["publicKey"])
        assertions.append((upn, dict(client.get_assertion(request_options).get_response(0))))
    sign_in_statuses, sign_ins = timed_pool(
        lambda item: requests.post(f"{base}/auth/signIn", json={"userPrincipalName": item[0], "publicKeyCredential": item[1]},
                                   timeout=30).status_code,
        assertions, concurrency)

    verify_latencies = []
    start_all = time.perf_counter()
    for (upn, credential), public_key in zip(prepared, options):
        start = time.perf_counter()
        webauthn.verify_registration_response(
            credential=credential, expected_challenge=b64url_decode(public_key["challenge"]), expected_origin=origin,
            expected_rp_id=public_key["rp"]["id"], require_user_verification=False)
        verify_latencies.append((time.perf_counter() - start) * 1000)
    py_webauthn = summary(verify_latencies, time.perf_counter() - start_all)

    print(json.dumps({
        "concurrency": concurrency,
        "creationOptionsSequential": summary(option_latencies, sum(option_latencies) / 1000),
        "registrations": registrations, "registrationStatuses": sorted(set(statuses)),
        "methodLookups": lookups, "lookupStatuses": sorted(set(lists)),
        "signInOptionsSequential": summary(sign_in_option_latencies, sum(sign_in_option_latencies) / 1000),
        "mfaSignIns": sign_ins, "signInStatuses": sorted(set(sign_in_statuses)),
        "pyWebauthnVerifySingleThread": py_webauthn,
    }))


if __name__ == "__main__":
    main()
