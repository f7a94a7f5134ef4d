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

Result<quint64> verifyFilteredExport(const QString& path, const QByteArray& trustedKeyPem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("export.read"), QStringLiteral("cannot read %1").arg(path)};
    QByteArray enrolment;
    std::vector<QJsonObject> entries;
    std::vector<QJsonObject> checkpoints;
    while (!file.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
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
        return Error{QStringLiteral("export.format"), QStringLiteral("no enrolment record in %1").arg(path)};
    QByteArray key = QByteArray::fromBase64(lines.at(4).mid(4));
    if (!trustedKeyPem.isEmpty()) {
        Result<crypto::Ed25519Key> trusted = crypto::Ed25519Key::fromPem(trustedKeyPem);
        if (!trusted || trusted.value().rawPublic() != key)
            return Error{QStringLiteral("export.key"), QStringLiteral("the export's enrolment key is not the trusted key")};
    }
    Checkpoint last;
    for (size_t k = 0; k < checkpoints.size(); ++k) {
        const QByteArray body = QByteArray::fromBase64(checkpoints[k].value(QStringLiteral("body")).toString().toLatin1());
        const QByteArray sig = QByteArray::fromBase64(checkpoints[k].value(QStringLiteral("signature")).toString().toLatin1());
        const Result<Checkpoint> cp = Checkpoint::parseBody(body);
        Result<crypto::Ed25519Key> pk = crypto::Ed25519Key::fromRawPublic(key);
        if (!cp || cp.value().epoch != k || !pk || !pk.value().verify(body, sig))
            return Error{QStringLiteral("export.checkpoint"), QStringLiteral("checkpoint epoch %1 does not verify").arg(k)};
        key = cp.value().nextKey;
        last = cp.value();
    }
    crypto::Sha256 sha;
    quint64 proven = 0;
    for (const QJsonObject& e : entries) {
        if (e.value(QStringLiteral("unsealed")).toBool())
            continue;
        const quint64 seq = static_cast<quint64>(e.value(QStringLiteral("seq")).toDouble());
        const QByteArray bytes = QByteArray::fromBase64(e.value(QStringLiteral("bytes")).toString().toLatin1());
        std::vector<Digest> proof;
        for (const QJsonValue& p : e.value(QStringLiteral("proof")).toArray()) {
            const auto d = crypto::digestFromBytes(QByteArray::fromBase64(p.toString().toLatin1()));
            if (!d)
                return Error{QStringLiteral("export.proof"), QStringLiteral("entry %1: malformed proof").arg(seq)};
            proof.push_back(*d);
        }
        if (embeddedSeq(bytes) != seq || !verifyInclusion(leafHash(sha, bytes), seq, last.size, proof, last.root))
            return Error{QStringLiteral("export.proof"),
                         QStringLiteral("entry %1 is not included in checkpoint epoch %2").arg(seq).arg(last.epoch)};
        ++proven;
    }
    return proven;
}

} // namespace twinspect::audit
