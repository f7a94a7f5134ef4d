// SPDX-License-Identifier: Apache-2.0
#include "auditexport.h"

#include "audit/auditentry.h"
#include "audit/checkpoint.h"
#include "audit/merkle.h"
#include "crypto/ed25519.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <map>
#include <vector>

namespace twinspect::audit {

namespace {

QByteArray jsonLine(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray csvField(const QString& text)
{
    QByteArray utf8 = text.toUtf8();
    if (utf8.contains(',') || utf8.contains('"') || utf8.contains('\n') || utf8.contains('\r')) {
        utf8.replace("\"", "\"\"");
        return '"' + utf8 + '"';
    }
    return utf8;
}

bool isFiltered(const AuditDatabase::Filter& f)
{
    return f.sinceMs || f.untilMs || !f.operatorName.isEmpty() || !f.action.isEmpty() || !f.target.isEmpty() ||
           !f.text.isEmpty();
}

} // namespace

Result<ExportSummary> exportLog(const QString& databasePath, const QString& outputPath, ExportFormat format,
                                const AuditDatabase::Filter& filter)
{
    if (!QFile::exists(databasePath))
        return Error{QStringLiteral("export.missing"), QStringLiteral("%1 does not exist").arg(databasePath)};
    AuditDatabase db;
    if (Result<bool> opened = db.open(databasePath, AuditDatabase::Mode::ReadOnly); !opened)
        return opened.error();
    const std::optional<QByteArray> enrolment = db.meta(QStringLiteral("enrolment"));
    if (!enrolment)
        return Error{QStringLiteral("export.format"), QStringLiteral("%1 is not a Twinspect audit log").arg(databasePath)};
    QSaveFile out(outputPath);
    if (!out.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("export.write"), QStringLiteral("cannot write %1: %2").arg(outputPath, out.errorString())};
    ExportSummary summary;
    summary.filtered = isFiltered(filter);

    if (format == ExportFormat::Csv) {
        out.write("seq,time,origin,operator,role,session,action,target,outcome,reason,details,esig_name,esig_at,"
                  "esig_meaning,esig_hash\n");
        Result<bool> r = db.forEachMatching(filter, [&](const EntryRow& row) {
            const Result<AuditRecord> rec = parseEntry(row.body);
            if (!rec)
                return true;
            const AuditRecord& r = rec.value();
            const AuditEvent& e = r.event;
            const QString details = QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact));
            const QStringList fields{QString::number(r.seq), r.time, r.origin, e.operatorName, e.role, e.session,
                                     e.action, e.target, e.outcome, e.reason, details,
                                     e.esignature ? e.esignature->printedName : QString(),
                                     e.esignature ? e.esignature->signedAt : QString(),
                                     e.esignature ? e.esignature->meaning : QString(),
                                     e.esignature ? e.esignature->signedHashHex : QString()};
            QByteArray line;
            for (qsizetype i = 0; i < fields.size(); ++i)
                line += (i ? "," : "") + csvField(fields.at(i));
            out.write(line + '\n');
            ++summary.entries;
            return true;
        });
        if (!r)
            return r.error();
    } else {
        const QList<StoredCheckpoint> checkpoints = db.checkpoints();
        out.write(jsonLine(QJsonObject{{QStringLiteral("type"), QStringLiteral("twinspect-audit-export")},
                                       {QStringLiteral("version"), 1},
                                       {QStringLiteral("enrolment"), b64(*enrolment)},
                                       {QStringLiteral("filtered"), summary.filtered}}));
        if (!summary.filtered) {
            Result<bool> r = db.forEachEntry(0, [&](const EntryRow& row) {
                out.write(jsonLine(QJsonObject{{QStringLiteral("type"), QStringLiteral("entry")},
                                               {QStringLiteral("seq"), static_cast<qint64>(row.seq)},
                                               {QStringLiteral("bytes"), b64(row.body)},
                                               {QStringLiteral("chain"), b64(row.chain)}}));
                ++summary.entries;
                return true;
            });
            if (!r)
                return r.error();
        } else {
            // Inclusion proofs against the last checkpoint need every leaf it covers.
            const quint64 sealed = checkpoints.isEmpty() ? 0 : checkpoints.last().size;
            std::vector<Digest> leaves;
            leaves.reserve(sealed);
            crypto::Sha256 sha;
            db.forEachEntry(0, [&](const EntryRow& row) {
                if (row.seq >= sealed)
                    return false;
                leaves.push_back(leafHash(sha, row.body));
                return true;
            });
            const MerkleTree tree(std::move(leaves));
            Result<bool> r = db.forEachMatching(filter, [&](const EntryRow& row) {
                QJsonObject line{{QStringLiteral("type"), QStringLiteral("entry")},
                                 {QStringLiteral("seq"), static_cast<qint64>(row.seq)},
                                 {QStringLiteral("bytes"), b64(row.body)}};
                if (row.seq < tree.size()) {
                    QJsonArray proof;
                    for (const Digest& d : tree.inclusionProof(row.seq))
                        proof.append(b64(crypto::toBytes(d)));
                    line.insert(QStringLiteral("proof"), proof);
                    line.insert(QStringLiteral("epoch"), static_cast<qint64>(checkpoints.last().epoch));
                } else {
                    line.insert(QStringLiteral("unsealed"), true);
                }
                out.write(jsonLine(line));
                ++summary.entries;
                return true;
            });
            if (!r)
                return r.error();
        }
        for (const StoredCheckpoint& cp : checkpoints) {
            out.write(jsonLine(QJsonObject{{QStringLiteral("type"), QStringLiteral("checkpoint")},
                                           {QStringLiteral("epoch"), static_cast<qint64>(cp.epoch)},
                                           {QStringLiteral("size"), static_cast<qint64>(cp.size)},
                                           {QStringLiteral("body"), b64(cp.body)},
                                           {QStringLiteral("signature"), b64(cp.signature)}}));
            ++summary.checkpoints;
        }
    }
    if (!out.commit())
        return Error{QStringLiteral("export.write"), QStringLiteral("cannot write %1: %2").arg(outputPath, out.errorString())};
    return summary;
}

