#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes a throwaway PKI for the MQTT-over-TLS integration tests and the demo broker:
#   make-test-pki.sh OUTDIR
# Every certificate the negative test matrix needs (revoked, expired, foreign CA, wrong host name,
# encrypted key) comes from one run, so a test never depends on files that outlive it.
#
# Each openssl process costs 15-70 ms (mostly start-up) on a loaded 2-core machine, so the script
# keeps their number low: EC P-256 keys, key and CSR in one call, one `openssl ca` per extension
# profile, and keys generated in parallel while the CA is made.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
umask 077

days=30
server_san="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
db="$out/ca-db"
# A rerun into the same directory starts a fresh CA: a stale index.txt would list serials of
# certificates from a CA key that no longer exists.
rm -rf "$db"
mkdir -p "$db/newcerts" "$db/logs"
: >"$db/index.txt"

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
# Random serials so certificates from two runs never look like the same certificate to a client.
# The leading 01 byte keeps the serial positive and of fixed length.
echo "01$(random_hex 15)" >"$db/serial"
echo 1000 >"$db/crlnumber"

cat >"$db/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = $db
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $out/ca.crt
private_key = $out/ca.key
default_md = sha256
default_days = $days
default_crl_days = $days
policy = policy_any
# client.crt and client-encrypted.crt share the workstation's identity.
unique_subject = no
# The server CSRs carry their own subjectAltName, so both server certificates are signed in one call.
copy_extensions = copy
email_in_dn = no

[ policy_any ]
organizationName = optional
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# quiet LOGNAME COMMAND...: runs COMMAND, showing its chatter only if it fails.
quiet() {
    local log="$db/logs/$1"
    shift
    "$@" 2>"$log" || {
        echo "make-test-pki.sh: failed: $*" >&2
        cat "$log" >&2
        return 1
    }
}

# key_and_csr NAME CN [openssl req options...]: an unencrypted P-256 key and a CSR for it.
key_and_csr() {
    local name=$1 cn=$2
    shift 2
    quiet "$name.req" openssl req -new -config "$db/ca.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
        -keyout "$out/$name.key" -subj "/O=Twinspect Test/CN=$cn" -out "$db/$name.csr" "$@"
}

# self_signed_ca NAME CN
self_signed_ca() {
    quiet "$1.req" openssl req -x509 -new -config "$db/ca.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
        -keyout "$out/$1.key" -subj "/O=Twinspect Test/CN=$2" -days "$days" -extensions v3_ca -out "$out/$1.crt"
}

# sign EXTENSIONS NAME... [-- openssl ca options]: signs the CSRs with the test CA in one call.
# With several CSRs, `openssl ca -out` keeps only the last certificate, so they are taken from
# new_certs_dir: named by serial, fixed width, so name order is signing order is CSR order.
sign() {
    local ext=$1
    shift
    local names=() csrs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        names+=("$1")
        csrs+=("$db/$1.csr")
        shift
    done
    [ $# -gt 0 ] && shift
    local before
    before=$(find "$db/newcerts" -name '*.pem' | wc -l)
    quiet "sign-${names[0]}" openssl ca -batch -notext -config "$db/ca.cnf" -extensions "$ext" \
        -out /dev/null "$@" -infiles "${csrs[@]}"
    local signed i
    mapfile -t signed < <(find "$db/newcerts" -name '*.pem' | LC_ALL=C sort | tail -n "+$((before + 1))")
    [ "${#signed[@]}" -eq "${#names[@]}" ] || {
        echo "make-test-pki.sh: expected ${#names[@]} certificates from openssl ca, got ${#signed[@]}" >&2
        return 1
    }
    for i in "${!names[@]}"; do
        cp "${signed[i]}" "$out/${names[i]}.crt"
    done
}

# A second, unrelated CA: its certificates carry the right names but no trust. It shares nothing
# with the test CA, so it is made in the background.
rogue() {
    self_signed_ca rogue-ca "Twinspect Rogue CA"
    key_and_csr rogue-client twinspect-workstation
    key_and_csr rogue-server localhost -addext "$server_san"
    for pair in rogue-client:v3_client rogue-server:v3_server; do
        quiet "${pair%%:*}.x509" openssl x509 -req -in "$db/${pair%%:*}.csr" -CA "$out/rogue-ca.crt" \
            -CAkey "$out/rogue-ca.key" -set_serial "0x01$(random_hex 15)" -days "$days" -sha256 \
            -copy_extensions copy -extfile "$db/ca.cnf" -extensions "${pair##*:}" -out "$out/${pair%%:*}.crt"
    done
}

# Encrypted key: AES-256 PKCS#8 ("ENCRYPTED PRIVATE KEY"), the form clients are most likely to meet.
# (openssl req would encrypt with 3DES, hence genpkey.)
encrypted_client() {
    random_hex 16 >"$out/client-encrypted.pass"
    quiet client-encrypted.key openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc \
        -pass "file:$out/client-encrypted.pass" -out "$out/client-encrypted.key"
    quiet client-encrypted.req openssl req -new -config "$db/ca.cnf" -key "$out/client-encrypted.key" \
        -passin "file:$out/client-encrypted.pass" -subj "/O=Twinspect Test/CN=twinspect-workstation" \
        -out "$db/client-encrypted.csr"
}

jobs_started=()
background() {
    "$@" &
    jobs_started+=($!)
}
wait_all() {
    # `wait PID` returns the job's status, so set -e stops the script if any job failed.
    for pid in "${jobs_started[@]}"; do
        wait "$pid"
    done
    jobs_started=()
}

background rogue
background encrypted_client
background key_and_csr server localhost -addext "$server_san"
background key_and_csr wronghost wrong.example -addext "subjectAltName=DNS:wrong.example"
background key_and_csr client twinspect-workstation
background key_and_csr publisher twinspect-sim
background key_and_csr revoked twinspect-revoked
background key_and_csr expired twinspect-expired
self_signed_ca ca "Twinspect Test CA"
wait_all

sign v3_server server wronghost
sign v3_client client publisher revoked client-encrypted
# The expired certificate lies entirely in the past so the failure is "expired", not "not yet valid".
sign v3_client expired -- -startdate "$(date -u -d '-3 days' +%Y%m%d%H%M%SZ)" \
    -enddate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"

quiet revoke openssl ca -config "$db/ca.cnf" -revoke "$out/revoked.crt" -crl_reason keyCompromise
# The broker checks every client against this CRL, so it must stay current as long as the certificates.
quiet gencrl openssl ca -config "$db/ca.cnf" -gencrl -crldays "$days" -out "$out/crl.pem"

rm -rf "$db"/*.csr "$db/logs"
chmod 0644 "$out"/*.crt "$out/crl.pem"
chmod 0600 "$out"/*.key "$out/client-encrypted.pass"
