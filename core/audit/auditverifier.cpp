// SPDX-License-Identifier: Apache-2.0
#include "auditverifier.h"

#include "audit/auditdatabase.h"
#include "audit/auditentry.h"
#include "audit/auditlog.h"
#include "audit/checkpoint.h"
#include "audit/merkle.h"
#include "crypto/ed25519.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace twinspect::audit {

using Kind = VerifyProblem::Kind;

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Modified:
        return QStringLiteral("modified");
    case Kind::Deleted:
        return QStringLiteral("deleted");
    case Kind::Inserted:
        return QStringLiteral("inserted");
    case Kind::Reordered:
        return QStringLiteral("reordered");
    case Kind::BadSignature:
        return QStringLiteral("bad signature");
    case Kind::WrongEpochKey:
        return QStringLiteral("wrong epoch key");
    case Kind::CheckpointMissing:
        return QStringLiteral("checkpoint deleted");
    case Kind::Truncated:
        return QStringLiteral("truncated or rolled back");
    case Kind::Forked:
        return QStringLiteral("forked from the anchor");
    case Kind::Malformed:
        return QStringLiteral("malformed");
    case Kind::Unreadable:
        return QStringLiteral("unreadable");
    }
    return {};
}

QString VerifyReport::summary() const
{
    QString text;
    if (intact()) {
        text = QStringLiteral("INTACT: %1 entries, %2 checkpoints; sealed up to entry %3 by checkpoint epoch %4.")
                   .arg(entries)
                   .arg(checkpoints)
                   .arg(sealedSize)
                   .arg(lastEpoch);
    } else {
        text = problem->kind == Kind::Unreadable ? QStringLiteral("CANNOT VERIFY")
                                                  : QStringLiteral("TAMPERED (%1)").arg(kindName(problem->kind));
        if (problem->seq)
            text += QStringLiteral(" at entry %1").arg(*problem->seq);
        if (problem->epoch)
            text += QStringLiteral(", checkpoint epoch %1").arg(*problem->epoch);
        text += QStringLiteral(": ") + problem->message;
    }
    text += QStringLiteral("\nUnsealed tail: %1 entries after the last checkpoint.").arg(unsealedTail);
    text += trustedKeyGiven ? QStringLiteral("\nTrust: the enrolment key you gave.")
                            : QStringLiteral("\nTrust: the enrolment key stored in the log itself (give --pubkey for a "
                                             "check that does not trust the file).");
    if (anchorChecked)
        text += QStringLiteral("\nAnchor: ") + anchorNote;
    else
        text += QStringLiteral("\nNo anchor given: a cut tail or an older copy cannot be detected without one.");
    return text;
}

namespace {

/// One entry as a source hands it to the engine. Hashes may come precomputed (by a reader
/// thread); storedChain may be empty and columns null (exports have no query columns).
struct SourceEntry
{
    quint64 position = 0;
    QByteArray bytes;
    QByteArray storedChain;
    std::optional<EntryRow> columns;
    std::optional<crypto::Digest> bodyHash;
    std::optional<crypto::Digest> leaf;
};

struct Source
{
    QByteArray enrolment;
    QList<StoredCheckpoint> checkpoints;
    quint64 entryCount = 0;
    /// Calls visit(entry) in order.
    std::function<Result<bool>(const std::function<bool(const SourceEntry&)>&)> forEach;
};

class Engine
{
public:
    Engine(const Source& source, const VerifyOptions& options)
        : m_source(source)
        , m_options(options)
    {
    }

