#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# An independent signer of Twinspect's signed telemetry envelope, written from
# docs/telemetry-format.md (the same code as the vendors' example there), with the
# `cryptography` package rather than our C++. Usage: sign_envelope.py PRIVATE_HEX PUBLISHER TOPIC SEQ PAYLOAD
import base64
import json
import struct
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def signing_input(publisher, topic, seq, ts, payload):
    def field(b):
        return struct.pack(">I", len(b)) + b
    return (b"TWINSPECT-TELEMETRY-SIG-1\x00" + field(publisher.encode()) + field(topic.encode())
            + struct.pack(">Q", seq) + struct.pack(">q", ts) + field(payload))


def envelope(key, publisher, topic, seq, payload):
    ts = int(time.time() * 1000)
    sig = key.sign(signing_input(publisher, topic, seq, ts, payload))
    return json.dumps({"twinspect-signed": 1, "publisher": publisher, "seq": str(seq), "ts": str(ts),
                       "payload": base64.b64encode(payload).decode(), "sig": base64.b64encode(sig).decode()})


if __name__ == "__main__":
    private_hex, publisher, topic, seq, payload = sys.argv[1:6]
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    sys.stdout.write(envelope(key, publisher, topic, int(seq), payload.encode()))
