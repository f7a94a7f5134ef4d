// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace twinspect::audit {

/// What went wrong first, in the terms an auditor uses.
struct VerifyProblem
{
    enum class Kind {
        Modified,          ///< an entry's bytes changed (or a checkpoint no longer matches them)
        Deleted,           ///< entries are missing (renumbered or not)
        Inserted,          ///< an entry was added that was never written by the log
        Reordered,         ///< entries changed places
        BadSignature,      ///< a checkpoint's signature is not valid
        WrongEpochKey,     ///< a checkpoint is signed, but not by the key its epoch must use
        CheckpointMissing, ///< a checkpoint was removed (a gap in epochs)
        Truncated,         ///< the log ends before what a checkpoint or the anchor covers
        Forked,            ///< the log's checkpoint at the anchor's epoch differs from the anchor
        Malformed,         ///< stored data is not in the documented format
        Unreadable         ///< the file cannot be read at all (exit code 2)
    };
    Kind kind = Kind::Modified;
    std::optional<quint64> seq;   ///< first bad entry
    std::optional<quint64> epoch; ///< checkpoint involved
    QString message;
};

QString kindName(VerifyProblem::Kind kind);

struct VerifyReport
{
    std::optional<VerifyProblem> problem; ///< empty: intact
    quint64 entries = 0;
    quint64 checkpoints = 0;
    quint64 sealedSize = 0;   ///< entries covered by the last valid checkpoint
    quint64 lastEpoch = 0;
    quint64 unsealedTail = 0; ///< entries after the last checkpoint (at most ~1 s of activity)
    bool trustedKeyGiven = false;
    bool anchorChecked = false;
    QString anchorNote;

    bool intact() const { return !problem.has_value(); }
    /// A paragraph for people: the verdict, the counts, and what was trusted.
    QString summary() const;
};

struct VerifyOptions
{
    std::optional<QByteArray> trustedKeyPem; ///< the enrolment key the auditors kept
    std::optional<QByteArray> anchorText;    ///< a signed checkpoint kept outside the log
    std::function<void(quint64 done, quint64 total)> progress;
    const std::atomic_bool* cancel = nullptr;
};

/// Verifies a log file (read-only) or a JSONL export: chain, Merkle tree, every checkpoint's
/// signature under the key its epoch must use, and the anchor. Runs on any thread.
VerifyReport verifyDatabase(const QString& path, const VerifyOptions& options);
VerifyReport verifyExport(const QString& path, const VerifyOptions& options);
/// The same on export text already in memory; `path` only names it in messages.
VerifyReport verifyExportBytes(const QByteArray& text, const QString& path, const VerifyOptions& options);

} // namespace twinspect::audit
