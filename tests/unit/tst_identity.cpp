// SPDX-License-Identifier: Apache-2.0
// Passwords and accounts: scrypt parameters stored and honoured, the policy rules, lockout timing
// with an injected clock, history, and the rule that users are never deleted.
#include "identity/passwordhash.h"
#include "identity/passwordpolicy.h"
#include "identity/userstore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect::identity;

namespace {
// Cheap parameters keep the suite fast; the defaults (2^17) are checked separately.
const ScryptParameters kFast{12, 8, 1};
const QString kGood = QStringLiteral("Valve-Lineup-2026");
} // namespace

class TestIdentity : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    qint64 m_now = 1764115200000;
    int m_db = 0;

    UserStore::Options options()
    {
        UserStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("users%1.db").arg(++m_db));
        o.scrypt = kFast;
        o.clock = [this] { return m_now; };
        return o;
    }

private Q_SLOTS:
    void defaultsAreOwaspsMinimum()
    {
        const ScryptParameters defaults;
        QCOMPARE(defaults.logN, 17);
        QCOMPARE(defaults.r, 8);
        QCOMPARE(defaults.p, 1);
        QCOMPARE(PasswordPolicyOptions().minLength, 12);
        QCOMPARE(LockoutPolicy().maxFailures, 5);
    }

    void scryptParametersAreStoredAndHonoured()
    {
        const QString stored = PasswordHash::hash(kGood, {13, 4, 2}).value();
        QVERIFY(stored.startsWith(QStringLiteral("$scrypt$ln=13,r=4,p=2$")));
        QCOMPARE(PasswordHash::parametersOf(stored)->logN, 13);
        QVERIFY(PasswordHash::verify(kGood, stored));
        QVERIFY(!PasswordHash::verify(kGood + QLatin1Char('x'), stored));
        // The stored parameters are what verification uses: changing them breaks the match.
        QString other = stored;
        other.replace(QStringLiteral("ln=13"), QStringLiteral("ln=12"));
        QVERIFY(!PasswordHash::verify(kGood, other));
        QVERIFY(!PasswordHash::verify(kGood, QStringLiteral("$scrypt$garbage")));
        // Salted: the same password hashes differently each time.
        QVERIFY(PasswordHash::hash(kGood, kFast).value() != PasswordHash::hash(kGood, kFast).value());
    }

    void policy_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("problem");
        QTest::newRow("short") << QStringLiteral("Short1!") << QStringLiteral("at least 12");
        QTest::newRow("user name inside") << QStringLiteral("xxALICExx-2026") << QStringLiteral("user name");
        QTest::newRow("common") << QStringLiteral("administrator") << QStringLiteral("most common");
        QTest::newRow("common with suffix") << QStringLiteral("Password2026!") << QStringLiteral("most common");
        QTest::newRow("fine") << kGood << QString();
    }

    void policy()
    {
        QFETCH(QString, password);
        QFETCH(QString, problem);
        const QStringList problems = PasswordPolicy().problems(QStringLiteral("alice"), password);
        if (problem.isEmpty())
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char(';'))));
        else
            QVERIFY2(problems.join(QLatin1Char(';')).contains(problem), qPrintable(problems.join(QLatin1Char(';'))));
    }

    void usersAreNeverDeletedAndIdsNeverReused()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(!store.hasUsers());
        const User a = store.createUser(QStringLiteral("alice"), Role::Admin, kGood).value();
        QVERIFY(a.mustChangePassword);
        QVERIFY(!store.createUser(QStringLiteral("alice"), Role::Engineer, kGood).ok());
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        raw.setDatabaseName(store.options().path);
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM users WHERE name='alice'")));
        const User b = store.createUser(QStringLiteral("bob"), Role::Engineer, kGood).value();
        QVERIFY(b.id > a.id);
        QVERIFY(store.setDisabled(QStringLiteral("bob"), true).ok());
        QVERIFY(!store.authenticate(QStringLiteral("bob"), kGood).ok);
        raw.close();
    }

    void lockoutAfterFiveFailuresWithinFifteenMinutes()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("carol"), Role::Engineer, kGood).ok());
        // Four failures spread over 14 minutes do not lock.
        for (int i = 0; i < 4; ++i) {
            const LoginResult r = store.authenticate(QStringLiteral("carol"), QStringLiteral("wrong-password-123"));
            QVERIFY(!r.ok && !r.lockedNow);
            m_now += 3.5 * 60 * 1000;
        }
        const LoginResult fifth = store.authenticate(QStringLiteral("carol"), QStringLiteral("wrong-password-123"));
        QVERIFY(fifth.lockedNow);
        // Locked: even the right password fails, with the same message as any failure.
        const LoginResult locked = store.authenticate(QStringLiteral("carol"), kGood);
        QVERIFY(!locked.ok);
        QCOMPARE(locked.message, fifth.message);
        QCOMPARE(locked.detail, QStringLiteral("account locked"));
        // 15 minutes later it opens by itself.
        m_now += 15 * 60 * 1000 + 1;
        QVERIFY(store.authenticate(QStringLiteral("carol"), kGood).ok);
    }

    void failuresOutsideTheWindowStartOver()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("dave"), Role::Engineer, kGood).ok());
        for (int i = 0; i < 4; ++i)
            store.authenticate(QStringLiteral("dave"), QStringLiteral("wrong-password-123"));
        m_now += 16 * 60 * 1000;
        QVERIFY(!store.authenticate(QStringLiteral("dave"), QStringLiteral("wrong-password-123")).lockedNow);
        QCOMPARE(store.user(QStringLiteral("dave"))->failures, 1);
    }

    void anAdminUnlocks()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("erin"), Role::Engineer, kGood).ok());
        for (int i = 0; i < 5; ++i)
            store.authenticate(QStringLiteral("erin"), QStringLiteral("wrong-password-123"));
        QVERIFY(!store.authenticate(QStringLiteral("erin"), kGood).ok);
        QVERIFY(store.unlock(QStringLiteral("erin")).ok());
        QVERIFY(store.authenticate(QStringLiteral("erin"), kGood).ok);
    }

    void failuresNeverRevealWhetherTheUserExists()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("frank"), Role::Engineer, kGood).ok());
        const LoginResult unknown = store.authenticate(QStringLiteral("nobody"), kGood);
        const LoginResult wrong = store.authenticate(QStringLiteral("frank"), QStringLiteral("wrong-password-123"));
        QCOMPARE(unknown.message, wrong.message);
        QVERIFY(unknown.detail != wrong.detail); // the audit log gets the real reason
    }

    void historyForbidsTheLastPasswords()
    {
        auto o = options();
        o.policy.historyDepth = 3;
        UserStore store(o);
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("gina"), Role::Engineer, QStringLiteral("First-Pass-0001")).ok());
        QVERIFY(store.changePassword(QStringLiteral("gina"), QStringLiteral("First-Pass-0001"), QStringLiteral("Second-Pass-0002")).ok());
        QVERIFY(!store.user(QStringLiteral("gina"))->mustChangePassword);
        QVERIFY(store.changePassword(QStringLiteral("gina"), QStringLiteral("Second-Pass-0002"), QStringLiteral("Third-Pass-0003")).ok());
        const auto reuse = store.changePassword(QStringLiteral("gina"), QStringLiteral("Third-Pass-0003"), QStringLiteral("First-Pass-0001"));
        QVERIFY(!reuse.ok());
        QVERIFY(reuse.error().message.contains(QStringLiteral("last 3")));
        QVERIFY(store.changePassword(QStringLiteral("gina"), QStringLiteral("Third-Pass-0003"), QStringLiteral("Fourth-Pass-0004")).ok());
        // Four changes on, the first is out of the window of three.
        QVERIFY(store.changePassword(QStringLiteral("gina"), QStringLiteral("Fourth-Pass-0004"), QStringLiteral("First-Pass-0001")).ok());
    }

    void anAdminResetMeansChangeAtNextLogin()
    {
        UserStore store(options());
        QVERIFY(store.open().ok());
        QVERIFY(store.createUser(QStringLiteral("hank"), Role::Engineer, kGood).ok());
        QVERIFY(store.changePassword(QStringLiteral("hank"), kGood, QStringLiteral("Own-Choice-Pass-77")).ok());
        QVERIFY(store.resetPassword(QStringLiteral("hank"), QStringLiteral("Temporary-Reset-55")).ok());
        const LoginResult login = store.authenticate(QStringLiteral("hank"), QStringLiteral("Temporary-Reset-55"));
        QVERIFY(login.ok);
        QVERIFY(login.user->mustChangePassword);
    }
};

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