    VerifyReport run()
    {
        m_report.entries = m_source.entryCount;
        m_report.trustedKeyGiven = m_options.trustedKeyPem.has_value();
        if (!setUpKeys())
            return finish();
        m_head = genesisHash(m_source.enrolment);
        if (!checkCheckpointsAt(0))
            return finish();
        quint64 expected = 0;
        quint64 visited = 0;
        Result<bool> read = m_source.forEach([&](const SourceEntry& entry) {
            const quint64 seq = entry.position;
            const QByteArray& bytes = entry.bytes;
            const QByteArray& chain = entry.storedChain;
            const EntryRow* columns = entry.columns ? &*entry.columns : nullptr;
            if (m_options.cancel && m_options.cancel->load())
                return fail(Kind::Unreadable, std::nullopt, std::nullopt, QStringLiteral("cancelled"));
            if (m_anomaly)
                return collectAnomaly(seq, bytes);
            if (seq != expected)
                return fail(Kind::Deleted, expected, std::nullopt,
                            QStringLiteral("entries %1 to %2 are missing").arg(expected).arg(seq - 1));
            const std::optional<quint64> claimed = embeddedSeq(bytes);
            if (!claimed)
                return fail(Kind::Modified, seq, std::nullopt,
                            QStringLiteral("the entry's bytes are not an entry in the documented format"));
            if (*claimed != seq) {
                m_anomaly = Anomaly{seq, *claimed, {}};
                return collectAnomaly(seq, bytes);
            }
            const crypto::Digest next =
                chainHash(m_sha, seq, m_head, entry.bodyHash ? *entry.bodyHash : crypto::Sha256::hash(bytes));
            if (!chain.isEmpty() && crypto::toBytes(next) != chain)
                return fail(Kind::Modified, seq, std::nullopt,
                            QStringLiteral("the entry's bytes changed after they were written (its chain hash no "
                                           "longer matches)"));
            if (columns && !columnsMatch(bytes, *columns))
                return fail(Kind::Modified, seq, std::nullopt,
                            QStringLiteral("the entry's query columns (time, operator, action, target or outcome) were "
                                           "changed, which hides it from filtered lists and exports"));
            m_head = next;
            m_tree.append(m_sha, entry.leaf ? *entry.leaf : leafHash(m_sha, bytes));
            ++expected;
            if (++visited % 8192 == 0 && m_options.progress)
                m_options.progress(visited, m_source.entryCount);
            return checkCheckpointsAt(expected);
        });
        if (!read && !m_report.problem)
            fail(Kind::Unreadable, std::nullopt, std::nullopt, read.error().message);
        if (m_anomaly && !m_report.problem)
            classifyAnomaly();
        if (m_sealMismatch) {
            if (!m_report.problem || !m_report.problem->seq || *m_report.problem->seq > m_sealMismatchEnd)
                m_report.problem = m_sealMismatch;
        }
        if (!m_report.problem && !m_sealMismatch && m_next < m_sorted.size()) {
            const StoredCheckpoint& cp = m_sorted.at(m_next);
            fail(Kind::Truncated, expected, cp.epoch,
                 QStringLiteral("checkpoint epoch %1 covers %2 entries but the log has only %3")
                     .arg(cp.epoch)
                     .arg(cp.size)
                     .arg(expected));
        }
        if (!m_report.problem && m_options.anchorText)
            checkAnchor(expected);
        if (m_options.progress)
            m_options.progress(m_source.entryCount, m_source.entryCount);
        m_report.unsealedTail = expected >= m_report.sealedSize ? expected - m_report.sealedSize : 0;
        return finish();
    }

private:
    struct Anomaly
    {
        quint64 row;
        quint64 claimed;
        std::vector<std::pair<quint64, quint64>> following; // (row seq, claimed seq)
    };

    VerifyReport finish() { return m_report; }

    static bool columnsMatch(const QByteArray& bytes, const EntryRow& row)
    {
        const std::optional<QueryFields> f = queryFields(bytes);
        return f && f->timeMs == row.timeMs && f->operatorName == row.operatorName && f->role == row.role &&
               f->action == row.action && f->target == row.target && f->outcome == row.outcome;
    }

    bool fail(Kind kind, std::optional<quint64> seq, std::optional<quint64> epoch, const QString& message)
    {
        if (!m_report.problem)
            m_report.problem = VerifyProblem{kind, seq, epoch, message};
        return false;
    }

