// SPDX-License-Identifier: Apache-2.0
// Sessions: first run, login and its failures, idle lock with an injected clock, who may unlock,
// electronic signatures sealed before they are reported done, and no password in the log.
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "identity/session.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;
using identity::Permission;
using identity::SessionManager;

namespace {
const QString kAdminPass = QStringLiteral("Plant-Admin-Pass-01");
const QString kEngineerPass = QStringLiteral("Engineer-Start-77");
} // namespace

class TestSession : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    qint64 m_now = 1764115200000;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<SessionManager> m_session;

    QList<audit::EntryRow> entries(const QString& action)
    {
        m_log->waitSealed(5000);
        QList<audit::EntryRow> rows;
        audit::AuditDatabase db;
        db.open(m_dir.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly);
        audit::AuditDatabase::Filter f;
        f.action = action;
        db.forEachMatching(f, [&](const audit::EntryRow& r) {
            rows.append(r);
            return true;
        });
        return rows;
    }

    bool login(const QString& name, const QString& password)
    {
        QSignalSpy finished(m_session.get(), &SessionManager::loginFinished);
        m_session->login(name, password);
        return finished.wait(10000) && finished.first().at(0).toBool();
    }

    bool unlock(const QString& name, const QString& password)
    {
        QSignalSpy finished(m_session.get(), &SessionManager::unlockFinished);
        m_session->unlock(name, password);
        return finished.wait(10000) && finished.first().at(0).toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        audit::AuditLog::Options logOptions;
        logOptions.databasePath = m_dir.filePath(QStringLiteral("audit.db"));
        m_log = std::make_unique<audit::AuditLog>(logOptions);
        QVERIFY(m_log->waitOpened(10000));
        SessionManager::Options options;
        options.users.path = m_dir.filePath(QStringLiteral("users.db"));
        options.users.scrypt = {12, 8, 1};
        options.users.clock = [this] { return m_now; };
        options.clock = [this] { return m_now; };
        m_session = std::make_unique<SessionManager>(options, m_log.get());
    }

    void firstRunCreatesTheFirstAdmin()
    {
        QVERIFY(!m_session->hasUsers());
        QSignalSpy finished(m_session.get(), &SessionManager::loginFinished);
        m_session->createFirstAdmin(QStringLiteral("ana"), kAdminPass);
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().at(0).toBool());
        QCOMPARE(m_session->state(), SessionManager::State::Active);
        QCOMPARE(m_session->user()->role, identity::Role::Admin);
        QVERIFY(m_session->can(Permission::ManageUsers));
        QVERIFY(!m_session->can(Permission::AcknowledgeAlarm)); // admins do not operate
        QCOMPARE(entries(QStringLiteral("user.create")).size(), 1);
        QCOMPARE(entries(QStringLiteral("session.login")).size(), 1);
        // A second first run is refused.
        m_session->logout();
        QSignalSpy again(m_session.get(), &SessionManager::loginFinished);
        m_session->createFirstAdmin(QStringLiteral("mallory"), kAdminPass);
        QVERIFY(again.wait(10000));
        QVERIFY(!again.first().at(0).toBool());
    }

    void aFailedLoginSaysNothingAndLogsNoTypedSecret()
    {
        {
            identity::UserStore store(identity::UserStore::Options{m_dir.filePath(QStringLiteral("users.db")), {}, {}, {12, 8, 1}, {}});
            QVERIFY(store.open().ok());
            QVERIFY(store.createUser(QStringLiteral("eve"), identity::Role::Engineer, kEngineerPass).ok());
        }
        QSignalSpy finished(m_session.get(), &SessionManager::loginFinished);
        // Someone types their password into the name field.
        m_session->login(QStringLiteral("Eve-Secret-Typed-In-Name"), QStringLiteral("x"));
        QVERIFY(finished.wait(10000));
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("unknown user or wrong password")));
        const auto failures = entries(QStringLiteral("session.login_failed"));
        QVERIFY(!failures.isEmpty());
        QVERIFY(failures.last().operatorName.startsWith(QStringLiteral("(unknown user ")));
        QVERIFY(!failures.last().body.contains("Eve-Secret-Typed-In-Name"));
        QCOMPARE(m_session->state(), SessionManager::State::LoggedOut);
    }

    void initialPasswordsMustBeChanged()
    {
        QSignalSpy finished(m_session.get(), &SessionManager::loginFinished);
        m_session->login(QStringLiteral("eve"), kEngineerPass);
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().at(0).toBool());
        QVERIFY(finished.first().at(2).toBool()); // must change
        QSignalSpy changed(m_session.get(), &SessionManager::passwordChangeFinished);
        m_session->changePassword(kEngineerPass, QStringLiteral("Own-Choice-Pass-88"));
        QVERIFY(changed.wait(10000));
        QVERIFY2(changed.first().at(0).toBool(), qPrintable(changed.first().at(1).toString()));
        QVERIFY(!m_session->user()->mustChangePassword);
    }

    void idleLockAfterTenMinutesBlocksEverything()
    {
        QCOMPARE(m_session->state(), SessionManager::State::Active);
        m_now += 9 * 60 * 1000;
        m_session->checkIdle();
        QCOMPARE(m_session->state(), SessionManager::State::Active);
        m_session->noteActivity();
        m_now += 10 * 60 * 1000;
        m_session->checkIdle();
        QCOMPARE(m_session->state(), SessionManager::State::Locked);
        for (const Permission p : identity::allPermissions())
            QVERIFY(!m_session->can(p));
        QVERIFY(entries(QStringLiteral("session.lock")).last().body.contains("idle for 600 s"));
    }

    void onlyTheSameUserOrAnAdminUnlocks()
    {
        {
            identity::UserStore store(identity::UserStore::Options{m_dir.filePath(QStringLiteral("users.db")), {}, {}, {12, 8, 1}, {}});
            QVERIFY(store.open().ok());
            QVERIFY(store.createUser(QStringLiteral("otto"), identity::Role::Engineer, QStringLiteral("Other-User-Pass-5")).ok());
        }
        QVERIFY(!unlock(QStringLiteral("otto"), QStringLiteral("Other-User-Pass-5")));
        QCOMPARE(m_session->state(), SessionManager::State::Locked);
        QVERIFY(!unlock(QStringLiteral("eve"), QStringLiteral("wrong-password-1")));
        QVERIFY(unlock(QStringLiteral("ana"), kAdminPass)); // an admin may
        QCOMPARE(m_session->user()->name, QStringLiteral("eve")); // still eve's session
        m_session->lock();                                       // Ctrl+L
        QVERIFY(unlock(QStringLiteral("eve"), QStringLiteral("Own-Choice-Pass-88")));
        QVERIFY(entries(QStringLiteral("session.unlock")).first().body.contains("unlocked by admin ana"));
    }

    void anElectronicSignatureIsSealedBeforeItIsDone()
    {
        audit::AuditEvent ack;
        ack.action = QStringLiteral("note"); // alarms arrive later; any audited action can be signed
        ack.target = QStringLiteral("alarm TK01 level high");
        const QByteArray signedContent = "acknowledge alarm TK01/LSH01 raised 2026-11-26T01:00:00Z";

        bool ok = true;
        QString message;
        bool called = false;
        // The first signature of a session needs the user id too.
        QVERIFY(m_session->signatureNeedsUserId());
        m_session->sign(Permission::AcknowledgeAlarm, ack, signedContent, QStringLiteral("Own-Choice-Pass-88"),
                        QStringLiteral("acknowledged"), [&](bool o, const QString& m) {
                            ok = o;
                            message = m;
                            called = true;
                        });
        QVERIFY(called);
        QVERIFY(!ok);
        QVERIFY(message.contains(QStringLiteral("user id")));
        called = false;
        m_session->sign(Permission::AcknowledgeAlarm, ack, signedContent, QStringLiteral("wrong-password-2"),
                        QStringLiteral("acknowledged"), [&](bool o, const QString& m) {
                            ok = o;
                            message = m;
                            called = true;
                        }, QStringLiteral("eve"));
        QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
        QVERIFY(!ok);
        QVERIFY(message.contains(QStringLiteral("wrong password")));

        called = false;
        const quint64 sealedBefore = m_log->sealedCount();
        m_session->sign(Permission::AcknowledgeAlarm, ack, signedContent, QStringLiteral("Own-Choice-Pass-88"),
                        QStringLiteral("acknowledged"), [&](bool o, const QString& m) {
                            ok = o;
                            message = m;
                            called = true;
                            QVERIFY(m_log->sealedCount() > sealedBefore); // sealed when reported
                        }, QStringLiteral("eve"));
        QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
        QVERIFY2(ok, qPrintable(message));
        QVERIFY(!m_session->signatureNeedsUserId()); // later signatures: the password alone
        const auto signedEntries = entries(QStringLiteral("note"));
        QCOMPARE(signedEntries.size(), 1);
        const auto record = audit::parseEntry(signedEntries.first().body).value();
        QCOMPARE(record.event.esignature->printedName, QStringLiteral("eve"));
        QCOMPARE(record.event.esignature->meaning, QStringLiteral("acknowledged"));
        QCOMPARE(record.event.esignature->signedHashHex,
                 QString::fromLatin1(crypto::toBytes(crypto::Sha256::hash(signedContent)).toHex()));
        QCOMPARE(entries(QStringLiteral("esign")).size(), 2); // the two failed attempts
    }

    void aRoleWithoutThePermissionCannotSign()
    {
        bool ok = true;
        bool called = false;
        m_session->sign(Permission::ManageUsers, audit::AuditEvent{}, "x", QStringLiteral("Own-Choice-Pass-88"),
                        QStringLiteral("approval"), [&](bool o, const QString&) {
                            ok = o;
                            called = true;
                        });
        QVERIFY(called);
        QVERIFY(!ok);
    }

    void logoutEndsTheSessionAndNoPasswordIsStoredAnywhere()
    {
        m_session->logout();
        QCOMPARE(m_session->state(), SessionManager::State::LoggedOut);
        QVERIFY(!m_session->user());
        QCOMPARE(entries(QStringLiteral("session.logout")).size(), 2);
        QVERIFY(audit::verifyDatabase(m_dir.filePath(QStringLiteral("audit.db")), {}).intact());
        const QList<QByteArray> secrets{kAdminPass.toUtf8(), kEngineerPass.toUtf8(), "Own-Choice-Pass-88",
                                        "Other-User-Pass-5", "wrong-password-1", "wrong-password-2",
                                        "Eve-Secret-Typed-In-Name"};
        QDirIterator files(m_dir.path(), QDir::Files);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray content = file.readAll();
            for (const QByteArray& secret : secrets)
                QVERIFY2(!content.contains(secret), qPrintable(file.fileName() + QStringLiteral(" holds ") + QString::fromUtf8(secret)));
        }
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
