#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent verifier for a Twinspect audit log JSONL export (docs/audit-format.md).

Written from the documented format only, so that it can disagree with the C++ verifier.
Needs Python 3 and `cryptography` (Debian: python3-cryptography).

usage: verify_audit_export.py EXPORT.jsonl [--pubkey ENROLMENT.pem] [--anchor ANCHOR.txt]
exit:  0 intact, 1 tampered, 2 unreadable or usage error
"""
import argparse, base64, binascii, hashlib, json, re, struct, sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CHECKPOINT_FIELDS = ("origin", "size", "root", "chain", "epoch", "time", "next")
ENTRY_PREFIX = re.compile(rb'\{"v":1,"seq":([0-9]{1,20}),')  # what every entry's bytes start with


class Tampered(Exception):
    def __init__(self, kind, message, seq=None, epoch=None):
        super().__init__(message)
        self.kind, self.seq, self.epoch = kind, seq, epoch


class Unreadable(Exception):
    pass


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def genesis_hash(enrolment):
    return sha256(b"twinspect-audit-genesis v1\n", enrolment)


def chain_hash(seq, previous, entry):
    # The stored bytes are hashed exactly as stored: never re-serialise an entry to verify it.
    return sha256(b"twinspect-audit-chain v1\n", struct.pack("<Q", seq), previous, sha256(entry))


def leaf_hash(entry):  # RFC 9162 §2.1.1: 0x00 for leaves, 0x01 for nodes, so neither poses as the other
    return sha256(b"\x00", entry)


def node_hash(left, right):
    return sha256(b"\x01", left, right)


class CompactRange:
    """The right edge of the RFC 9162 tree (one root per perfect subtree, largest first), so the
    root at every checkpoint size costs a few hashes instead of rebuilding the tree."""

    def __init__(self):
        self.roots, self.size = [], 0

    def append(self, leaf):
        self.roots.append(leaf)
        self.size += 1
        s = self.size
        while s & 1 == 0:  # each trailing zero bit of the new size merges two equal subtrees
            right = self.roots.pop()
            self.roots[-1] = node_hash(self.roots[-1], right)
            s >>= 1

    def root(self):
        acc = self.roots[-1] if self.roots else sha256()  # the empty tree's root is SHA-256("")
        for left in reversed(self.roots[:-1]):
            acc = node_hash(left, acc)
        return acc


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 §2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def b64(text, what, length=None):
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise Tampered("malformed", f"{what} is not base64")
    if length is not None and len(raw) != length:
        raise Tampered("malformed", f"{what} is not {length} bytes")
    return raw


def parse_checkpoint(body):
    """The body must be byte for byte what the writer produces: the signature covers these bytes,
    and a lenient parser would let two different texts carry one signature."""
    lines = body[:-1].split(b"\n") if body.endswith(b"\n") and len(body) <= 4096 else []
    if len(lines) != 8 or lines[0] != b"twinspect-audit-checkpoint v1":
        raise Tampered("malformed", "a checkpoint body is not in the documented format")
    cp = {}
    for name, line in zip(CHECKPOINT_FIELDS, lines[1:]):
        if not line.startswith(name.encode() + b" "):
            raise Tampered("malformed", f"a checkpoint line should start with '{name}'")
        cp[name] = line[len(name) + 1:]
    for name in ("size", "epoch"):
        if not re.fullmatch(rb"0|[1-9][0-9]*", cp[name]):
            raise Tampered("malformed", f"checkpoint {name} is not a decimal without leading zeros")
        cp[name] = int(cp[name])
    for name in ("root", "chain", "next"):
        text, cp[name] = cp[name], b64(cp[name], f"checkpoint {name}", 32)
        if base64.b64encode(cp[name]) != text:
            raise Tampered("malformed", f"checkpoint {name} is not canonical base64")
    return cp


def ed25519_verify(raw_key, message, signature):
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def claimed_seq(entry):
    match = ENTRY_PREFIX.match(entry)
    return int(match.group(1)) if match else None


def read_export(path):
    header, entries, checkpoints = None, [], []
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                try:
                    obj = json.loads(line) if line.strip() else {"type": "blank"}
                except ValueError as e:
                    raise Unreadable(f"{path}:{number}: not a JSON line: {e}")
                kind = obj.get("type") if isinstance(obj, dict) else None
                if kind == "twinspect-audit-export" and header is None and obj.get("version") == 1:
                    header = obj
                elif kind in ("entry", "checkpoint"):
                    (entries if kind == "entry" else checkpoints).append(obj)
                elif kind != "blank":
                    raise Unreadable(f"{path}:{number}: unexpected line type {kind!r}")
    except OSError as e:
        raise Unreadable(f"cannot read {path}: {e.strerror}")
    if header is None:
        raise Unreadable(f"{path} has no version 1 export header line")
    return header, entries, checkpoints


class Verifier:
    def __init__(self, header, entries, checkpoints, trusted_pem):
        self.enrolment = b64(header.get("enrolment", ""), "the enrolment record")
        lines = self.enrolment.split(b"\n")
        if len(lines) < 5 or lines[0] != b"twinspect-audit-enrolment v1" or not lines[4].startswith(b"key "):
            raise Tampered("malformed", "the enrolment record is missing or malformed")
        self.key = b64(lines[4][4:], "the enrolment key", 32)  # pk_0, the root of trust
        if trusted_pem is not None:
            trusted = serialization.load_pem_public_key(trusted_pem).public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            if trusted != self.key:
                raise Tampered("wrong epoch key", "the export's enrolment key is not the trusted key: "
                               "this log was re-enrolled or replaced", epoch=0)
        self.entries = entries
        self.checkpoints = sorted(((cp, parse_checkpoint(b64(cp.get("body", ""), "a checkpoint body")))
                                   for cp in checkpoints), key=lambda pair: pair[1]["epoch"])
        # Every key announced anywhere: tells "signed by another epoch's key" (a re-seal with a
        # stolen later key, journald CVE-2023-31439) from a merely broken signature.
        self.known_keys = [self.key] + [cp["next"] for _, cp in self.checkpoints]
        self.next, self.sealed, self.count, self.last_epoch, self.verified = 0, 0, 0, None, {}

    def check_signed(self, stored, cp):
        """Checkpoint k must exist, and verify under the key checkpoint k-1 announced (k=0: enrolment)."""
        if cp["epoch"] != self.next:
            raise Tampered("checkpoint deleted" if cp["epoch"] > self.next else "forked",
                           f"expected checkpoint epoch {self.next}, found epoch {cp['epoch']}",
                           seq=self.sealed, epoch=self.next)
        if stored.get("epoch") != cp["epoch"] or stored.get("size") != cp["size"]:
            raise Tampered("modified", "the checkpoint is exported with other numbers than it signs", epoch=cp["epoch"])
        body, signature = b64(stored["body"], "a checkpoint body"), b64(stored.get("signature", ""), "a signature")
        if not ed25519_verify(self.key, body, signature):
            announced = "the enrolment record" if cp["epoch"] == 0 else f"checkpoint {cp['epoch'] - 1}"
            stolen = any(k != self.key and ed25519_verify(k, body, signature) for k in self.known_keys)
            raise Tampered("wrong epoch key" if stolen else "bad signature",
                           f"checkpoint epoch {cp['epoch']} is signed by another epoch's key, not the one {announced} "
                           "announced" if stolen else f"checkpoint epoch {cp['epoch']} has an invalid signature",
                           seq=self.sealed, epoch=cp["epoch"])
        self.verified[cp["epoch"]] = body
        self.key, self.last_epoch, self.next = cp["next"], cp["epoch"], self.next + 1

    def seal_at(self, size, tree, head):
        """Checks every checkpoint covering exactly `size` entries (idle heartbeats repeat a size)."""
        while self.next < len(self.checkpoints):
            stored, cp = self.checkpoints[self.next]
            if cp["epoch"] == self.next and cp["size"] > size:
                return  # covers more entries: checked when the walk gets there
            if cp["epoch"] == self.next and cp["size"] < size:
                raise Tampered("modified", f"checkpoint epoch {cp['epoch']} claims {cp['size']} entries, fewer "
                               "than an earlier one", seq=self.sealed, epoch=cp["epoch"])
            self.check_signed(stored, cp)
            if cp["root"] != tree.root() or cp["chain"] != head:
                raise Tampered("modified", f"entries {self.sealed} to {max(size - 1, 0)} no longer match signed "
                               f"checkpoint epoch {cp['epoch']} (an entry was changed and the chain recomputed)",
                               seq=self.sealed, epoch=cp["epoch"])
            self.sealed = size

    def full(self):
        head, tree = genesis_hash(self.enrolment), CompactRange()
        self.seal_at(0, tree, head)
        for position, line in enumerate(self.entries):
            entry = b64(line.get("bytes", ""), f"entry {position}")
            claimed = claimed_seq(entry)
            if claimed is None or line.get("seq") != claimed:
                raise Tampered("modified", f"the line says seq {line.get('seq')} but its bytes claim {claimed}",
                               seq=position)
            if claimed != position:
                self.classify(position)
            head = chain_hash(claimed, head, entry)
            if b64(line.get("chain", ""), f"entry {position} chain", 32) != head:
                raise Tampered("modified", "the entry's bytes changed after they were written (its chain "
                               "hash no longer matches)", seq=position)
            tree.append(leaf_hash(entry))
            self.seal_at(position + 1, tree, head)
        self.count = len(self.entries)
        if self.next < len(self.checkpoints):
            cp = self.checkpoints[self.next][1]
            raise Tampered("truncated or rolled back", f"checkpoint epoch {cp['epoch']} covers {cp['size']} "
                           f"entries but the export has only {self.count}", seq=self.count, epoch=cp["epoch"])
        sealed_by = f"checkpoint epoch {self.last_epoch}" if self.checkpoints else "no checkpoint"
        return (f"{self.count} entries, {len(self.checkpoints)} checkpoints; sealed up to entry {self.sealed} by "
                f"{sealed_by}; unsealed tail: {self.count - self.sealed} entries")

    def classify(self, start):
        """The position in the file is the truth for order, the seq inside the hashed bytes is the
        claim: a constant offset from here on is a deletion (claims run ahead) or an insertion
        (claims lag); anything else is reordering. The same rule as the C++ verifier's."""
        claims = [claimed_seq(b64(line.get("bytes", ""), "an entry")) for line in self.entries[start:]]
        offsets = {None if c is None else c - position for position, c in enumerate(claims, start)}
        d = claims[0] - start
        if offsets == {d} and d > 0:
            raise Tampered("deleted", f"{d} entr{'y was' if d == 1 else 'ies were'} removed before the entry "
                           f"now at position {start}", seq=start)
        if offsets == {d} and d < 0:
            raise Tampered("inserted", f"{-d} entr{'y was' if d == -1 else 'ies were'} inserted at {start + d} "
                           "that the log never wrote", seq=start + d)
        raise Tampered("reordered", f"the entry at position {start} is entry {start + d}: entries changed places",
                       seq=start)

    def filtered(self):
        last = None
        for stored, cp in self.checkpoints:  # the key chain alone: entries are checked by proof
            if cp["size"] < self.sealed:
                raise Tampered("modified", f"checkpoint epoch {cp['epoch']} covers fewer entries than an earlier one",
                               epoch=cp["epoch"])
            self.check_signed(stored, cp)
            self.sealed, last = cp["size"], cp
        self.count = self.sealed
        proven, unsealed, previous = 0, 0, -1
        for line in self.entries:
            seq, entry = line.get("seq"), b64(line.get("bytes", ""), f"entry {line.get('seq')}")
            if not isinstance(seq, int) or claimed_seq(entry) != seq:
                raise Tampered("modified", f"the line says seq {seq} but its bytes claim {claimed_seq(entry)}", seq=seq)
            if seq <= previous:
                raise Tampered("reordered" if seq < previous else "inserted",
                               f"entry {seq} follows entry {previous}; a filtered export lists entries in seq order",
                               seq=seq)
            previous = seq
            if line.get("unsealed") is True and seq >= self.sealed:
                unsealed += 1  # after the last checkpoint: nothing to prove it against yet
                continue
            if last is None or line.get("epoch") != last["epoch"]:
                raise Tampered("modified", f"entry {seq} has no proof against the last checkpoint, which covers it",
                               seq=seq)
            proof = [b64(p, f"entry {seq} proof", 32) for p in line.get("proof", [])]
            if not verify_inclusion(leaf_hash(entry), seq, last["size"], proof, last["root"]):
                raise Tampered("modified", f"entry {seq} is not included in checkpoint epoch {last['epoch']}", seq=seq)
            proven += 1
        return (f"filtered export: {proven} entries proven included in checkpoint epoch {self.last_epoch} "
                f"({self.sealed} entries); {unsealed} unsealed entries cannot be proven; entries left out "
                "of a filtered export cannot be detected")

    def anchor(self, text):
        at = text.rfind(b"signature ")
        try:
            if at <= 0 or text[at - 1:at] != b"\n":
                raise Tampered("malformed", "no 'signature' line after the checkpoint body")
            body, signature = text[:at], b64(text[at + 10:].strip(), "the signature", 64)
            cp = parse_checkpoint(body)
        except Tampered as e:
            raise Unreadable(f"the anchor: {e}")
        if cp["epoch"] in self.verified:
            if self.verified[cp["epoch"]] != body:
                raise Tampered("forked", f"the export's checkpoint epoch {cp['epoch']} differs from the anchor: "
                               "the log was rewritten", epoch=cp["epoch"])
            return f"anchor matches checkpoint epoch {cp['epoch']} ({cp['size']} entries)"
        note = "its signature cannot be checked: its key lies beyond the export"
        if self.last_epoch is None or cp["epoch"] == self.last_epoch + 1:
            valid = ed25519_verify(self.key, body, signature)
            note = f"its signature is {'valid' if valid else 'NOT valid'} under the key the export announced"
        raise Tampered("truncated or rolled back", f"the anchor is checkpoint epoch {cp['epoch']} covering "
                       f"{cp['size']} entries, but the export ends at epoch {self.last_epoch}: it was cut or "
                       f"replaced by an older copy ({note})", seq=min(cp["size"], self.count), epoch=cp["epoch"])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export")
    parser.add_argument("--pubkey", help="the enrolment public key (PEM) the auditors kept")
    parser.add_argument("--anchor", help="a signed checkpoint kept outside the log")
    args = parser.parse_args(argv)  # usage errors exit 2
    try:
        trusted = open(args.pubkey, "rb").read() if args.pubkey else None
        anchor = open(args.anchor, "rb").read() if args.anchor else None
        header, entries, checkpoints = read_export(args.export)
        verifier = Verifier(header, entries, checkpoints, trusted)
        verdict = verifier.filtered() if header.get("filtered") is True else verifier.full()
        if anchor is not None:
            verdict += "; " + verifier.anchor(anchor)
    except (OSError, Unreadable, ValueError) as e:  # ValueError: a --pubkey that is no Ed25519 PEM
        print(f"CANNOT VERIFY: {e}")
        return 2
    except Tampered as e:
        where = ([f"entry {e.seq}"] if e.seq is not None else []) + \
                ([f"checkpoint epoch {e.epoch}"] if e.epoch is not None else [])
        print(f"TAMPERED: {e.kind}{' at ' + ', '.join(where) if where else ''}: {e}")
        return 1
    print(f"INTACT: {verdict}")
    print("Trust: " + ("the enrolment key you gave." if trusted else
                       "the enrolment key inside the export (give --pubkey to trust your own copy)."))
    if anchor is None:
        print("No anchor given: a cut tail or an older copy cannot be detected without one.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
