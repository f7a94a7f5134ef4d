// SPDX-License-Identifier: Apache-2.0
// twinspect-admin: headless user administration. Every change is made by an admin who has just
// authenticated, and is signed into the audit log as that admin before it is reported done.
#include "audit/auditlog.h"
#include "identity/userstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

#include <cstdio>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

using namespace twinspect;

namespace {

constexpr int kUsage = 2;

int fail(const QString& text, int code = 1)
{
    std::fputs(qPrintable(QStringLiteral("twinspect-admin: ") + text + QLatin1Char('\n')), stderr);
    return code;
}

/// One line from standard input; with a terminal, prompted and without echo. Never logged.
QString readSecret(const char* prompt)
{
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        std::fputs(prompt, stderr);
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fputs("\n", stderr);
    }
    return QString::fromStdString(line);
}

QString newPassword(const char* prompt)
{
    const QString first = readSecret(prompt);
    if (::isatty(STDIN_FILENO) && readSecret("Repeat it: ") != first)
        return {};
    return first;
}

struct Context
{
    QString dataDir;
    std::unique_ptr<identity::UserStore> users;
    std::unique_ptr<audit::AuditLog> log;

    bool record(const QString& admin, const QString& action, const QString& target, const QString& outcome,
                const QString& reason, const QJsonObject& details = {})
    {
        audit::AuditEvent e;
        e.operatorName = admin;
        e.role = QStringLiteral("admin");
        e.session = QStringLiteral("twinspect-admin");
        e.action = action;
        e.target = target;
        e.outcome = outcome;
        e.reason = reason;
        e.details = details;
        // Sealed by a checkpoint before the command says it is done.
        return log->append(e) && log->waitSealed(30000);
    }
};

