// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "crypto/sha256.h"

#include <QByteArray>
#include <QString>

namespace twinspect::audit {

/// A signed statement about the log (docs/audit-format.md): "the first `size` entries have
/// Merkle root `root` and chain head `chain`; this is epoch `epoch`; the next checkpoint will be
/// signed by `nextKey`". The signature covers the exact body bytes.
struct Checkpoint
{
    QString origin;
    quint64 size = 0;
    crypto::Digest root{};
    crypto::Digest chainHead{};
    quint64 epoch = 0;
    QString time; ///< ISO 8601 UTC with milliseconds
    QByteArray nextKey; ///< raw 32-byte Ed25519 public key

    QByteArray body() const;
    /// Parses a body; every line and field must be exactly as body() writes it.
    static Result<Checkpoint> parseBody(const QByteArray& body);
};

/// A body plus its signature, as exported and as used for anchors: the body, then one line
/// "signature <base64>". Split it with `sed '$d'` and `tail -n 1` for the openssl command line.
struct SignedCheckpoint
{
    QByteArray body;
    QByteArray signature;

    QByteArray toText() const;
    static Result<SignedCheckpoint> parseText(const QByteArray& text);
};

} // namespace twinspect::audit
