// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace twinspect::audit {

struct StoredCheckpoint
{
    quint64 epoch = 0;
    quint64 size = 0;
    QByteArray body;
    QByteArray signature;
    QByteArray frontier; ///< compact range at `size`, not signed: checked against the signed root
};

struct EntryRow
{
    quint64 seq = 0;
    QByteArray body;
    QByteArray chain;
    qint64 timeMs = 0;
    QString operatorName;
    QString role;
    QString action;
    QString target;
    QString outcome;
};

/// The audit log's SQLite file (docs/audit-format.md): WAL with synchronous=FULL, and triggers
/// that refuse UPDATE and DELETE on every table. One object per thread: Qt SQL connections
/// belong to the thread that opened them.
class AuditDatabase
{
public:
    enum class Mode { ReadWrite, ReadOnly };
    AuditDatabase();
    ~AuditDatabase();
    AuditDatabase(const AuditDatabase&) = delete;
    AuditDatabase& operator=(const AuditDatabase&) = delete;

    /// Opens (and for ReadWrite creates) the file and its schema.
    Result<bool> open(const QString& path, Mode mode);
    void close();
    bool isOpen() const;

    std::optional<QByteArray> meta(const QString& key) const;
    Result<bool> setMeta(const QList<std::pair<QString, QByteArray>>& values);

    /// Appends rows in one transaction (group commit): all or nothing, durable on return.
    Result<bool> appendEntries(const QList<EntryRow>& rows);
    Result<bool> appendCheckpoint(const StoredCheckpoint& checkpoint);

    quint64 entryCount() const;
    std::optional<StoredCheckpoint> lastCheckpoint() const;
    QList<StoredCheckpoint> checkpoints() const;
    /// Streams entries with seq >= from in seq order; stop by returning false.
    Result<bool> forEachEntry(quint64 from, const std::function<bool(const EntryRow&)>& visit) const;
    /// The verifier's fast path: bytes, stored chain, the time column, and whether SQLite found
    /// the text columns verbatim in the bytes (false also when a value needs JSON escaping; the
    /// caller then compares precisely).
    struct VerifyRow
    {
        quint64 seq;
        QByteArray body;
        QByteArray chain;
        qint64 timeMs;
        bool columnsFound;
    };
    Result<bool> forEachForVerify(const std::function<bool(const VerifyRow&)>& visit) const;
    /// One entry's stored columns (for the precise check).
    std::optional<EntryRow> entry(quint64 seq) const;

    /// Entries matching a filter, newest last (for list and export). Empty strings match all.
    struct Filter
    {
        std::optional<qint64> sinceMs;
        std::optional<qint64> untilMs;
        QString operatorName;
        QString action;
        QString target;
        QString text; ///< substring of the entry bytes
    };
    Result<bool> forEachMatching(const Filter& filter, const std::function<bool(const EntryRow&)>& visit) const;

    /// For tests of failure handling: limit the file to this many pages (SQLITE_FULL beyond).
    void setMaxPageCount(int pages);
    QString lastError() const;

private:
    Result<bool> exec(const QString& sql);
    Error sqlError(const QString& what) const;
    QString m_connection;
};

} // namespace twinspect::audit