    bool setUpKeys()
    {
        const QList<QByteArray> lines = m_source.enrolment.split('\n');
        if (lines.size() < 5 || lines.at(0) != "twinspect-audit-enrolment v1" || !lines.at(4).startsWith("key "))
            return fail(Kind::Malformed, std::nullopt, std::nullopt, QStringLiteral("the enrolment record is missing or malformed"));
        m_key = QByteArray::fromBase64(lines.at(4).mid(4));
        if (m_options.trustedKeyPem) {
            Result<crypto::Ed25519Key> trusted = crypto::Ed25519Key::fromPem(*m_options.trustedKeyPem);
            if (!trusted)
                return fail(Kind::Unreadable, std::nullopt, std::nullopt,
                            QStringLiteral("the trusted key: ") + trusted.error().message);
            if (trusted.value().rawPublic() != m_key)
                return fail(Kind::WrongEpochKey, std::nullopt, 0,
                            QStringLiteral("the log's enrolment key is not the trusted key: this log was re-enrolled "
                                           "or replaced"));
        }
        // Keys announced anywhere, to tell a signature by the wrong key from a broken one.
        m_knownKeys.append(m_key);
        for (const StoredCheckpoint& cp : m_source.checkpoints) {
            if (Result<Checkpoint> parsed = Checkpoint::parseBody(cp.body); parsed)
                m_knownKeys.append(parsed.value().nextKey);
        }
        m_sorted = m_source.checkpoints;
        std::sort(m_sorted.begin(), m_sorted.end(),
                  [](const StoredCheckpoint& a, const StoredCheckpoint& b) { return a.epoch < b.epoch; });
        m_report.checkpoints = static_cast<quint64>(m_sorted.size());
        return true;
    }

    /// Verifies every checkpoint that covers exactly `size` entries, in epoch order.
    bool checkCheckpointsAt(quint64 size)
    {
        if (m_sealMismatch)
            return ++m_afterMismatch < 100000; // only look for a more precise explanation now
        // Fast path, once per entry: the next checkpoint is further on (its stored size column is
        // only a hint; the signed size is what gets checked below).
        if (m_next < m_sorted.size() && m_sorted.at(m_next).epoch == quint64(m_next) && m_sorted.at(m_next).size > size)
            return true;
        while (m_next < m_sorted.size()) {
            const StoredCheckpoint& stored = m_sorted.at(m_next);
            if (stored.epoch != quint64(m_next))
                return fail(Kind::CheckpointMissing, m_report.sealedSize, m_next,
                            QStringLiteral("checkpoint epoch %1 is missing (the next stored one is epoch %2)")
                                .arg(m_next)
                                .arg(stored.epoch));
            const Result<Checkpoint> parsed = Checkpoint::parseBody(stored.body);
            if (!parsed)
                return fail(Kind::Malformed, std::nullopt, stored.epoch, parsed.error().message);
            const Checkpoint& cp = parsed.value();
            if (cp.size != size) {
                if (cp.size < size || cp.size < m_report.sealedSize)
                    return fail(Kind::Modified, m_report.sealedSize, cp.epoch,
                                QStringLiteral("checkpoint epoch %1 claims %2 entries, fewer than an earlier one").arg(cp.epoch).arg(cp.size));
                return true; // covers more entries: check it when we get there
            }
            if (cp.epoch != stored.epoch || stored.size != cp.size)
                return fail(Kind::Modified, std::nullopt, stored.epoch,
                            QStringLiteral("checkpoint epoch %1 is stored with other numbers than it signs").arg(stored.epoch));
            Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromRawPublic(m_key);
            if (!key || !key.value().verify(stored.body, stored.signature)) {
                for (const QByteArray& other : std::as_const(m_knownKeys)) {
                    Result<crypto::Ed25519Key> k = crypto::Ed25519Key::fromRawPublic(other);
                    if (other != m_key && k && k.value().verify(stored.body, stored.signature))
                        return fail(Kind::WrongEpochKey, m_report.sealedSize, cp.epoch,
                                    QStringLiteral("checkpoint epoch %1 is signed by another epoch's key, not the one "
                                                   "checkpoint %2 announced (re-signed with a stolen key?)")
                                        .arg(cp.epoch)
                                        .arg(cp.epoch == 0 ? QStringLiteral("enrolment") : QString::number(cp.epoch - 1)));
                }
                return fail(Kind::BadSignature, m_report.sealedSize, cp.epoch,
                            QStringLiteral("checkpoint epoch %1 has an invalid signature").arg(cp.epoch));
            }
            if (cp.root != m_tree.root(m_sha) || cp.chainHead != m_head) {
                // Keep reading: an insertion, deletion or swap in this range is named more precisely
                // by the entries that follow than by the checkpoint.
                m_sealMismatch = VerifyProblem{Kind::Modified, m_report.sealedSize, cp.epoch,
                                               QStringLiteral("entries %1 to %2 no longer match signed checkpoint epoch %3 "
                                                              "(an entry was changed and its chain recomputed); the first "
                                                              "changed entry is in this range")
                                                   .arg(m_report.sealedSize)
                                                   .arg(size == 0 ? 0 : size - 1)
                                                   .arg(cp.epoch)};
                m_sealMismatchEnd = size == 0 ? 0 : size - 1;
                return true;
            }
            m_verified.emplace(cp.epoch, stored.body);
            m_key = cp.nextKey;
            m_report.sealedSize = size;
            m_report.lastEpoch = cp.epoch;
            ++m_next;
        }
        return true;
    }

