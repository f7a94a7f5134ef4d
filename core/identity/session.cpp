// SPDX-License-Identifier: Apache-2.0
#include "session.h"

#include "audit/auditlog.h"
#include "crypto/sha256.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QThreadPool>
#include <QTimer>
#include <QVariant>

namespace twinspect::identity {

namespace {

const QString kGeneric =
    QStringLiteral("Login failed: unknown user or wrong password, or the account is locked or disabled.");

/// A name that matches no account may be a password typed into the wrong field: keep it out of
/// the log, but keep a short fingerprint so repeated attempts can still be correlated.
QString loggableName(const LoginResult& result, const QString& typed)
{
    if (result.user)
        return result.user->name;
    return QStringLiteral("(unknown user %1)")
        .arg(QString::fromLatin1(crypto::toBytes(crypto::Sha256::hash(typed.toUtf8())).toHex().left(8)));
}

} // namespace

SessionManager::SessionManager(Options options, audit::AuditLog* log, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_log(log)
{
    qRegisterMetaType<twinspect::identity::SessionManager::State>();
    m_lastActivityMs = now();
    auto* idle = new QTimer(this);
    idle->setInterval(1000);
    connect(idle, &QTimer::timeout, this, &SessionManager::checkIdle);
    idle->start();
}

SessionManager::~SessionManager() = default;

qint64 SessionManager::now() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

bool SessionManager::can(Permission permission) const
{
    return m_state == State::Active && m_user && allows(m_user->role, permission);
}

bool SessionManager::hasUsers() const
{
    if (!m_knownToHaveUsers) {
        UserStore store(m_options.users);
        m_knownToHaveUsers = store.open() && store.hasUsers();
    }
    return m_knownToHaveUsers;
}

void SessionManager::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SessionManager::record(const QString& action, const QString& outcome, const QString& target, const QString& reason,
                            const QString& operatorName, const QString& role)
{
    if (!m_log)
        return;
    audit::AuditEvent e;
    e.operatorName = operatorName.isEmpty() && m_user ? m_user->name : operatorName;
    e.role = role.isEmpty() && m_user ? roleName(m_user->role) : role;
    e.session = m_session;
    e.action = action;
    e.outcome = outcome;
    e.target = target;
    e.reason = reason;
    m_log->append(e);
}

void SessionManager::runOnStore(std::function<QVariant(UserStore&)> work, std::function<void(const QVariant&)> then)
{
    m_busy = true;
    QPointer<SessionManager> self(this);
    const UserStore::Options options = m_options.users;
    QThreadPool::globalInstance()->start([self, options, work = std::move(work), then = std::move(then)] {
        UserStore store(options);
        QVariant value;
        if (store.open())
            value = work(store);
        QMetaObject::invokeMethod(
            self.data(),
            [self, value, then] {
                if (SessionManager* s = self.data()) {
                    s->m_busy = false;
                    then(value);
                }
            },
            Qt::QueuedConnection);
    });
}

void SessionManager::createFirstAdmin(const QString& name, const QString& password)
{
    runOnStore(
        [name, password](UserStore& store) -> QVariant {
            if (store.hasUsers())
                return QStringLiteral("there are users already");
            const Result<User> created = store.createUser(name, Role::Admin, password, false);
            return created ? QVariant::fromValue(store.authenticate(name, password)) : QVariant(created.error().message);
        },
        [this, name](const QVariant& value) {
            if (!value.canConvert<LoginResult>() || value.typeId() == QMetaType::QString) {
                Q_EMIT loginFinished(false, value.toString(), false);
                return;
            }
            const LoginResult result = value.value<LoginResult>();
            m_knownToHaveUsers = true;
            m_session = QString::number(QRandomGenerator::system()->generate64(), 16);
            m_signedInSession = false;
            m_user = result.user;
            record(QStringLiteral("user.create"), QStringLiteral("success"), name, QStringLiteral("first admin at first run"));
            record(QStringLiteral("session.login"), QStringLiteral("success"), QStringLiteral("workstation"), {});
            if (m_log)
                m_log->requestSeal();
            m_lastActivityMs = now();
            setState(State::Active);
            Q_EMIT loginFinished(true, {}, false);
        });
}

void SessionManager::login(const QString& name, const QString& password)
{
    runOnStore([name, password](UserStore& store) { return QVariant::fromValue(store.authenticate(name, password)); },
               [this, name](const QVariant& value) {
                   const LoginResult result = value.value<LoginResult>();
                   if (!result.ok) {
                       const QString who = loggableName(result, name);
                       record(QStringLiteral("session.login_failed"), QStringLiteral("failure"), QStringLiteral("workstation"),
                              result.detail, who, result.user ? roleName(result.user->role) : QStringLiteral("none"));
                       if (result.lockedNow)
                           record(QStringLiteral("session.lockout"), QStringLiteral("success"), who, result.detail, who,
                                  roleName(result.user->role));
                       Q_EMIT loginFinished(false, result.message.isEmpty() ? kGeneric : result.message, false);
                       return;
                   }
                   m_session = QString::number(QRandomGenerator::system()->generate64(), 16);
                   m_signedInSession = false;
                   m_user = result.user;
                   record(QStringLiteral("session.login"), QStringLiteral("success"), QStringLiteral("workstation"), {});
                   if (m_log)
                       m_log->requestSeal(); // a checkpoint at every login
                   m_lastActivityMs = now();
                   setState(State::Active);
                   Q_EMIT loginFinished(true, {}, result.user->mustChangePassword);
               });
}

void SessionManager::changePassword(const QString& current, const QString& next)
{
    if (!m_user)
        return;
    const QString name = m_user->name;
    runOnStore(
        [name, current, next](UserStore& store) -> QVariant {
            const Result<bool> r = store.changePassword(name, current, next);
            return r ? QString() : r.error().message;
        },
        [this, name](const QVariant& value) {
            const QString error = value.toString();
            // The reason holds the policy's sentence or the generic login failure: never a password.
            record(QStringLiteral("user.password_change"), error.isEmpty() ? QStringLiteral("success") : QStringLiteral("failure"),
                   name, error);
            if (error.isEmpty() && m_user)
                m_user->mustChangePassword = false;
            Q_EMIT passwordChangeFinished(error.isEmpty(), error);
        });
}

void SessionManager::lock()
{
    if (m_state != State::Active)
        return;
    record(QStringLiteral("session.lock"), QStringLiteral("success"), QStringLiteral("workstation"), {});
    if (m_log)
        m_log->requestSeal();
    setState(State::Locked);
}

void SessionManager::unlock(const QString& name, const QString& password)
{
    if (m_state != State::Locked || !m_user)
        return;
    const QString owner = m_user->name;
    runOnStore([name, password](UserStore& store) { return QVariant::fromValue(store.authenticate(name, password)); },
               [this, name, owner](const QVariant& value) {
                   const LoginResult result = value.value<LoginResult>();
                   const bool allowed = result.ok && (result.user->name == owner || result.user->role == Role::Admin);
                   const QString who = loggableName(result, name);
                   if (!allowed) {
                       record(QStringLiteral("session.login_failed"), QStringLiteral("failure"), QStringLiteral("unlock"),
                              result.ok ? QStringLiteral("neither the session's user nor an admin") : result.detail, who,
                              result.user ? roleName(result.user->role) : QStringLiteral("none"));
                       if (result.lockedNow)
                           record(QStringLiteral("session.lockout"), QStringLiteral("success"), who, result.detail, who,
                                  roleName(result.user->role));
                       Q_EMIT unlockFinished(false, result.ok ? tr("Only %1 or an admin can unlock this session.").arg(owner)
                                                              : kGeneric);
                       return;
                   }
                   record(QStringLiteral("session.unlock"), QStringLiteral("success"), owner,
                          who == owner ? QString() : QStringLiteral("unlocked by admin %1").arg(who), who,
                          roleName(result.user->role));
                   if (m_log)
                       m_log->requestSeal();
                   m_lastActivityMs = now();
                   m_signedInSession = false; // the session was interrupted: all components again
                   setState(State::Active);
                   Q_EMIT unlockFinished(true, {});
               });
}

void SessionManager::logout()
{
    if (m_state == State::LoggedOut)
        return;
    record(QStringLiteral("session.logout"), QStringLiteral("success"), QStringLiteral("workstation"), {});
    if (m_log)
        m_log->requestSeal();
    m_user.reset();
    m_session.clear();
    setState(State::LoggedOut);
}

void SessionManager::noteActivity()
{
    m_lastActivityMs = now();
}

void SessionManager::checkIdle()
{
    if (m_state == State::Active && m_options.idleLockMs > 0 && now() - m_lastActivityMs >= m_options.idleLockMs) {
        record(QStringLiteral("session.lock"), QStringLiteral("success"), QStringLiteral("workstation"),
               QStringLiteral("idle for %1 s").arg(m_options.idleLockMs / 1000));
        if (m_log)
            m_log->requestSeal();
        setState(State::Locked);
    }
}

void SessionManager::administer(const AdminChange& change, std::function<void(bool ok, const QString& message)> done)
{
    if (!can(Permission::ManageUsers)) {
        done(false, tr("Only an administrator can change accounts."));
        return;
    }
    using Kind = AdminChange::Kind;
    static const QHash<int, QString> actions{{int(Kind::Create), QStringLiteral("user.create")},
                                             {int(Kind::SetRole), QStringLiteral("user.role_change")},
                                             {int(Kind::Disable), QStringLiteral("user.disable")},
                                             {int(Kind::Enable), QStringLiteral("user.enable")},
                                             {int(Kind::Unlock), QStringLiteral("session.unlock")},
                                             {int(Kind::ResetPassword), QStringLiteral("user.password_reset")}};
    runOnStore(
        [change](UserStore& store) -> QVariant {
            Result<bool> r = true;
            QString from;
            switch (change.kind) {
            case Kind::Create: {
                const Result<User> created = store.createUser(change.userName, change.role, change.password);
                r = created ? Result<bool>(true) : Result<bool>(created.error());
                break;
            }
            case Kind::SetRole:
                if (const auto before = store.user(change.userName))
                    from = roleName(before->role);
                r = store.setRole(change.userName, change.role);
                break;
            case Kind::Disable:
            case Kind::Enable:
                r = store.setDisabled(change.userName, change.kind == Kind::Disable);
                break;
            case Kind::Unlock:
                r = store.unlock(change.userName);
                break;
            case Kind::ResetPassword:
                r = store.resetPassword(change.userName, change.password);
                break;
            }
            return QStringList{r ? QString() : r.error().message, from};
        },
        [this, change, done](const QVariant& value) {
            const QStringList result = value.toStringList();
            const QString error = result.value(0);
            if (m_log) {
                audit::AuditEvent e;
                e.operatorName = m_user ? m_user->name : QString();
                e.role = m_user ? roleName(m_user->role) : QString();
                e.session = m_session;
                e.action = actions.value(int(change.kind));
                e.target = change.userName;
                e.outcome = error.isEmpty() ? QStringLiteral("success") : QStringLiteral("failure");
                e.reason = error; // policy sentences and lookups only, never the password
                if (change.kind == AdminChange::Kind::Create || change.kind == AdminChange::Kind::SetRole)
                    e.details = QJsonObject{{QStringLiteral("from"), result.value(1)}, {QStringLiteral("to"), roleName(change.role)}};
                m_log->append(e);
                m_log->requestSeal();
            }
            done(error.isEmpty(), error);
        });
}

void SessionManager::listUsers(std::function<void(const QList<User>&)> done)
{
    runOnStore([](UserStore& store) { return QVariant::fromValue(store.users()); },
               [done](const QVariant& value) { done(value.value<QList<User>>()); });
}

void SessionManager::sign(Permission permission, audit::AuditEvent event, const QByteArray& signedContent,
                          const QString& password, const QString& meaning,
                          std::function<void(bool ok, const QString& message)> done, const QString& typedUserId)
{
    if (!can(permission)) {
        record(QStringLiteral("esign"), QStringLiteral("refused"), event.target,
               QStringLiteral("%1 is not allowed for this role").arg(permissionName(permission)));
        done(false, tr("Your role does not allow this action."));
        return;
    }
    if (meaning.trimmed().isEmpty()) {
        done(false, tr("Give the meaning of your signature."));
        return;
    }
    if (!m_signedInSession && typedUserId.trimmed() != m_user->name) {
        record(QStringLiteral("esign"), QStringLiteral("failure"), event.target,
               QStringLiteral("first signature of the session without the signer's user id"));
        done(false, tr("The first signature after logging in or unlocking needs your user id and password."));
        return;
    }
    const QString name = m_user->name;
    runOnStore([name, password](UserStore& store) { return QVariant::fromValue(store.confirm(name, password)); },
               [this, event, signedContent, meaning, done, permission](const QVariant& value) mutable {
                   const LoginResult result = value.value<LoginResult>();
                   if (!result.ok) {
                       record(QStringLiteral("esign"), QStringLiteral("failure"), event.target,
                              permissionName(permission) + QStringLiteral(": ") + result.detail);
                       if (result.lockedNow) {
                           record(QStringLiteral("session.lockout"), QStringLiteral("success"), m_user->name, result.detail);
                           lock();
                       }
                       done(false, tr("The signature was not accepted: wrong password."));
                       return;
                   }
                   event.operatorName = m_user->name;
                   event.role = roleName(m_user->role);
                   event.session = m_session;
                   event.esignature = audit::ESignature{
                       m_user->name, audit::isoTime(now()), meaning,
                       QString::fromLatin1(crypto::toBytes(crypto::Sha256::hash(signedContent)).toHex())};
                   if (!m_log || !m_log->append(event)) {
                       done(false, tr("The audit log cannot record the signature, so the action is refused."));
                       return;
                   }
                   m_signedInSession = true;
                   // Reported done only once a checkpoint seals the signed entry.
                   QPointer<SessionManager> self(this);
                   audit::AuditLog* log = m_log;
                   QThreadPool::globalInstance()->start([self, log, done] {
                       const bool sealed = log->waitSealed(10000);
                       QMetaObject::invokeMethod(
                           self.data(),
                           [done, sealed] {
                               done(sealed, sealed ? QString() : tr("The signature could not be sealed in the audit log."));
                           },
                           Qt::QueuedConnection);
                   });
               });
}

} // namespace twinspect::identity
