// SPDX-License-Identifier: Apache-2.0
// The audit log as the workstation uses it: group commit, sealing within a second, key rotation,
// reopening, and failing closed when the disk is full, read-only or the key is gone.
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "audit/keystore.h"
#include "auditfixture.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace twinspect::audit;

namespace {

AuditLog::Options optionsFor(const QString& path)
{
    AuditLog::Options options;
    options.databasePath = path;
    options.origin = QStringLiteral("twinspect/test");
    return options;
}

bool waitForState(const AuditLog& log, AuditLog::State state, int timeoutMs)
{
    return QTest::qWaitFor([&] { return log.state() == state; }, timeoutMs);
}

bool run(const QString& program, const QStringList& arguments)
{
    return QProcess::execute(program, arguments) == 0;
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void enrolsWithAPrivateKeyFileAndAnExportedPublicKey()
    {
        const QString db = path("enrol.db");
        {
            AuditLog log(optionsFor(db));
            QVERIFY(log.waitOpened(10000));
            QVERIFY2(log.isWritable(), qPrintable(log.problem()));
            QVERIFY(log.enrolmentPublicKeyPem().startsWith("-----BEGIN PUBLIC KEY-----"));
        }
        QFileInfo key(db + QStringLiteral(".key"));
        QVERIFY(key.exists());
        QCOMPARE(key.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        QVERIFY(QFileInfo::exists(db + QStringLiteral(".enrolment.pem")));
        // The private key is nowhere in the database file.
        QFile keyFile(db + QStringLiteral(".key"));
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const QByteArray pem = keyFile.readAll();
        const QByteArray base64Line = pem.split('\n').at(3);
        QFile dbFile(db);
        QVERIFY(dbFile.open(QIODevice::ReadOnly));
        QVERIFY(!dbFile.readAll().contains(base64Line));
    }

    void groupCommitSealsWithinASecondAndRotatesKeys()
    {
        const QString db = path("seal.db");
        AuditLog log(optionsFor(db));
        QVERIFY(log.waitOpened(10000));
        QSignalSpy sealed(&log, &AuditLog::sealed);
        for (int i = 0; i < 5000; ++i)
            QVERIFY(log.append(twinspect::test::noteEvent(i)));
        // Nobody asks for a seal: the writer seals on its own within about a second.
        QTRY_VERIFY_WITH_TIMEOUT(log.sealedCount() >= 5001, 3000);
        const quint64 epochsBefore = sealed.size();
        QVERIFY(epochsBefore >= 1);
        // Each checkpoint rotated the key: the key file now holds the next epoch.
        const auto key = KeyStore(db + QStringLiteral(".key")).load();
        QVERIFY(key.ok());
        QCOMPARE(key.value().epoch, sealed.last().at(1).toULongLong() + 1);
        QVERIFY(!QFile::exists(db + QStringLiteral(".key.next")));
    }

    void reopeningContinuesTheSameChain()
    {
        const QString db = path("reopen.db");
        QVERIFY(twinspect::test::buildLog(db, 50, 2));
        QVERIFY(twinspect::test::buildLog(db, 50, 3)); // a second session appends 50 more
        const VerifyReport report = verifyDatabase(db, {});
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QCOMPARE(report.entries, quint64(101)); // the enrolment entry plus 100 notes
    }

    void refusesActionsOutsideTheCatalogue()
    {
        AuditLog log(optionsFor(path("catalogue.db")));
        QVERIFY(log.waitOpened(10000));
        twinspect::audit::AuditEvent e = twinspect::test::noteEvent(1);
        e.action = QStringLiteral("made.up");
        QVERIFY(!log.append(e));
    }

    void aCrashDuringKeyRotationIsRepairedOnOpen()
    {
        const QString db = path("rotation.db");
        QVERIFY(twinspect::test::buildLog(db, 10, 1));
        // Simulate a crash after the checkpoint committed but before the key file was replaced:
        // put the previous epoch's key back and the current one beside it as ".next".
        const QString keyPath = db + QStringLiteral(".key");
        const KeyStore store(keyPath);
        auto current = store.load();
        QVERIFY(current.ok());
        QVERIFY(QFile::rename(keyPath, keyPath + QStringLiteral(".next")));
        QVERIFY(store.write(EpochKey{current.value().epoch - 1, twinspect::crypto::Ed25519Key::generate()}).ok());
        AuditLog log(optionsFor(db));
        QVERIFY(log.waitOpened(10000));
        QVERIFY2(log.isWritable(), qPrintable(log.problem()));
        QVERIFY(log.append(twinspect::test::noteEvent(99)));
        QVERIFY(log.waitSealed(5000));
        QVERIFY(verifyDatabase(db, {}).intact());
    }

    void aWrongKeyFileFailsClosed()
    {
        const QString db = path("wrongkey.db");
        QVERIFY(twinspect::test::buildLog(db, 10, 1));
        QVERIFY(KeyStore(db + QStringLiteral(".key")).write(EpochKey{0, twinspect::crypto::Ed25519Key::generate()}).ok());
        AuditLog log(optionsFor(db));
        QVERIFY(log.waitOpened(10000));
        QCOMPARE(log.state(), AuditLog::State::Failed);
        QVERIFY(log.problem().contains(QStringLiteral("epoch")));
        QVERIFY(!log.append(twinspect::test::noteEvent(1)));
    }

    void aMissingKeyIsNoticedWithinASecond()
    {
        const QString db = path("nokey.db");
        AuditLog log(optionsFor(db));
        QVERIFY(log.waitOpened(10000));
        QVERIFY(log.append(twinspect::test::noteEvent(1)));
        QVERIFY(log.waitSealed(5000));
        QVERIFY(QFile::remove(db + QStringLiteral(".key")));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(waitForState(log, AuditLog::State::Failed, 2000));
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(log.problem().contains(QStringLiteral("key file")));
        QVERIFY(!log.append(twinspect::test::noteEvent(2)));
        // What was committed is still there and verifies.
        QVERIFY(verifyDatabase(db, {}).intact());
    }

    void aFullDiskFailsClosedLosesNothingAndRecordsTheGap()
    {
        // A real full file system: a 1 MiB tmpfs (needs root, as the test command runs).
        const QString mount = path("small-fs");
        QDir().mkpath(mount);
        if (!run(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                          QStringLiteral("size=1m"), QStringLiteral("tmpfs"), mount}))
            QSKIP("mounting a small tmpfs needs root; scripts/test.sh runs as root");
        const auto unmount = qScopeGuard([&] { run(QStringLiteral("umount"), {QStringLiteral("-l"), mount}); });
        const QString db = mount + QStringLiteral("/audit.db");
        {
            AuditLog log(optionsFor(db));
            QVERIFY(log.waitOpened(10000));
            QVERIFY(log.append(twinspect::test::noteEvent(0)));
            QVERIFY(log.waitSealed(5000));
            const quint64 before = log.committedCount();

            // Fill the file system to the last byte.
            QFile filler(mount + QStringLiteral("/filler"));
            QVERIFY(filler.open(QIODevice::WriteOnly));
            const QByteArray block(4096, 'x');
            while (filler.write(block) == block.size() && filler.flush()) {
            }
            filler.close();

            int accepted = 0;
            for (int i = 1; i < 2000 && log.state() == AuditLog::State::Ready; ++i) {
                accepted += log.append(twinspect::test::noteEvent(i)) ? 1 : 0;
                QTest::qWait(1);
            }
            QVERIFY2(waitForState(log, AuditLog::State::Failed, 3000), "a full disk must be reported");
            QVERIFY(!log.append(twinspect::test::noteEvent(5000))); // fail closed
            QVERIFY(!log.append(twinspect::test::noteEvent(5001)));

            // Space comes back: the kept events are written, then the gap is recorded.
            QVERIFY(QFile::remove(mount + QStringLiteral("/filler")));
            QVERIFY2(waitForState(log, AuditLog::State::Ready, 5000), qPrintable(log.problem()));
            QVERIFY(log.waitSealed(5000));
            QCOMPARE(log.committedCount(), before + quint64(accepted) + 1); // + the audit.gap entry
        }
        VerifyReport report = verifyDatabase(db, {});
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        AuditDatabase reader;
        QVERIFY(reader.open(db, AuditDatabase::Mode::ReadOnly).ok());
        AuditDatabase::Filter gaps;
        gaps.action = QStringLiteral("audit.gap");
        int gapEntries = 0;
        QByteArray gapBody;
        reader.forEachMatching(gaps, [&](const EntryRow& row) {
            ++gapEntries;
            gapBody = row.body;
            return true;
        });
        QCOMPARE(gapEntries, 1);
        QVERIFY2(gapBody.contains("\"refused\":2"), gapBody.constData());
    }

    void aReadOnlyFileSystemFailsClosedButStillVerifies()
    {
        // Linux refuses to remount read-only while the log holds files open for writing, so this
        // is the case met in the field: the file system is read-only when the workstation starts.
        const QString mount = path("ro-fs");
        QDir().mkpath(mount);
        if (!run(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                          QStringLiteral("size=4m"), QStringLiteral("tmpfs"), mount}))
            QSKIP("mounting a tmpfs needs root; scripts/test.sh runs as root");
        const auto unmount = qScopeGuard([&] { run(QStringLiteral("umount"), {QStringLiteral("-l"), mount}); });
        const QString db = mount + QStringLiteral("/audit.db");
        QVERIFY(twinspect::test::buildLog(db, 20, 2));
        QVERIFY(run(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("remount,ro"), mount}));
        {
            AuditLog log(optionsFor(db));
            QVERIFY(log.waitOpened(10000));
            QCOMPARE(log.state(), AuditLog::State::Failed);
            QVERIFY2(!log.problem().isEmpty(), "the reason is reported");
            QVERIFY(!log.append(twinspect::test::noteEvent(1)));
        }
        const VerifyReport report = verifyDatabase(db, {});
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QVERIFY(run(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("remount,rw"), mount}));
        AuditLog log(optionsFor(db));
        QVERIFY(log.waitOpened(10000));
        QVERIFY2(log.isWritable(), qPrintable(log.problem()));
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