    bool collectAnomaly(quint64 seq, const QByteArray& bytes)
    {
        const std::optional<quint64> claimed = embeddedSeq(bytes);
        m_anomaly->following.emplace_back(seq, claimed.value_or(~quint64(0)));
        return m_anomaly->following.size() < 100000;
    }

    /// Entries whose stored position and claimed seq disagree: a constant shift is a deletion
    /// (claims run ahead) or an insertion (claims lag); anything else is reordering.
    void classifyAnomaly()
    {
        const Anomaly& a = *m_anomaly;
        const auto offset = [](quint64 row, quint64 claimed) { return qint64(claimed) - qint64(row); };
        const qint64 d = offset(a.row, a.claimed);
        bool constant = true;
        for (const auto& [row, claimed] : a.following) {
            if (offset(row, claimed) != d) {
                constant = false;
                break;
            }
        }
        if (constant && d > 0) {
            fail(Kind::Deleted, a.row, std::nullopt,
                 QStringLiteral("%1 entr%2 removed before the entry now at %3, and the rest renumbered")
                     .arg(d)
                     .arg(d == 1 ? QStringLiteral("y was") : QStringLiteral("ies were"))
                     .arg(a.row));
        } else if (constant && d < 0) {
            fail(Kind::Inserted, quint64(qint64(a.row) + d), std::nullopt,
                 QStringLiteral("%1 entr%2 inserted at %3 that the log never wrote")
                     .arg(-d)
                     .arg(d == -1 ? QStringLiteral("y was") : QStringLiteral("ies were"))
                     .arg(qint64(a.row) + d));
        } else {
            fail(Kind::Reordered, a.row, std::nullopt,
                 QStringLiteral("the entry stored at %1 is entry %2: entries changed places").arg(a.row).arg(a.claimed));
        }
    }

