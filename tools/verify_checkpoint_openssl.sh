#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Verifies the signed checkpoints of a Twinspect audit log with the openssl command line and
# coreutils only (docs/audit-format.md, "How a third party verifies"): checkpoint 0 under the
# enrolment key, checkpoint k under the key that checkpoint k-1 announced on its `next` line.
#
# usage: verify_checkpoint_openssl.sh ENROLMENT.pem EXPORT.jsonl
#        verify_checkpoint_openssl.sh ENROLMENT.pem DIR
#   DIR holds signed checkpoints, one per file (the text `twinspect-audit anchor` writes: the
#   body, then "signature <base64>"), epochs 0..N with none missing; file names do not matter.
#
# This checks the signatures and the key chain, not the entries: the entries' hashes and the
# Merkle roots are checked by `twinspect-audit verify` or tools/verify_audit_export.py.
# Needs OpenSSL >= 3.0 (pkeyutl -rawin for Ed25519). Exit 0: all valid; 1: a checkpoint fails;
# 2: usage or unreadable input.
set -euo pipefail

die() { echo "FAILED: $*" >&2; exit 1; }
usage() { echo "usage: $0 ENROLMENT.pem EXPORT.jsonl|CHECKPOINT-DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
pem=$1 input=$2
[ -r "$pem" ] || { echo "cannot read $pem" >&2; exit 2; }
[ -e "$input" ] || { echo "cannot read $input" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/cp"

# The 12-byte DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE, AlgorithmIdentifier
# {1.3.101.112}, BIT STRING of 33 bytes (0 unused bits + the 32-byte key). printf, not xxd: xxd
# comes with vim and is not in every base system.
raw_key_to_pem() { # $1: base64 of a raw 32-byte key, $2: output PEM
    printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00' > "$work/key.der"
    printf '%s' "$1" | base64 -d >> "$work/key.der" 2>/dev/null || return 1
    [ "$(wc -c < "$work/key.der")" -eq 44 ] || return 1
    openssl pkey -pubin -inform DER -in "$work/key.der" -out "$2" 2>/dev/null
}

# The 32 raw key bytes of a PEM public key, in base64: its DER form ends with them.
pem_raw_b64() { openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | tail -c 32 | base64 -w0; }

enrolment_raw=$(pem_raw_b64 "$pem") || { echo "$pem is not a public key PEM" >&2; exit 2; }
[ "$(openssl pkey -pubin -in "$pem" -noout -text 2>/dev/null | head -n 1)" = "ED25519 Public-Key:" ] \
    || { echo "$pem is not an Ed25519 public key" >&2; exit 2; }

# One signed-checkpoint file per epoch, named by epoch, so the walk below is the same for both inputs.
if [ -d "$input" ]; then
    for f in "$input"/*; do
        { [ -f "$f" ] && [ "$(head -n 1 "$f")" = "twinspect-audit-checkpoint v1" ]; } || continue
        epoch=$(sed -n 's/^epoch \([0-9][0-9]*\)$/\1/p' "$f")
        [ -n "$epoch" ] || die "$f has no epoch line"
        # The same checkpoint twice (an anchor copy beside the export) is fine; two different is not.
        if [ -e "$work/cp/$epoch" ]; then
            cmp -s "$f" "$work/cp/$epoch" || die "two different files claim checkpoint epoch $epoch ($f)"
        fi
        cp "$f" "$work/cp/$epoch"
    done
else
    # JSONL, keys written sorted: {"body":"...","epoch":N,"signature":"...","size":N,"type":"checkpoint"}.
    # Base64 holds no quote or backslash; a JSON writer may escape '/' as '\/', so undo that.
    header=$(head -n 1 "$input")
    case $header in *'"type":"twinspect-audit-export"'*) ;; *) echo "$input is not an audit export" >&2; exit 2 ;; esac
    # The enrolment record inside the export must name the key the auditors kept.
    record_key=$(printf '%s' "$header" | sed -n 's/.*"enrolment":"\([^"]*\)".*/\1/p' | sed 's/\\\//\//g' \
        | base64 -d 2>/dev/null | sed -n 's/^key //p') || true
    [ "$record_key" = "$enrolment_raw" ] || die "the export's enrolment record names key $record_key, not $pem"
    while IFS= read -r line; do
        epoch=$(printf '%s' "$line" | sed -n 's/.*"epoch":\([0-9][0-9]*\).*/\1/p')
        body=$(printf '%s' "$line" | sed -n 's/.*"body":"\([^"]*\)".*/\1/p')
        sig=$(printf '%s' "$line" | sed -n 's/.*"signature":"\([^"]*\)".*/\1/p')
        { [ -n "$epoch" ] && [ -n "$body" ] && [ -n "$sig" ]; } || die "a checkpoint line lacks epoch, body or signature"
        [ ! -e "$work/cp/$epoch" ] || die "two lines claim checkpoint epoch $epoch"
        { printf '%s' "$body" | base64 -d; printf 'signature %s\n' "$sig"; } > "$work/cp/$epoch" \
            || die "checkpoint epoch $epoch: body is not base64"
    done < <(grep '"type":"checkpoint"' "$input" | sed 's/\\\//\//g')
fi

count=$(find "$work/cp" -type f | wc -l)
[ "$count" -gt 0 ] || die "no checkpoints found in $input"
echo "enrolment key (epoch 0): $enrolment_raw"
cp "$pem" "$work/key.pem"
for ((k = 0; k < count; k++)); do
    f=$work/cp/$k
    [ -f "$f" ] || die "checkpoint epoch $k is missing (checkpoint deleted): the key chain breaks here"
    # Split as documented: everything but the last line is the signed body (it keeps its final
    # newline); the last line is "signature <base64 of 64 bytes>".
    sed '$d' "$f" > "$work/body.txt"
    sigline=$(tail -n 1 "$f")
    [ "${sigline#signature }" != "$sigline" ] || die "checkpoint epoch $k: the last line is not 'signature ...'"
    printf '%s' "${sigline#signature }" | base64 -d > "$work/sig.bin" 2>/dev/null \
        || die "checkpoint epoch $k: the signature is not base64"
    [ "$(wc -c < "$work/sig.bin")" -eq 64 ] || die "checkpoint epoch $k: the signature is not 64 bytes"
    [ "$(sed -n 's/^epoch //p' "$work/body.txt")" = "$k" ] || die "checkpoint epoch $k: its body names another epoch"
    if ! openssl pkeyutl -verify -pubin -inkey "$work/key.pem" -rawin -in "$work/body.txt" \
            -sigfile "$work/sig.bin" > "$work/openssl.out" 2>&1; then
        signer=$([ "$k" -eq 0 ] && echo "the enrolment key" || echo "the key checkpoint $((k - 1)) announced")
        die "checkpoint epoch $k: bad signature under $signer ($(head -n 1 "$work/openssl.out"))"
    fi
    size=$(sed -n 's/^size //p' "$work/body.txt")
    next=$(sed -n 's/^next //p' "$work/body.txt")
    echo "checkpoint epoch $k: signature valid (size $size); announces key $next"
    raw_key_to_pem "$next" "$work/key.pem" || die "checkpoint epoch $k: its next key is not a 32-byte base64 key"
done
echo "OK: $count checkpoints (epochs 0 to $((count - 1))) verify along the key chain from $pem"
