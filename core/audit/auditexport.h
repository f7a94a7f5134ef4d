// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/auditdatabase.h"
#include "common/result.h"

#include <QString>

namespace twinspect::audit {

struct ExportSummary
{
    quint64 entries = 0;
    quint64 checkpoints = 0;
    bool filtered = false;
};

enum class ExportFormat { Jsonl, Csv };

/// Writes an export (docs/audit-format.md). JSONL carries every entry's exact bytes, its chain
/// hash and all checkpoints, so an unfiltered export verifies like the log itself; a filtered one
/// carries an inclusion proof per entry against the last checkpoint. CSV is for people and
/// spreadsheets and cannot be verified. Reads the log read-only; writes through a temporary file.
Result<ExportSummary> exportLog(const QString& databasePath, const QString& outputPath, ExportFormat format,
                                const AuditDatabase::Filter& filter);

/// Checks a filtered JSONL export: the checkpoints' key chain from the enrolment key (or the
/// trusted key), the anchor if given, order, and each entry's inclusion proof. Returns the
/// number of entries proven; an error's code is the problem kind ("modified", "bad signature",
/// "unreadable", ...). A filtered export cannot show that entries were left out.
Result<quint64> verifyFilteredExport(const QString& path, const QByteArray& trustedKeyPem, const QByteArray& anchorText = {});
Result<quint64> verifyFilteredExportBytes(const QByteArray& text, const QString& path, const QByteArray& trustedKeyPem,
                                          const QByteArray& anchorText = {});

} // namespace twinspect::audit