    void checkAnchor(quint64 entries)
    {
        m_report.anchorChecked = true;
        const Result<SignedCheckpoint> anchor = SignedCheckpoint::parseText(*m_options.anchorText);
        if (!anchor) {
            fail(Kind::Unreadable, std::nullopt, std::nullopt, QStringLiteral("the anchor: ") + anchor.error().message);
            return;
        }
        const Checkpoint cp = Checkpoint::parseBody(anchor.value().body).value();
        const auto local = m_verified.find(cp.epoch);
        if (local != m_verified.end()) {
            if (local->second != anchor.value().body) {
                fail(Kind::Forked, std::nullopt, cp.epoch,
                     QStringLiteral("the log's checkpoint epoch %1 differs from the anchor: the log was rewritten").arg(cp.epoch));
                return;
            }
            m_report.anchorNote = QStringLiteral("matches the log's checkpoint epoch %1 (%2 entries).").arg(cp.epoch).arg(cp.size);
            return;
        }
        QString signatureNote = QStringLiteral("its signature could not be checked (its key lies beyond the log)");
        if (cp.epoch == m_report.lastEpoch + 1 || m_verified.empty()) {
            Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromRawPublic(m_key);
            const bool valid = key && key.value().verify(anchor.value().body, anchor.value().signature);
            signatureNote = valid ? QStringLiteral("its signature is valid under the key the log announced")
                                  : QStringLiteral("its signature does NOT verify under the key the log announced");
        }
        fail(Kind::Truncated, std::min<quint64>(entries, cp.size), cp.epoch,
             QStringLiteral("the anchor is checkpoint epoch %1 covering %2 entries, but the log ends at epoch %3 with %4 "
                            "entries: it was cut or replaced by an older copy (%5)")
                 .arg(cp.epoch)
                 .arg(cp.size)
                 .arg(m_verified.empty() ? QStringLiteral("none") : QString::number(m_report.lastEpoch))
                 .arg(entries)
                 .arg(signatureNote));
    }

    const Source& m_source;
    const VerifyOptions& m_options;
    VerifyReport m_report;
    crypto::Sha256 m_sha;
    CompactRange m_tree;
    crypto::Digest m_head{};
    QByteArray m_key;
    QList<QByteArray> m_knownKeys;
    QList<StoredCheckpoint> m_sorted;
    qsizetype m_next = 0;
    std::map<quint64, QByteArray> m_verified;
    std::optional<Anomaly> m_anomaly;
    std::optional<VerifyProblem> m_sealMismatch;
    quint64 m_sealMismatchEnd = 0;
    int m_afterMismatch = 0;
};

VerifyReport unreadable(const QString& message)
{
    VerifyReport report;
    report.problem = VerifyProblem{Kind::Unreadable, std::nullopt, std::nullopt, message};
    return report;
}

} // namespace

VerifyReport verifyDatabase(const QString& path, const VerifyOptions& options)
{
    if (!QFile::exists(path))
        return unreadable(QStringLiteral("%1 does not exist").arg(path));
    AuditDatabase db;
    if (Result<bool> opened = db.open(path, AuditDatabase::Mode::ReadOnly); !opened)
        return unreadable(opened.error().message);
    const std::optional<QByteArray> enrolment = db.meta(QStringLiteral("enrolment"));
    if (!enrolment)
        return unreadable(QStringLiteral("%1 is not a Twinspect audit log (no enrolment record)").arg(path));
    Source source;
    source.enrolment = *enrolment;
    source.checkpoints = db.checkpoints();
    source.entryCount = db.entryCount();
    // A reader thread (its own read-only connection) fetches rows and hashes each entry's bytes;
    // this thread follows the chain and the tree. On two cores that nearly halves the time.
    source.forEach = [path](const std::function<bool(const SourceEntry&)>& visit) -> Result<bool> {
        constexpr size_t kBatch = 2048;
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<std::vector<SourceEntry>> batches;
        bool done = false;
        bool stop = false;
        std::optional<Error> readError;
        std::thread reader([&] {
            AuditDatabase rows;
            Result<bool> r = rows.open(path, AuditDatabase::Mode::ReadOnly);
            std::vector<SourceEntry> batch;
            const auto flush = [&] {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return batches.size() < 8 || stop; }); // bounded: memory stays flat
                batches.push_back(std::move(batch));
                batch.clear();
                changed.notify_all();
                return !stop;
            };
            if (r) {
                r = rows.forEachForVerify([&](const AuditDatabase::VerifyRow& row) {
                    // The body hash here, the leaf hash on the other thread: that splits the work evenly.
                    SourceEntry e{row.seq, row.body, row.chain, std::nullopt, crypto::Sha256::hash(row.body), std::nullopt};
                    // Columns are compared in SQLite; only rows it could not match (escaped text,
                    // or a real change) are read in full and compared precisely.
                    if (!row.columnsFound || entryTimeMs(row.body) != row.timeMs)
                        e.columns = rows.entry(row.seq);
                    batch.push_back(std::move(e));
                    return batch.size() < kBatch || flush();
                });
            }
            if (!batch.empty())
                flush();
            std::lock_guard lock(mutex);
            if (!r)
                readError = r.error();
            done = true;
            changed.notify_all();
        });
        bool keepGoing = true;
        while (keepGoing) {
            std::vector<SourceEntry> batch;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return !batches.empty() || done; });
                if (batches.empty())
                    break;
                batch = std::move(batches.front());
                batches.pop_front();
                changed.notify_all();
            }
            for (const SourceEntry& e : batch) {
                if (!visit(e)) {
                    keepGoing = false;
                    break;
                }
            }
        }
        {
            std::lock_guard lock(mutex);
            stop = true;
            changed.notify_all();
        }
        reader.join();
        if (readError)
            return *readError;
        return true;
    };
    return Engine(source, options).run();
}

