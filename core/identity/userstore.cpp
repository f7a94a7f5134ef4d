// SPDX-License-Identifier: Apache-2.0
#include "userstore.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace twinspect::identity {

namespace {

QAtomicInt g_counter;
const QString kGenericFailure =
    QStringLiteral("Login failed: unknown user or wrong password, or the account is locked or disabled.");

// Hashing a dummy password when the user does not exist keeps failures equally slow, so timing
// does not reveal whether a name is taken either.
const QString& dummyHash()
{
    static const QString hash = PasswordHash::hash(QStringLiteral("not a password of anyone"), {12, 8, 1}).value();
    return hash;
}

User userFrom(const QSqlQuery& q)
{
    User u;
    u.id = q.value(0).toLongLong();
    u.name = q.value(1).toString();
    u.role = roleFromName(q.value(2).toString()).value_or(Role::Engineer);
    u.disabled = q.value(3).toBool();
    u.mustChangePassword = q.value(4).toBool();
    u.failures = q.value(5).toInt();
    u.firstFailureMs = q.value(6).toLongLong();
    u.lockedUntilMs = q.value(7).toLongLong();
    u.createdMs = q.value(8).toLongLong();
    return u;
}

constexpr char kUserColumns[] =
    "id, name, role, disabled, must_change, failures, first_failure_ms, locked_until_ms, created_ms";

} // namespace

UserStore::UserStore(Options options)
    : m_connection(QStringLiteral("twinspect-users-%1").arg(g_counter.fetchAndAddRelaxed(1)))
    , m_options(std::move(options))
    , m_policy(m_options.policy)
{
}

UserStore::~UserStore()
{
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

qint64 UserStore::now() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

Result<bool> UserStore::exec(const QString& sql, const QVariantList& values)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(sql);
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec())
        return Error{QStringLiteral("users.sql"), QStringLiteral("user store: %1").arg(query.lastError().text())};
    return true;
}

Result<bool> UserStore::open()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_options.path);
    if (!db.open())
        return Error{QStringLiteral("users.open"),
                     QStringLiteral("cannot open the user store %1: %2").arg(m_options.path, db.lastError().text())};
    const char* const schema[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
        " role TEXT NOT NULL, password TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
        " must_change INTEGER NOT NULL DEFAULT 1, failures INTEGER NOT NULL DEFAULT 0,"
        " first_failure_ms INTEGER NOT NULL DEFAULT 0, locked_until_ms INTEGER NOT NULL DEFAULT 0,"
        " created_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS password_history (user_id INTEGER NOT NULL REFERENCES users(id),"
        " password TEXT NOT NULL, set_ms INTEGER NOT NULL)",
        "CREATE TRIGGER IF NOT EXISTS users_never_deleted BEFORE DELETE ON users BEGIN"
        " SELECT RAISE(ABORT, 'users are never deleted, only disabled'); END",
    };
    for (const char* sql : schema) {
        if (Result<bool> r = exec(QString::fromLatin1(sql)); !r)
            return r;
    }
    return true;
}

bool UserStore::hasUsers() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM users")) && q.next() && q.value(0).toInt() > 0;
}

QList<User> UserStore::users() const
{
    QList<User> list;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SELECT %1 FROM users ORDER BY id").arg(QLatin1String(kUserColumns)))) {
        while (q.next())
            list.append(userFrom(q));
    }
    return list;
}

std::optional<User> UserStore::user(const QString& name) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM users WHERE name = ?").arg(QLatin1String(kUserColumns)));
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return userFrom(q);
}

Result<bool> UserStore::setPassword(const User& user, const QString& password, bool mustChange)
{
    if (const QStringList problems = m_policy.problems(user.name, password); !problems.isEmpty())
        return Error{QStringLiteral("password.policy"), QStringLiteral("password refused: ") + problems.join(QStringLiteral("; "))};
    // History: the current password and the last N-1 before it.
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT password FROM password_history WHERE user_id = ? ORDER BY rowid DESC LIMIT ?"));
    q.addBindValue(user.id);
    q.addBindValue(m_options.policy.historyDepth);
    if (q.exec()) {
        while (q.next()) {
            if (PasswordHash::verify(password, q.value(0).toString()))
                return Error{QStringLiteral("password.history"),
                             QStringLiteral("password refused: it is one of the last %1 passwords of this user")
                                 .arg(m_options.policy.historyDepth)};
        }
    }
    const Result<QString> hash = PasswordHash::hash(password, m_options.scrypt);
    if (!hash)
        return hash.error();
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    db.transaction();
    if (Result<bool> r = exec(QStringLiteral("UPDATE users SET password = ?, must_change = ? WHERE id = ?"),
                              {hash.value(), mustChange ? 1 : 0, user.id});
        !r) {
        db.rollback();
        return r;
    }
    if (Result<bool> r = exec(QStringLiteral("INSERT INTO password_history (user_id, password, set_ms) VALUES (?, ?, ?)"),
                              {user.id, hash.value(), now()});
        !r) {
        db.rollback();
        return r;
    }
    db.commit();
    return true;
}

