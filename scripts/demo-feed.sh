#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the demo's live, authenticated feed and leaves it running:
#   a throwaway PKI (scripts/make-test-pki.sh), a local mosquitto that requires client
#   certificates over TLS (with the CRL), twinspect-sim publishing the demo plant's tags with
#   signed payloads and scripted faults, and a backends.json for the workstation's data folder
#   that connects with mutual TLS and requires the signatures.
# Usage: scripts/demo-feed.sh BUILD_DIR DEMO_DIR DATA_DIR
# Prints the PIDs to stop in DEMO_DIR/pids. Nothing here is for production: the keys are new
# each run and live in DEMO_DIR.
set -euo pipefail
build=$(realpath "$1")
demo=$(realpath -m "$2")
data=$(realpath -m "$3")
mkdir -p "$demo" "$data"

# A port of our own: 8883 may be taken by a system broker.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

rm -rf "$demo/pki"
bash "$(dirname "$0")/make-test-pki.sh" "$demo/pki" >/dev/null
rm -f "$demo/publisher-signing.pem" "$demo/trusted-publishers.json"
"$build/app/twinspect-sim/twinspect-sim" keygen --private "$demo/publisher-signing.pem" --publisher demo-sim \
    --trust "$demo/trusted-publishers.json" >/dev/null

user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root" # as root mosquitto would drop to a user that cannot read the keys
cat > "$demo/mosquitto.conf" <<CONF
per_listener_settings true
$user_line
log_dest file $demo/mosquitto.log
set_tcp_nodelay true
listener $port 127.0.0.1
cafile $demo/pki/ca.crt
certfile $demo/pki/server.crt
keyfile $demo/pki/server.key
crlfile $demo/pki/crl.pem
tls_version tlsv1.2
require_certificate true
use_identity_as_username true
allow_anonymous false
CONF
mosquitto -c "$demo/mosquitto.conf" >"$demo/mosquitto.out" 2>&1 &
broker=$!
tls=(--cafile "$demo/pki/ca.crt" --cert "$demo/pki/publisher.crt" --key "$demo/pki/publisher.key")
for _ in $(seq 50); do
    mosquitto_pub -h localhost -p "$port" "${tls[@]}" -q 1 -t twinspect/demo/ready -n 2>/dev/null && break
    sleep 0.1
done

"$build/app/twinspect-sim/twinspect-sim" publish --broker "mqtts://localhost:$port" --ca "$demo/pki/ca.crt" \
    --cert "$demo/pki/publisher.crt" --key "$demo/pki/publisher.key" --topic-prefix plant/demo-boiler \
    --rate 2 --faults --sign-key "$demo/publisher-signing.pem" --publisher demo-sim >"$demo/sim.log" 2>&1 &
sim=$!

cat > "$data/backends.json" <<JSON
{
  "format": "twinspect-backends",
  "version": 1,
  "backends": [
    {
      "id": "demo-broker",
      "name": "Demo broker (local mosquitto, mutual TLS)",
      "url": "mqtts://localhost:$port",
      "clientId": "twinspect-demo-workstation",
      "tls": {
        "caFile": "$demo/pki/ca.crt",
        "certFile": "$demo/pki/client.crt",
        "keyFile": "$demo/pki/client.key",
        "crlFile": "$demo/pki/crl.pem"
      },
      "expectedPeriodMs": 1000,
      "subscriptions": [ { "topic": "plant/demo-boiler/+", "format": "json", "tag": "{1}" } ],
      "signatures": { "required": true, "trustFile": "$demo/trusted-publishers.json" }
    }
  ]
}
JSON
echo "$broker $sim" > "$demo/pids"
echo "demo-feed: mosquitto on localhost:$port (mutual TLS, CRL), twinspect-sim signing as demo-sim; settings in $data/backends.json"
