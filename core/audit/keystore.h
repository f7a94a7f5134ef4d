// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "crypto/ed25519.h"

#include <QString>

namespace twinspect::audit {

/// The current checkpoint key and the epoch it signs.
struct EpochKey
{
    quint64 epoch = 0;
    crypto::Ed25519Key key;
};

/// The audit key file, kept apart from the database (WAL and free pages would keep old copies
/// of anything stored in SQLite). Written 0600 through a temporary file, fsync and rename, so a
/// crash leaves the old key or the new one, never half of either. Never the TLS client key.
class KeyStore
{
public:
    explicit KeyStore(QString path);

    QString path() const { return m_path; }
    QString nextPath() const { return m_path + QStringLiteral(".next"); }

    Result<EpochKey> load() const;
    Result<EpochKey> loadNext() const;
    Result<bool> write(const EpochKey& key) const;
    /// Writes the key for the coming epoch beside the current one (before its checkpoint commits).
    Result<bool> stageNext(const EpochKey& key) const;
    /// Replaces the current key with the staged one (after the checkpoint committed): the old key
    /// is gone from the file system's view, which is as far as erasure goes on ext4 or an SSD.
    Result<bool> promoteNext() const;
    void discardNext() const;

private:
    static Result<bool> writeFile(const QString& path, const EpochKey& key);
    static Result<EpochKey> readFile(const QString& path);
    QString m_path;
};

} // namespace twinspect::audit