Result<User> UserStore::createUser(const QString& name, Role role, const QString& initialPassword, bool mustChange)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9._-]{2,64}$"));
    if (!valid.match(name).hasMatch())
        return Error{QStringLiteral("user.name"),
                     QStringLiteral("user names are 2-64 letters, digits, '.', '_' or '-'")};
    if (user(name))
        return Error{QStringLiteral("user.exists"), QStringLiteral("a user named %1 exists (users are never deleted)").arg(name)};
    if (const QStringList problems = m_policy.problems(name, initialPassword); !problems.isEmpty())
        return Error{QStringLiteral("password.policy"), QStringLiteral("password refused: ") + problems.join(QStringLiteral("; "))};
    // The row exists first with an unusable password, so the hash is stored by the same path as
    // every later change (history included).
    if (Result<bool> r = exec(QStringLiteral("INSERT INTO users (name, role, password, created_ms) VALUES (?, ?, '!', ?)"),
                              {name, roleName(role), now()});
        !r)
        return r.error();
    const User created = *user(name);
    if (Result<bool> r = setPassword(created, initialPassword, mustChange); !r)
        return r.error();
    return *user(name);
}

Result<bool> UserStore::setRole(const QString& name, Role role)
{
    if (!user(name))
        return Error{QStringLiteral("user.unknown"), QStringLiteral("no user named %1").arg(name)};
    return exec(QStringLiteral("UPDATE users SET role = ? WHERE name = ?"), {roleName(role), name});
}

Result<bool> UserStore::setDisabled(const QString& name, bool disabled)
{
    if (!user(name))
        return Error{QStringLiteral("user.unknown"), QStringLiteral("no user named %1").arg(name)};
    return exec(QStringLiteral("UPDATE users SET disabled = ? WHERE name = ?"), {disabled ? 1 : 0, name});
}

Result<bool> UserStore::unlock(const QString& name)
{
    if (!user(name))
        return Error{QStringLiteral("user.unknown"), QStringLiteral("no user named %1").arg(name)};
    return exec(QStringLiteral("UPDATE users SET failures = 0, first_failure_ms = 0, locked_until_ms = 0 WHERE name = ?"),
                {name});
}

Result<bool> UserStore::resetPassword(const QString& name, const QString& newPassword)
{
    const std::optional<User> u = user(name);
    if (!u)
        return Error{QStringLiteral("user.unknown"), QStringLiteral("no user named %1").arg(name)};
    return setPassword(*u, newPassword, true);
}

Result<bool> UserStore::changePassword(const QString& name, const QString& currentPassword, const QString& newPassword)
{
    const LoginResult check = authenticate(name, currentPassword);
    if (!check.ok)
        return Error{QStringLiteral("password.current"), check.message};
    return setPassword(*check.user, newPassword, false);
}

LoginResult UserStore::authenticate(const QString& name, const QString& password)
{
    LoginResult result;
    result.message = kGenericFailure;
    const std::optional<User> u = user(name);
    if (!u) {
        PasswordHash::verify(password, dummyHash());
        result.detail = QStringLiteral("unknown user");
        return result;
    }
    result.user = u;
    const qint64 t = now();
    if (u->disabled) {
        result.detail = QStringLiteral("account disabled");
        return result;
    }
    if (u->lockedUntilMs > t) {
        result.detail = QStringLiteral("account locked");
        return result;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT password FROM users WHERE id = ?"));
    q.addBindValue(u->id);
    const QString stored = q.exec() && q.next() ? q.value(0).toString() : QString();
    if (PasswordHash::verify(password, stored)) {
        exec(QStringLiteral("UPDATE users SET failures = 0, first_failure_ms = 0, locked_until_ms = 0 WHERE id = ?"), {u->id});
        result.ok = true;
        result.message.clear();
        result.user = user(name);
        return result;
    }
    // Consecutive failures inside the window; an older streak starts over.
    const bool inWindow = u->failures > 0 && t - u->firstFailureMs <= m_options.lockout.windowMs;
    const int failures = inWindow ? u->failures + 1 : 1;
    const qint64 first = inWindow ? u->firstFailureMs : t;
    qint64 lockedUntil = 0;
    if (failures >= m_options.lockout.maxFailures) {
        lockedUntil = t + m_options.lockout.lockMs;
        result.lockedNow = true;
    }
    exec(QStringLiteral("UPDATE users SET failures = ?, first_failure_ms = ?, locked_until_ms = ? WHERE id = ?"),
         {result.lockedNow ? 0 : failures, result.lockedNow ? 0 : first, lockedUntil, u->id});
    result.detail = result.lockedNow ? QStringLiteral("wrong password; account locked after %1 failures").arg(failures)
                                     : QStringLiteral("wrong password (%1 of %2)").arg(failures).arg(m_options.lockout.maxFailures);
    result.user = user(name);
    return result;
}

} // namespace twinspect::identity