/// Authenticates the admin named on the command line; records a failure in the audit log.
std::optional<identity::User> authenticateAdmin(Context& c, const QString& admin)
{
    const QString password = readSecret("Admin password: ");
    const identity::LoginResult result = c.users->authenticate(admin, password);
    if (!result.ok || result.user->role != identity::Role::Admin) {
        const QString detail = result.ok ? QStringLiteral("not an admin") : result.detail;
        c.record(admin, QStringLiteral("session.login_failed"), QStringLiteral("twinspect-admin"), QStringLiteral("failure"),
                 detail);
        if (result.lockedNow)
            c.record(admin, QStringLiteral("session.lockout"), admin, QStringLiteral("success"), result.detail);
        fail(result.ok ? QStringLiteral("%1 is not an admin").arg(admin) : result.message);
        return std::nullopt;
    }
    if (result.user->mustChangePassword) {
        fail(QStringLiteral("change your initial password first: twinspect-admin passwd %1").arg(admin));
        return std::nullopt;
    }
    c.record(admin, QStringLiteral("session.login"), QStringLiteral("twinspect-admin"), QStringLiteral("success"), {});
    return result.user;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Twinspect"));
    QCoreApplication::setApplicationName(QStringLiteral("Twinspect"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWINSPECT_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Administer Twinspect operators. Passwords are read from standard input (prompted without echo on a "
        "terminal; one per line from a script).\n\n"
        "Commands:\n"
        "  init ADMIN                     create the first admin (only while there are no users)\n"
        "  create USER ROLE --admin A     roles: engineer, auditor, trainer, admin\n"
        "  set-role USER ROLE --admin A\n"
        "  disable USER --admin A         users are never deleted\n"
        "  enable USER --admin A\n"
        "  unlock USER --admin A\n"
        "  reset-password USER --admin A  the user must change it at the next login\n"
        "  passwd USER                    change your own password\n"
        "  list"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"), QStringLiteral("The workstation's data folder."),
                                           QStringLiteral("DIR"));
    const QCommandLineOption adminOption(QStringLiteral("admin"), QStringLiteral("The admin making the change."),
                                         QStringLiteral("NAME"));
    parser.addOptions({dataDirOption, adminOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do (see above)."));
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty())
        return fail(QStringLiteral("give a command; see --help"), kUsage);
    const QString command = args.first();

    Context c;
    c.dataDir = parser.isSet(dataDirOption) ? QDir(parser.value(dataDirOption)).absolutePath()
                                            : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!QDir().mkpath(c.dataDir))
        return fail(QStringLiteral("cannot create the data folder %1").arg(c.dataDir), kUsage);
    identity::UserStore::Options userOptions;
    userOptions.path = QDir(c.dataDir).filePath(QStringLiteral("users.db"));
    c.users = std::make_unique<identity::UserStore>(userOptions);
    if (Result<bool> opened = c.users->open(); !opened)
        return fail(opened.error().message);

    if (command == QLatin1String("list")) {
        std::printf("%-6s %-20s %-10s %s\n", "ID", "USER", "ROLE", "STATE");
        for (const identity::User& u : c.users->users()) {
            QStringList state;
            if (u.disabled)
                state << QStringLiteral("disabled");
            if (u.lockedUntilMs > QDateTime::currentMSecsSinceEpoch())
                state << QStringLiteral("locked");
            if (u.mustChangePassword)
                state << QStringLiteral("must change password");
            std::printf("%-6lld %-20s %-10s %s\n", static_cast<long long>(u.id), qPrintable(u.name),
                        qPrintable(identity::roleName(u.role)), qPrintable(state.join(QStringLiteral(", "))));
        }
        return 0;
    }

    audit::AuditLog::Options auditOptions;
    auditOptions.databasePath = QDir(c.dataDir).filePath(QStringLiteral("audit.db"));
    c.log = std::make_unique<audit::AuditLog>(auditOptions);
    if (!c.log->waitOpened(30000) || !c.log->isWritable())
        return fail(QStringLiteral("the audit log cannot be written, so no change is made: ") + c.log->problem());

    const QString admin = parser.value(adminOption);
    const auto needs = [&](int count, const QString& usage) {
        if (args.size() != count)
            return fail(QStringLiteral("usage: twinspect-admin ") + usage, kUsage);
        return 0;
    };

    if (command == QLatin1String("init")) {
        if (const int e = needs(2, QStringLiteral("init ADMIN")))
            return e;
        if (c.users->hasUsers())
            return fail(QStringLiteral("there are users already; an admin creates more with 'create'"));
        const QString password = newPassword("Initial password for the first admin: ");
        const Result<identity::User> created = c.users->createUser(args.at(1), identity::Role::Admin, password);
        if (!created)
            return fail(created.error().message);
        c.record(args.at(1), QStringLiteral("user.create"), args.at(1), QStringLiteral("success"),
                 QStringLiteral("first admin"), {{QStringLiteral("role"), QStringLiteral("admin")}});
        std::printf("created the first admin %s; change the initial password at the first login\n", qPrintable(args.at(1)));
        return 0;
    }
    if (command == QLatin1String("passwd")) {
        if (const int e = needs(2, QStringLiteral("passwd USER")))
            return e;
        const QString current = readSecret("Current password: ");
        const QString next = newPassword("New password: ");
        const Result<bool> changed = c.users->changePassword(args.at(1), current, next);
        c.record(args.at(1), QStringLiteral("user.password_change"), args.at(1),
                 changed ? QStringLiteral("success") : QStringLiteral("failure"),
                 changed ? QString() : changed.error().code);
        if (!changed)
            return fail(changed.error().message);
        std::printf("password changed\n");
        return 0;
    }

    if (admin.isEmpty())
        return fail(QStringLiteral("%1 needs --admin NAME").arg(command), kUsage);
    struct Change
    {
        int arguments;
        QString usage;
        QString action;
    };
    const QHash<QString, Change> changes{
        {QStringLiteral("create"), {3, QStringLiteral("create USER ROLE --admin A"), QStringLiteral("user.create")}},
        {QStringLiteral("set-role"), {3, QStringLiteral("set-role USER ROLE --admin A"), QStringLiteral("user.role_change")}},
        {QStringLiteral("disable"), {2, QStringLiteral("disable USER --admin A"), QStringLiteral("user.disable")}},
        {QStringLiteral("enable"), {2, QStringLiteral("enable USER --admin A"), QStringLiteral("user.enable")}},
        {QStringLiteral("unlock"), {2, QStringLiteral("unlock USER --admin A"), QStringLiteral("session.unlock")}},
        {QStringLiteral("reset-password"),
         {2, QStringLiteral("reset-password USER --admin A"), QStringLiteral("user.password_reset")}},
    };
    if (!changes.contains(command))
        return fail(QStringLiteral("unknown command '%1'; see --help").arg(command), kUsage);
    const Change& change = changes.value(command);
    if (const int e = needs(change.arguments, change.usage))
        return e;
    std::optional<identity::Role> role;
    if (change.arguments == 3) {
        role = identity::roleFromName(args.at(2));
        if (!role)
            return fail(QStringLiteral("unknown role '%1': engineer, auditor, trainer or admin").arg(args.at(2)), kUsage);
    }
    if (!authenticateAdmin(c, admin))
        return 1;
    const QString target = args.at(1);
    Result<bool> done = true;
    QJsonObject details;
    if (command == QLatin1String("create")) {
        const QString password = newPassword("Initial password for the new user: ");
        const Result<identity::User> created = c.users->createUser(target, *role, password);
        done = created ? Result<bool>(true) : Result<bool>(created.error());
        details.insert(QStringLiteral("role"), identity::roleName(*role));
    } else if (command == QLatin1String("set-role")) {
        const std::optional<identity::User> before = c.users->user(target);
        done = c.users->setRole(target, *role);
        details.insert(QStringLiteral("from"), before ? identity::roleName(before->role) : QString());
        details.insert(QStringLiteral("to"), identity::roleName(*role));
    } else if (command == QLatin1String("disable") || command == QLatin1String("enable")) {
        done = c.users->setDisabled(target, command == QLatin1String("disable"));
    } else if (command == QLatin1String("unlock")) {
        done = c.users->unlock(target);
    } else if (command == QLatin1String("reset-password")) {
        done = c.users->resetPassword(target, newPassword("New initial password: "));
    }
    // The reason names what went wrong without echoing any secret (policy texts hold none).
    if (!c.record(admin, change.action, target, done ? QStringLiteral("success") : QStringLiteral("failure"),
                  done ? QString() : done.error().message, details))
        return fail(QStringLiteral("the change could not be sealed into the audit log: ") + c.log->problem());
    if (!done)
        return fail(done.error().message);
    std::printf("%s %s: done, signed into the audit log as %s\n", qPrintable(command), qPrintable(target), qPrintable(admin));
    return 0;
}
