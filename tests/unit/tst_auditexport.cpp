// SPDX-License-Identifier: Apache-2.0
// Exports: an unfiltered JSONL export verifies like the log, a filtered one by inclusion proofs,
// tampering with either is named; and a third party verifies a real export without Twinspect,
// with Python's cryptography and with the openssl command line.
#include "audit/auditentry.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "audit/checkpoint.h"
#include "auditfixture.h"

#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect::audit;
using Kind = VerifyProblem::Kind;

namespace {

QList<QByteArray> readLines(const QString& path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    QList<QByteArray> lines = file.readAll().split('\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

QString writeLines(const QString& path, const QList<QByteArray>& lines)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    for (const QByteArray& line : lines)
        file.write(line + '\n');
    return path;
}

struct Run
{
    int exitCode = -1;
    QString output;
};

Run runTool(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(60000))
        return {};
    return Run{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
               QString::fromUtf8(process.readAll())};
}

} // namespace

class TestAuditExport : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_log;
    QString m_export;
    QString m_filtered;
    QString m_pem;

    QString file(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        m_log = file("log.db");
        QVERIFY(twinspect::test::buildLog(m_log, 240, 4));
        {
            // Characters outside the BMP survive as UTF-8 in the exact bytes.
            AuditLog::Options options;
            options.databasePath = m_log;
            AuditLog log(options);
            QVERIFY(log.waitOpened(10000));
            AuditEvent e = twinspect::test::noteEvent(999);
            e.reason = QStringLiteral("valve 𝄞 ok ✓");
            QVERIFY(log.append(e));
            QVERIFY(log.waitSealed(5000));
        }
        m_pem = m_log + QStringLiteral(".enrolment.pem");
        m_export = file("all.jsonl");
        m_filtered = file("filtered.jsonl");
        QVERIFY(exportLog(m_log, m_export, ExportFormat::Jsonl, {}).ok());
        AuditDatabase::Filter filter;
        filter.operatorName = QStringLiteral("operator2");
        const auto summary = exportLog(m_log, m_filtered, ExportFormat::Jsonl, filter);
        QVERIFY(summary.ok());
        QVERIFY(summary.value().filtered);
        QVERIFY(summary.value().entries > 20);
    }

    void exactBytesKeepCharactersOutsideTheBmp()
    {
        AuditDatabase db;
        QVERIFY(db.open(m_log, AuditDatabase::Mode::ReadOnly).ok());
        bool found = false;
        db.forEachEntry(0, [&](const EntryRow& row) {
            if (row.body.contains(QStringLiteral("𝄞").toUtf8())) {
                found = parseEntry(row.body).value().event.reason == QStringLiteral("valve 𝄞 ok ✓");
                return false;
            }
            return true;
        });
        QVERIFY(found);
    }

    void anUnfilteredExportVerifiesOnItsOwn()
    {
        VerifyOptions options;
        options.trustedKeyPem = readLines(m_pem).join('\n') + '\n';
        const VerifyReport report = verifyExport(m_export, options);
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QCOMPARE(report.entries, quint64(242));
    }

    void tamperedExportsAreNamed_data()
    {
        QTest::addColumn<int>("change");
        QTest::addColumn<int>("kind");
        QTest::newRow("edited bytes") << 0 << int(Kind::Modified);
        QTest::newRow("dropped line") << 1 << int(Kind::Deleted);
        QTest::newRow("swapped lines") << 2 << int(Kind::Reordered);
        QTest::newRow("duplicated line") << 3 << int(Kind::Inserted);
        QTest::newRow("forged signature") << 4 << int(Kind::BadSignature);
    }

    void tamperedExportsAreNamed()
    {
        QFETCH(int, change);
        QFETCH(int, kind);
        QList<QByteArray> lines = readLines(m_export);
        const int e = 50; // line 0 is the header; line 50 holds entry 49
        switch (change) {
        case 0: {
            QJsonObject entry = QJsonDocument::fromJson(lines[e]).object();
            QByteArray bytes = QByteArray::fromBase64(entry.value(QStringLiteral("bytes")).toString().toLatin1());
            QVERIFY(bytes.contains("routine"));
            entry.insert(QStringLiteral("bytes"), QString::fromLatin1(bytes.replace("routine", "ROUTINE").toBase64()));
            lines[e] = QJsonDocument(entry).toJson(QJsonDocument::Compact);
            break;
        }
        case 1:
            lines.removeAt(e);
            break;
        case 2:
            lines.swapItemsAt(e, e + 1);
            break;
        case 3:
            lines.insert(e, lines[e]);
            break;
        case 4: {
            QByteArray& last = lines.last(); // the newest checkpoint
            const qsizetype at = last.indexOf("\"signature\":\"") + 14;
            last[at] = last[at] == 'A' ? 'B' : 'A';
            break;
        }
        }
        const VerifyReport report = verifyExport(writeLines(file("tampered.jsonl"), lines), {});
        QVERIFY2(report.problem && int(report.problem->kind) == kind, qPrintable(report.summary()));
    }

    void aFilteredExportProvesEachEntry()
    {
        const auto proven = verifyFilteredExport(m_filtered, readLines(m_pem).join('\n') + '\n');
        QVERIFY2(proven.ok(), qPrintable(proven.ok() ? QString() : proven.error().message));
        QVERIFY(proven.value() > 20);
    }

    void aTamperedFilteredExportIsNamed_data()
    {
        QTest::addColumn<int>("change");
        QTest::addColumn<QString>("kind");
        QTest::newRow("edited bytes") << 0 << QStringLiteral("modified");
        QTest::newRow("proof dropped, marked unsealed") << 1 << QStringLiteral("modified");
        QTest::newRow("swapped lines") << 2 << QStringLiteral("reordered");
    }

    void aTamperedFilteredExportIsNamed()
    {
        QFETCH(int, change);
        QFETCH(QString, kind);
        QList<QByteArray> lines = readLines(m_filtered);
        QByteArray& line = lines[3];
        QJsonObject entry = QJsonDocument::fromJson(line).object();
        if (change == 0) {
            QByteArray bytes = QByteArray::fromBase64(entry.value(QStringLiteral("bytes")).toString().toLatin1());
            entry.insert(QStringLiteral("bytes"), QString::fromLatin1(bytes.replace("routine", "ROUTINE").toBase64()));
        } else if (change == 1) {
            QByteArray bytes = QByteArray::fromBase64(entry.value(QStringLiteral("bytes")).toString().toLatin1());
            entry.insert(QStringLiteral("bytes"), QString::fromLatin1(bytes.replace("routine", "ROUTINE").toBase64()));
            entry.remove(QStringLiteral("proof"));
            entry.insert(QStringLiteral("unsealed"), true);
        }
        line = QJsonDocument(entry).toJson(QJsonDocument::Compact);
        if (change == 2)
            lines.swapItemsAt(3, 4);
        const auto result = verifyFilteredExport(writeLines(file("filtered-tampered.jsonl"), lines), {});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, kind);
    }

    void csvExportIsForPeople()
    {
        const QString csv = file("log.csv");
        QVERIFY(exportLog(m_log, csv, ExportFormat::Csv, {}).ok());
        const QList<QByteArray> lines = readLines(csv);
        QCOMPARE(lines.size(), 243); // header + 242 entries
        QVERIFY(lines.first().startsWith("seq,time,origin,operator"));
        QVERIFY(lines.last().contains(QStringLiteral("valve 𝄞 ok ✓").toUtf8()));
    }

    void aThirdPartyVerifiesWithPythonCryptography()
    {
        const QString script = QStringLiteral(TWINSPECT_SOURCE_DIR "/tools/verify_audit_export.py");
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"), {QStringLiteral("/usr/bin")});
        QVERIFY2(!python.isEmpty(), "python3 is installed by the test command");
        const Run intact = runTool(python, {script, m_export, QStringLiteral("--pubkey"), m_pem});
        QVERIFY2(intact.exitCode == 0 && intact.output.contains(QStringLiteral("INTACT")), qPrintable(intact.output));
        const Run filtered = runTool(python, {script, m_filtered, QStringLiteral("--pubkey"), m_pem});
        QVERIFY2(filtered.exitCode == 0, qPrintable(filtered.output));
        QList<QByteArray> lines = readLines(m_export);
        lines.swapItemsAt(30, 31);
        const Run tampered = runTool(python, {script, writeLines(file("py-tampered.jsonl"), lines)});
        QVERIFY2(tampered.exitCode == 1 && tampered.output.contains(QStringLiteral("reordered")), qPrintable(tampered.output));
    }

    void aThirdPartyVerifiesCheckpointsWithOpensslAlone()
    {
        const QString script = QStringLiteral(TWINSPECT_SOURCE_DIR "/tools/verify_checkpoint_openssl.sh");
        const Run intact = runTool(QStringLiteral("bash"), {script, m_pem, m_export});
        QVERIFY2(intact.exitCode == 0, qPrintable(intact.output));
        QList<QByteArray> lines = readLines(m_export);
        QByteArray& last = lines.last();
        const qsizetype at = last.indexOf("\"signature\":\"") + 14;
        last[at] = last[at] == 'A' ? 'B' : 'A';
        const Run tampered = runTool(QStringLiteral("bash"), {script, m_pem, writeLines(file("ossl-tampered.jsonl"), lines)});
        QVERIFY2(tampered.exitCode != 0, qPrintable(tampered.output));
    }
};

QTEST_GUILESS_MAIN(TestAuditExport)
#include "tst_auditexport.moc"
