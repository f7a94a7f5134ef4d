// SPDX-License-Identifier: Apache-2.0
// Crash safety: a child appends as fast as it can and is killed with SIGKILL at random moments,
// many times over one log. Every entry it was told was committed must survive, the log must
// verify, and the next run must carry on (including after a kill in the middle of a key rotation).
#include "audit/auditlog.h"
#include "audit/auditverifier.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestAuditCrash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killedWritersLoseNothingThatWasCommitted()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("crash.db"));
        QRandomGenerator random(20261126);
        quint64 promised = 0;
        constexpr int kRounds = 25;
        for (int round = 0; round < kRounds; ++round) {
            QProcess child;
            child.start(QStringLiteral(AUDIT_CRASH_CHILD), {db});
            QVERIFY(child.waitForStarted(5000));
            QVERIFY2(child.waitForReadyRead(10000), qPrintable(QString::fromUtf8(child.readAllStandardError())));
            QTest::qWait(20 + int(random.bounded(250)));
            ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
            QVERIFY(child.waitForFinished(5000));
            for (const QByteArray& line : child.readAllStandardOutput().split('\n')) {
                if (line.startsWith("committed "))
                    promised = std::max(promised, line.mid(10).toULongLong());
                else if (line.startsWith("cannot open"))
                    QFAIL(line.constData());
            }
            QVERIFY2(child.exitStatus() == QProcess::CrashExit, "the child was killed, not finished");
            const twinspect::audit::VerifyReport report = twinspect::audit::verifyDatabase(db, {});
            QVERIFY2(report.intact(), qPrintable(QStringLiteral("round %1:\n").arg(round) + report.summary()));
            QVERIFY2(report.entries >= promised,
                     qPrintable(QStringLiteral("round %1: %2 entries, %3 promised").arg(round).arg(report.entries).arg(promised)));
        }
        QVERIFY2(promised > 1000, "the writer was really writing");
        // And the log can still be continued by a normal writer.
        twinspect::audit::AuditLog::Options options;
        options.databasePath = db;
        twinspect::audit::AuditLog log(options);
        QVERIFY(log.waitOpened(10000));
        QVERIFY2(log.isWritable(), qPrintable(log.problem()));
        QVERIFY(log.waitSealed(5000));
        QVERIFY(twinspect::audit::verifyDatabase(db, {}).intact());
    }
};

QTEST_GUILESS_MAIN(TestAuditCrash)
#include "tst_auditcrash.moc"
