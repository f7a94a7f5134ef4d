// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "identity/passwordhash.h"
#include "identity/passwordpolicy.h"
#include "identity/roles.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace twinspect::identity {

struct User
{
    qint64 id = 0;
    QString name;
    Role role = Role::Engineer;
    bool disabled = false;
    bool mustChangePassword = true;
    int failures = 0;
    qint64 firstFailureMs = 0;
    qint64 lockedUntilMs = 0;
    qint64 createdMs = 0;
};

struct LockoutPolicy
{
    int maxFailures = 5;
    qint64 windowMs = 15 * 60 * 1000;  ///< failures count within this window
    qint64 lockMs = 15 * 60 * 1000;    ///< then the account is locked this long (or until unlocked)
};

/// What happened at a login attempt. `message` is the same for every failure, so a failure
/// never tells whether the user exists; `detail` is the real reason, for the audit log only.
struct LoginResult
{
    bool ok = false;
    std::optional<User> user;
    bool lockedNow = false; ///< this failure locked the account
    QString message;
    QString detail;
};

/// Local operator accounts (SQLite, separate from the audit log). Users are never deleted, only
/// disabled (a trigger refuses DELETE), and ids are never reused (AUTOINCREMENT). Passwords are
/// kept only as scrypt hashes, with the last few per user for the history rule. Slow calls
/// (anything that hashes) belong off the GUI thread. One object per thread (Qt SQL connections).
class UserStore
{
public:
    struct Options
    {
        QString path;
        PasswordPolicyOptions policy;
        LockoutPolicy lockout;
        ScryptParameters scrypt;
        std::function<qint64()> clock; ///< ms since the epoch; default the system clock
    };

    explicit UserStore(Options options);
    ~UserStore();
    UserStore(const UserStore&) = delete;
    UserStore& operator=(const UserStore&) = delete;

    Result<bool> open();
    bool hasUsers() const;
    QList<User> users() const;
    std::optional<User> user(const QString& name) const;

    /// New users must change the initial password at first login, unless they chose it themselves
    /// (the first admin at first run).
    Result<User> createUser(const QString& name, Role role, const QString& initialPassword, bool mustChange = true);
    Result<bool> setRole(const QString& name, Role role);
    Result<bool> setDisabled(const QString& name, bool disabled);
    Result<bool> unlock(const QString& name);
    /// An admin sets a new initial password (history applies; must be changed at next login).
    Result<bool> resetPassword(const QString& name, const QString& newPassword);
    /// The user changes their own password (after proving the current one).
    Result<bool> changePassword(const QString& name, const QString& currentPassword, const QString& newPassword);

    /// Checks a password with lockout; never reveals which part failed (see LoginResult).
    LoginResult authenticate(const QString& name, const QString& password);
    /// Re-checks the logged-in user's password for an electronic signature (counts as a failure
    /// towards lockout when wrong, like a login).
    LoginResult confirm(const QString& name, const QString& password) { return authenticate(name, password); }

    const Options& options() const { return m_options; }

private:
    qint64 now() const;
    Result<bool> setPassword(const User& user, const QString& password, bool mustChange);
    Result<bool> exec(const QString& sql, const QVariantList& values = {});
    QString m_connection;
    Options m_options;
    PasswordPolicy m_policy;
};

} // namespace twinspect::identity
