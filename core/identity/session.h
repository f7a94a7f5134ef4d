// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/auditentry.h"
#include "identity/roles.h"
#include "identity/userstore.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace twinspect::audit {
class AuditLog;
}

namespace twinspect::identity {

/// Who is at the workstation, and whether they may act: login, idle lock, unlock, logout, and
/// electronic signatures. Password checks (scrypt, ~0.9 s) run on a worker thread; results
/// arrive as signals on the thread that owns this object (the GUI thread). Every login,
/// failure, lockout, lock, unlock, logout and signature goes to the audit log; no password
/// ever leaves this class.
class SessionManager : public QObject
{
    Q_OBJECT
public:
    enum class State { LoggedOut, Active, Locked };
    Q_ENUM(State)

    struct Options
    {
        UserStore::Options users;  ///< path etc.; each worker opens its own connection
        qint64 idleLockMs = 10 * 60 * 1000;
        std::function<qint64()> clock; ///< ms since the epoch; tests inject one
    };

    SessionManager(Options options, audit::AuditLog* log, QObject* parent = nullptr);
    ~SessionManager() override;

    State state() const { return m_state; }
    std::optional<User> user() const { return m_user; }
    QString sessionId() const { return m_session; }
    /// True only while someone is logged in, not locked, and their role allows it.
    bool can(Permission permission) const;
    bool hasUsers() const;

    /// Creates the first admin (only while there are no users) and logs them in.
    void createFirstAdmin(const QString& name, const QString& password);
    void login(const QString& name, const QString& password);
    /// The user changes their own password (required after an initial one).
    void changePassword(const QString& current, const QString& next);
    void lock();
    /// The same user, or any admin, unlocks.
    void unlock(const QString& name, const QString& password);
    void logout();

    /// Input happened: restarts the idle clock.
    void noteActivity();
    /// Locks if idle too long (called every second by a timer, and by tests with their clock).
    void checkIdle();

    /// An electronic signature for a critical action: checks the password again, records `event`
    /// with the signature (printed name, time, meaning, SHA-256 of `signedContent`), waits until
    /// a checkpoint seals it, then calls `done(true)`. Refused (done(false)) without the
    /// permission, with a wrong password, or when the log cannot be written.
    /// The first signature of a continuous session (after login or unlock) needs the user id
    /// typed as well as the password (21 CFR 11.200(a)); later ones the password alone.
    void sign(Permission permission, audit::AuditEvent event, const QByteArray& signedContent, const QString& password,
              const QString& meaning, std::function<void(bool ok, const QString& message)> done,
              const QString& typedUserId = {});
    bool signatureNeedsUserId() const { return !m_signedInSession; }

    /// A user-administration change by the logged-in admin (after an electronic signature).
    struct AdminChange
    {
        enum class Kind { Create, SetRole, Disable, Enable, Unlock, ResetPassword };
        Kind kind = Kind::Create;
        QString userName;
        Role role = Role::Engineer;
        QString password; ///< initial password for Create and ResetPassword; never recorded
    };
    void administer(const AdminChange& change, std::function<void(bool ok, const QString& message)> done);
    /// The accounts, read on a worker thread.
    void listUsers(std::function<void(const QList<User>&)> done);

Q_SIGNALS:
    void stateChanged(twinspect::identity::SessionManager::State state);
    /// ok, and a message for the person at the keyboard (generic on failure).
    void loginFinished(bool ok, const QString& message, bool mustChangePassword);
    void unlockFinished(bool ok, const QString& message);
    void passwordChangeFinished(bool ok, const QString& message);

private:
    qint64 now() const;
    void setState(State state);
    void record(const QString& action, const QString& outcome, const QString& target, const QString& reason,
                const QString& operatorName = {}, const QString& role = {});
    /// Runs `work` with a fresh UserStore on a pool thread, then `then` here.
    void runOnStore(std::function<QVariant(UserStore&)> work, std::function<void(const QVariant&)> then);

    Options m_options;
    audit::AuditLog* m_log;
    State m_state = State::LoggedOut;
    std::optional<User> m_user;
    QString m_session;
    qint64 m_lastActivityMs = 0;
    bool m_busy = false;
    bool m_signedInSession = false;
    /// Users are never deleted: once there is one, there always is, so the disk is asked once.
    mutable bool m_knownToHaveUsers = false;
};

} // namespace twinspect::identity

Q_DECLARE_METATYPE(twinspect::identity::LoginResult)
Q_DECLARE_METATYPE(QList<twinspect::identity::User>)
