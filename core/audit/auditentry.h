// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace twinspect::audit {

/// The fields of an electronic signature (21 CFR Part 11 §11.50): who signed, when, what the
/// signature means, and a hash of what was signed.
struct ESignature
{
    QString printedName;
    QString signedAt; ///< ISO 8601 UTC
    QString meaning;  ///< e.g. "approval", "review", "responsibility"
    QString signedHashHex;
};

/// What a caller records. seq and time are given by the log when it writes the entry.
struct AuditEvent
{
    QString operatorName;
    QString role;
    QString session;
    QString action; ///< from actionCatalogue()
    QString target;
    QString outcome = QStringLiteral("success"); ///< success, failure, refused
    QString reason;
    QJsonObject details;
    std::optional<ESignature> esignature;
};

/// One stored entry, read back from its bytes.
struct AuditRecord
{
    quint64 seq = 0;
    QString time;
    qint64 timeMs = 0;
    QString origin;
    AuditEvent event;
    QByteArray bytes; ///< the exact stored bytes
};

struct ActionInfo
{
    QString name;
    QString description;
};

/// The documented actions (docs/audit-format.md). Appending anything else is refused.
const QList<ActionInfo>& actionCatalogue();
bool isKnownAction(const QString& action);

/// The canonical bytes of an entry: compact JSON, keys in a fixed order, written once and
/// never re-serialised (hashes cover these bytes).
QByteArray canonicalEntry(quint64 seq, qint64 timeMs, const QString& origin, const AuditEvent& event);

/// ISO 8601 UTC with milliseconds, e.g. 2026-11-26T01:28:46.123Z.
QString isoTime(qint64 msSinceEpoch);

/// The seq an entry's bytes claim, read from the fixed prefix without a full parse; nullopt if
/// the bytes do not start the way canonicalEntry() writes them.
std::optional<quint64> embeddedSeq(const QByteArray& bytes);

/// The fields the database indexes (query columns), read straight from canonical bytes so the
/// verifier can check the columns were not changed to hide an entry from filters.
struct QueryFields
{
    qint64 timeMs = 0;
    QString operatorName;
    QString role;
    QString action;
    QString target;
    QString outcome;
};
std::optional<QueryFields> queryFields(const QByteArray& bytes);
/// Just the time, read from the fixed place after the seq (fast path of the verifier).
std::optional<qint64> entryTimeMs(const QByteArray& bytes);

/// Full parse of stored bytes (for listing, exporting and query columns).
Result<AuditRecord> parseEntry(const QByteArray& bytes);

} // namespace twinspect::audit