Result<quint64> verifyFilteredExport(const QString& path, const QByteArray& trustedKeyPem, const QByteArray& anchorText)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("unreadable"), QStringLiteral("cannot read %1").arg(path)};
    return verifyFilteredExportBytes(file.readAll(), path, trustedKeyPem, anchorText);
}

Result<quint64> verifyFilteredExportBytes(const QByteArray& text, const QString& path, const QByteArray& trustedKeyPem,
                                          const QByteArray& anchorText)
{
    // Error codes are the verifier's kind names, so the command line reports them alike.
    const auto problem = [](const char* kind, const QString& message) {
        return Error{QString::fromLatin1(kind), message};
    };
    QByteArray enrolment;
    std::vector<QJsonObject> entries;
    std::vector<QJsonObject> checkpoints;
    for (const QByteArray& line : text.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString type = o.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("twinspect-audit-export"))
            enrolment = QByteArray::fromBase64(o.value(QStringLiteral("enrolment")).toString().toLatin1());
        else if (type == QLatin1String("entry"))
            entries.push_back(o);
        else if (type == QLatin1String("checkpoint"))
            checkpoints.push_back(o);
    }
    const QList<QByteArray> lines = enrolment.split('\n');
    if (lines.size() < 5 || !lines.at(4).startsWith("key "))
        return problem("unreadable", QStringLiteral("no enrolment record in %1").arg(path));
    QByteArray key = QByteArray::fromBase64(lines.at(4).mid(4));
    if (!trustedKeyPem.isEmpty()) {
        Result<crypto::Ed25519Key> trusted = crypto::Ed25519Key::fromPem(trustedKeyPem);
        if (!trusted)
            return problem("unreadable", QStringLiteral("the trusted key: ") + trusted.error().message);
        if (trusted.value().rawPublic() != key)
            return problem("wrong epoch key", QStringLiteral("the export's enrolment key is not the trusted key"));
    }
    std::map<quint64, QByteArray> bodies;
    Checkpoint last;
    bool haveLast = false;
    for (size_t k = 0; k < checkpoints.size(); ++k) {
        const QByteArray body = QByteArray::fromBase64(checkpoints[k].value(QStringLiteral("body")).toString().toLatin1());
        const QByteArray sig = QByteArray::fromBase64(checkpoints[k].value(QStringLiteral("signature")).toString().toLatin1());
        const Result<Checkpoint> cp = Checkpoint::parseBody(body);
        if (!cp)
            return problem("malformed", QStringLiteral("checkpoint line %1: %2").arg(k).arg(cp.error().message));
        if (cp.value().epoch != k)
            return problem("checkpoint deleted", QStringLiteral("checkpoint epoch %1 is missing").arg(k));
        Result<crypto::Ed25519Key> pk = crypto::Ed25519Key::fromRawPublic(key);
        if (!pk || !pk.value().verify(body, sig))
            return problem("bad signature", QStringLiteral("checkpoint epoch %1 does not verify under its epoch key").arg(k));
        if (haveLast && cp.value().size < last.size)
            return problem("modified", QStringLiteral("checkpoint epoch %1 covers fewer entries than the one before").arg(k));
        key = cp.value().nextKey;
        last = cp.value();
        haveLast = true;
        bodies.emplace(k, body);
    }
    if (!anchorText.isEmpty()) {
        const Result<SignedCheckpoint> anchor = SignedCheckpoint::parseText(anchorText);
        if (!anchor)
            return problem("unreadable", QStringLiteral("the anchor: ") + anchor.error().message);
        const Checkpoint a = Checkpoint::parseBody(anchor.value().body).value();
        const auto local = bodies.find(a.epoch);
        if (local == bodies.end())
            return problem("truncated or rolled back",
                           QStringLiteral("the anchor is checkpoint epoch %1 but the export ends before it").arg(a.epoch));
        if (local->second != anchor.value().body)
            return problem("forked", QStringLiteral("the export's checkpoint epoch %1 differs from the anchor").arg(a.epoch));
    }
    crypto::Sha256 sha;
    quint64 proven = 0;
    std::optional<quint64> previous;
    for (const QJsonObject& e : entries) {
        const quint64 seq = static_cast<quint64>(e.value(QStringLiteral("seq")).toDouble());
        const QByteArray bytes = QByteArray::fromBase64(e.value(QStringLiteral("bytes")).toString().toLatin1());
        if (embeddedSeq(bytes) != seq)
            return problem("modified", QStringLiteral("entry %1: its bytes claim another seq").arg(seq));
        if (previous && seq <= *previous)
            return problem(seq == *previous ? "inserted" : "reordered",
                           QStringLiteral("entry %1 follows entry %2: entries are out of order or repeated").arg(seq).arg(*previous));
        previous = seq;
        if (e.value(QStringLiteral("unsealed")).toBool()) {
            // Only entries after the last checkpoint may go without a proof.
            if (haveLast && seq < last.size)
                return problem("modified", QStringLiteral("entry %1 claims to be unsealed but checkpoint epoch %2 covers it")
                                               .arg(seq)
                                               .arg(last.epoch));
            continue;
        }
        std::vector<Digest> proof;
        for (const QJsonValue& p : e.value(QStringLiteral("proof")).toArray()) {
            const auto d = crypto::digestFromBytes(QByteArray::fromBase64(p.toString().toLatin1()));
            if (!d)
                return problem("malformed", QStringLiteral("entry %1: malformed proof").arg(seq));
            proof.push_back(*d);
        }
        if (!haveLast || !verifyInclusion(leafHash(sha, bytes), seq, last.size, proof, last.root))
            return problem("modified", QStringLiteral("entry %1 is not the entry checkpoint epoch %2 sealed")
                                           .arg(seq)
                                           .arg(haveLast ? last.epoch : 0));
        ++proven;
    }
    return proven;
}

} // namespace twinspect::audit
