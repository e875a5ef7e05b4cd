#!/usr/bin/env python3
"""Verify keybridge output with py_webauthn, an independent relying-party library.

Reads one JSON object on stdin:
  {"kind": "registration", "credential": RegistrationResponseJSON,
   "challenge": b64url, "origin": str, "rpId": str, "requireUV": bool,
   "rootCertificatesPEM": [str]?}
  {"kind": "authentication", "credential": AuthenticationResponseJSON,
   "challenge": b64url, "origin": str, "rpId": str, "publicKey": b64url COSE key,
   "signCount": int, "requireUV": bool}
Prints {"verified": true, ...} or {"verified": false, "error": "..."} and exits 0 / 1.
"""
import json
import sys

from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import AttestationFormat


def main() -> int:
    request = json.load(sys.stdin)
    try:
        if request["kind"] == "registration":
            roots = request.get("rootCertificatesPEM")
            verified = verify_registration_response(
                credential=request["credential"],
                expected_challenge=base64url_to_bytes(request["challenge"]),
                expected_origin=request["origin"],
                expected_rp_id=request["rpId"],
                require_user_verification=request.get("requireUV", False),
                pem_root_certs_bytes_by_fmt=(
                    {AttestationFormat.PACKED: [r.encode() for r in roots]} if roots else None
                ),
            )
            result = {
                "verified": True,
                "credentialId": bytes_to_base64url(verified.credential_id),
                "publicKey": bytes_to_base64url(verified.credential_public_key),
                "signCount": verified.sign_count,
                "aaguid": str(verified.aaguid),
                "fmt": getattr(verified.fmt, "value", verified.fmt),
                "userVerified": verified.user_verified,
            }
        else:
            verified = verify_authentication_response(
                credential=request["credential"],
                expected_challenge=base64url_to_bytes(request["challenge"]),
                expected_origin=request["origin"],
                expected_rp_id=request["rpId"],
                credential_public_key=base64url_to_bytes(request["publicKey"]),
                credential_current_sign_count=request.get("signCount", 0),
                require_user_verification=request.get("requireUV", False),
            )
            result = {"verified": True, "newSignCount": verified.new_sign_count,
                      "userVerified": verified.user_verified}
    except Exception as error:  # every verification failure is reported, not raised
        print(json.dumps({"verified": False, "error": f"{type(error).__name__}: {error}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