VerifyReport verifyExport(const QString& path, const VerifyOptions& options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unreadable(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return verifyExportBytes(file.readAll(), path, options);
}

VerifyReport verifyExportBytes(const QByteArray& text, const QString& path, const VerifyOptions& options)
{
    Source source;
    struct Line
    {
        quint64 seq;
        QByteArray bytes;
        QByteArray chain;
    };
    std::vector<Line> entries;
    int lineNumber = 0;
    for (const QByteArray& line : text.split('\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error{};
        const QJsonObject object = QJsonDocument::fromJson(line, &error).object();
        if (error.error != QJsonParseError::NoError)
            return unreadable(QStringLiteral("%1:%2: not a JSON line: %3").arg(path).arg(lineNumber).arg(error.errorString()));
        const QString type = object.value(QStringLiteral("type")).toString();
        const auto base64 = [&](const char* key) {
            return QByteArray::fromBase64(object.value(QLatin1String(key)).toString().toLatin1());
        };
        if (type == QLatin1String("twinspect-audit-export")) {
            if (object.value(QStringLiteral("filtered")).toBool())
                return unreadable(QStringLiteral("%1 is a filtered export: its entries verify one by one against the "
                                                 "checkpoint by inclusion proof (docs/audit-format.md), not as a whole log").arg(path));
            source.enrolment = base64("enrolment");
        } else if (type == QLatin1String("entry")) {
            // A line's place in the file is its position in the log; the bytes say which entry it is.
            entries.push_back(Line{quint64(entries.size()), base64("bytes"), base64("chain")});
        } else if (type == QLatin1String("checkpoint")) {
            source.checkpoints.append(StoredCheckpoint{static_cast<quint64>(object.value(QStringLiteral("epoch")).toDouble()),
                                                       static_cast<quint64>(object.value(QStringLiteral("size")).toDouble()),
                                                       base64("body"), base64("signature"), {}});
        } else {
            return unreadable(QStringLiteral("%1:%2: unknown line type '%3'").arg(path).arg(lineNumber).arg(type));
        }
    }
    if (source.enrolment.isEmpty())
        return unreadable(QStringLiteral("%1 has no export header line").arg(path));
    source.entryCount = entries.size();
    source.forEach = [&entries](const std::function<bool(const SourceEntry&)>& visit) -> Result<bool> {
        for (const Line& line : entries) {
            if (!visit(SourceEntry{line.seq, line.bytes, line.chain, std::nullopt, std::nullopt, std::nullopt}))
                break;
        }
        return true;
    };
    return Engine(source, options).run();
}

} // namespace twinspect::audit
