// SPDX-License-Identifier: Apache-2.0
// Headless set-up with twinspect-admin, as a site would script it: first admin, users, roles,
// lockout and unlock; every change signed into the audit log as the admin who made it; and no
// password anywhere in the audit log, the user store, or what the command printed.
#include "audit/auditdatabase.h"
#include "audit/auditverifier.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace audit = twinspect::audit;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestTwinspectAdmin : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QByteArray m_transcript; // everything the commands printed, for the leak check

    Run admin(const QStringList& arguments, const QByteArray& input)
    {
        QProcess process;
        process.start(QStringLiteral(TWINSPECT_ADMIN), QStringList{QStringLiteral("--data-dir"), m_dir.path()} + arguments);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(60000))
            return {};
        Run run{process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
        m_transcript += run.out + run.err;
        return run;
    }

    QList<audit::EntryRow> entries(const QString& action)
    {
        QList<audit::EntryRow> rows;
        audit::AuditDatabase db;
        if (!db.open(m_dir.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly))
            return rows;
        audit::AuditDatabase::Filter filter;
        filter.action = action;
        db.forEachMatching(filter, [&](const audit::EntryRow& row) {
            rows.append(row);
            return true;
        });
        return rows;
    }

private Q_SLOTS:
    void aScriptedSetUpIsAuditedAndLeaksNoSecret()
    {
        // First admin; the initial password must be changed before any admin work.
        QCOMPARE(admin({QStringLiteral("init"), QStringLiteral("ana")}, "Plant-Admin-Pass-01\n").exitCode, 0);
        QCOMPARE(admin({QStringLiteral("init"), QStringLiteral("other")}, "Plant-Admin-Pass-09\n").exitCode, 1);
        Run r = admin({QStringLiteral("create"), QStringLiteral("eve"), QStringLiteral("engineer"), QStringLiteral("--admin"),
                       QStringLiteral("ana")},
                      "Plant-Admin-Pass-01\nEngineer-Start-77\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("change your initial password first"));
        QCOMPARE(admin({QStringLiteral("passwd"), QStringLiteral("ana")}, "Plant-Admin-Pass-01\nPlant-Admin-Pass-02\n").exitCode, 0);
        r = admin({QStringLiteral("create"), QStringLiteral("eve"), QStringLiteral("engineer"), QStringLiteral("--admin"),
                   QStringLiteral("ana")},
                  "Plant-Admin-Pass-02\nEngineer-Start-77\n");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // A policy failure is refused and recorded as a failed attempt, without the password.
        r = admin({QStringLiteral("create"), QStringLiteral("weak"), QStringLiteral("engineer"), QStringLiteral("--admin"),
                   QStringLiteral("ana")},
                  "Plant-Admin-Pass-02\npassword123\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("most common"));
        QCOMPARE(admin({QStringLiteral("set-role"), QStringLiteral("eve"), QStringLiteral("auditor"), QStringLiteral("--admin"),
                        QStringLiteral("ana")},
                       "Plant-Admin-Pass-02\n")
                     .exitCode,
                 0);
        // A wrong admin password changes nothing and is itself recorded.
        QCOMPARE(admin({QStringLiteral("disable"), QStringLiteral("eve"), QStringLiteral("--admin"), QStringLiteral("ana")},
                       "Wrong-Password-00\n")
                     .exitCode,
                 1);
        QCOMPARE(admin({QStringLiteral("unlock"), QStringLiteral("eve"), QStringLiteral("--admin"), QStringLiteral("ana")},
                       "Plant-Admin-Pass-02\n")
                     .exitCode,
                 0);
        const Run list = admin({QStringLiteral("list")}, {});
        QVERIFY(list.out.contains("eve") && list.out.contains("auditor") && list.out.contains("must change password"));

        // Each change is in the log, by the admin, sealed and verifiable.
        QCOMPARE(entries(QStringLiteral("user.create")).size(), 3); // ana, eve, and the refused one
        const auto roles = entries(QStringLiteral("user.role_change"));
        QCOMPARE(roles.size(), 1);
        QCOMPARE(roles.first().operatorName, QStringLiteral("ana"));
        QVERIFY(roles.first().body.contains("\"from\":\"engineer\"") && roles.first().body.contains("\"to\":\"auditor\""));
        QCOMPARE(entries(QStringLiteral("session.login_failed")).size(), 1);
        QCOMPARE(entries(QStringLiteral("session.unlock")).size(), 1);
        const audit::VerifyReport report = audit::verifyDatabase(m_dir.filePath(QStringLiteral("audit.db")), {});
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QCOMPARE(report.unsealedTail, 0ULL);

        // The secret-leak check: no password, in any file of the data folder or in any output.
        const QList<QByteArray> secrets{"Plant-Admin-Pass-01", "Plant-Admin-Pass-02", "Engineer-Start-77",
                                        "Wrong-Password-00", "password123"};
        QDirIterator files(m_dir.path(), QDir::Files);
        int checked = 0;
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray content = file.readAll();
            for (const QByteArray& secret : secrets)
                QVERIFY2(!content.contains(secret), qPrintable(file.fileName() + QStringLiteral(" holds a password")));
            ++checked;
        }
        QVERIFY(checked >= 4); // users.db, audit.db, its key, the enrolment key (and WAL files)
        for (const QByteArray& secret : secrets)
            QVERIFY2(!m_transcript.contains(secret), "a command printed a password");
    }
};

QTEST_GUILESS_MAIN(TestTwinspectAdmin)
#include "tst_twinspect_admin.moc"
