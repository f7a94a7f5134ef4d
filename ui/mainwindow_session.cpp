// SPDX-License-Identifier: Apache-2.0
// MainWindow's audit and session half: the audit log's state and the auditor's dock, who is
// logged in, the lock, and electronic signatures. The plant, tree and view half is mainwindow.cpp.
#include "mainwindow.h"

#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "dialogs/logindialog.h"
#include "dialogs/usersdialog.h"
#include "docks/auditpanel.h"
#include "docks/connectionspanel.h"
#include "identity/session.h"
#include "twinview.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

namespace twinspect::ui {

void MainWindow::setAuditLog(audit::AuditLog* log, const QString& operatorName, const QString& role)
{
    m_auditLog = log;
    m_operator = operatorName;
    m_role = role;
    const auto showState = [this](audit::AuditLog::State state, const QString& problem) {
        switch (state) {
        case audit::AuditLog::State::Ready:
            m_auditLabel->setText(tr("Audit: recording"));
            m_auditLabel->setStyleSheet(QString());
            m_auditLabel->setToolTip(m_auditLog->options().databasePath);
            break;
        case audit::AuditLog::State::Opening:
            m_auditLabel->setText(tr("Audit: opening…"));
            break;
        case audit::AuditLog::State::Failed:
        case audit::AuditLog::State::Closed:
            m_auditLabel->setText(tr("Audit log unavailable: audited actions are refused"));
            m_auditLabel->setStyleSheet(QStringLiteral("QLabel { background: #c62828; color: white; padding: 0 6px; }"));
            m_auditLabel->setToolTip(problem);
            statusBar()->showMessage(tr("The audit log cannot be written: %1").arg(problem), 10000);
            break;
        }
    };
    connect(log, &audit::AuditLog::stateChanged, this, showState);
    showState(log->state(), log->problem());

    m_auditPanel = new AuditPanel;
    m_auditPanel->setAuditLog(log);
    connect(m_auditPanel, &AuditPanel::auditedAction, this,
            [this](const QString& action, const QString& target, const QString& outcome, const QString& reason) {
                recordAction(action, target, outcome, reason);
            });
    auto* dock = new QDockWidget(tr("Audit log"), this);
    dock->setObjectName(QStringLiteral("auditDock"));
    dock->setWidget(m_auditPanel);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide(); // an auditor opens it from View or with Ctrl+Shift+A
    QAction* toggle = dock->toggleViewAction();
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    if (QMenu* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu")))
        view->addAction(toggle);
    if (m_settings)
        restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
}

bool MainWindow::recordAction(const QString& action, const QString& target, const QString& outcome, const QString& reason)
{
    return recordAction(action, target, outcome, reason, QJsonObject());
}

bool MainWindow::recordAction(const QString& action, const QString& target, const QString& outcome, const QString& reason,
                              const QJsonObject& details)
{
    if (!m_auditLog)
        return true; // no log configured (tests of the view alone)
    audit::AuditEvent event;
    const auto user = m_session ? m_session->user() : std::nullopt;
    event.operatorName = user ? user->name : m_operator;
    event.role = user ? identity::roleName(user->role) : m_role;
    event.session = m_session ? m_session->sessionId() : QString();
    event.action = action;
    event.target = target;
    event.outcome = outcome;
    event.reason = reason;
    event.details = details;
    if (m_auditLog->append(event))
        return true;
    statusBar()->showMessage(tr("Refused: the audit log cannot record \"%1\" (%2)").arg(action, m_auditLog->problem()), 10000);
    return false;
}

QString MainWindow::auditStatusText() const
{
    return m_auditLabel->text();
}

void MainWindow::setSession(identity::SessionManager* session)
{
    m_session = session;
    m_operatorLabel = new QLabel;
    m_operatorLabel->setObjectName(QStringLiteral("operatorStatus"));
    statusBar()->insertPermanentWidget(0, m_operatorLabel);
    QMenu* file = menuBar()->findChild<QMenu*>(QStringLiteral("fileMenu"));
    QAction* lock = new QAction(tr("&Lock"), this);
    lock->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    lock->setShortcutContext(Qt::ApplicationShortcut);
    connect(lock, &QAction::triggered, session, &identity::SessionManager::lock);
    QAction* change = new QAction(tr("Change &password…"), this);
    connect(change, &QAction::triggered, this, &MainWindow::showChangePassword);
    QAction* logout = new QAction(tr("Log &out / switch user"), this);
    connect(logout, &QAction::triggered, session, &identity::SessionManager::logout);
    m_sessionActions = {lock, change, logout};
    if (file) {
        QAction* first = file->actions().value(0);
        file->insertActions(first, m_sessionActions);
        file->insertSeparator(first);
    }
    connect(session, &identity::SessionManager::stateChanged, this, &MainWindow::onSessionState);
    connect(session, &identity::SessionManager::loginFinished, this, [this](bool ok, const QString& message, bool mustChange) {
        LoginDialog* open = m_loginDialog.data();
        if (!open)
            return;
        if (!ok) {
            open->showError(message);
            return;
        }
        open->accept();
        if (mustChange)
            showChangePassword(); // an initial password is changed before anything else
    });
    connect(session, &identity::SessionManager::unlockFinished, this, [this](bool ok, const QString& message) {
        LoginDialog* open = m_loginDialog.data();
        if (!open)
            return;
        if (ok)
            open->accept();
        else
            open->showError(message);
    });
    connect(session, &identity::SessionManager::passwordChangeFinished, this, [this](bool ok, const QString& message) {
        LoginDialog* open = m_loginDialog.data();
        if (!open || open->mode() != LoginDialog::Mode::ChangePassword)
            return;
        if (ok) {
            open->accept();
            statusBar()->showMessage(tr("Password changed"), 4000);
        } else {
            open->showError(message);
        }
    });
    if (m_auditPanel)
        m_auditPanel->setGate([this](const QString& action, const QString& target, std::function<void()> proceed) {
            const bool exporting = action == QLatin1String("audit.export");
            signThen(int(exporting ? identity::Permission::ExportAuditLog : identity::Permission::VerifyAuditLog),
                     exporting ? tr("Export the audit log to %1").arg(target) : tr("Verify the audit log %1").arg(target),
                     target, std::move(proceed));
        });
    QAction* users = new QAction(tr("&Users…"), this);
    users->setObjectName(QStringLiteral("usersAction"));
    connect(users, &QAction::triggered, this, &MainWindow::showUsers);
    if (file)
        file->insertAction(file->actions().value(m_sessionActions.size() + 1), users);
    m_sessionActions.append(users);
    qApp->installEventFilter(this); // any input counts as activity for the idle lock
    onSessionState();
}

void MainWindow::detachSession()
{
    qApp->removeEventFilter(this);
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = nullptr;
}

void MainWindow::showChangePassword()
{
    if (!m_session || !m_session->user())
        return;
    auto* dialog = new LoginDialog(LoginDialog::Mode::ChangePassword, m_session->user()->name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &LoginDialog::submitted, this,
            [this, dialog] { m_session->changePassword(dialog->password(), dialog->newPassword()); });
    m_loginDialog = dialog;
    dialog->open();
}

LoginDialog* MainWindow::loginDialog() const
{
    return m_loginDialog.data();
}

QString MainWindow::operatorText() const
{
    return m_operatorLabel ? m_operatorLabel->text() : QString();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    // A click on the telemetry summary opens the Connections dock, where the details are.
    if (watched == m_telemetryLabel && event->type() == QEvent::MouseButtonRelease) {
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("connectionsDock")); dock && dock->toggleViewAction()->isEnabled()) {
            dock->show();
            dock->raise();
        }
    }
    // A click on the alarm counts opens the alarm list.
    if (watched == m_alarmLabel && event->type() == QEvent::MouseButtonRelease)
        showAlarms();
    if (m_session) {
        switch (event->type()) {
        case QEvent::KeyPress:
        case QEvent::MouseButtonPress:
        case QEvent::MouseMove:
        case QEvent::Wheel:
            m_session->noteActivity();
            break;
        default:
            break;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onSessionState()
{
    using State = identity::SessionManager::State;
    const State state = m_session->state();
    const auto user = m_session->user();
    const bool active = state == State::Active;
    // The twin stays visible while locked; every command is blocked.
    m_view->setInputEnabled(active);
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (dock->widget())
            dock->widget()->setEnabled(active);
    }
    for (QAction* action : menuBar()->actions()) {
        if (QMenu* menu = action->menu()) {
            for (QAction* item : menu->actions()) {
                if (item->shortcut() != QKeySequence::Quit)
                    item->setEnabled(active);
            }
        }
    }
    if (QDockWidget* audit = findChild<QDockWidget*>(QStringLiteral("auditDock"))) {
        const bool allowed = m_session->can(identity::Permission::ViewAuditLog);
        audit->toggleViewAction()->setEnabled(allowed);
        if (!allowed && state != State::Locked)
            audit->hide();
    }
    if (m_connections)
        m_connections->setCanManage(active && m_session->can(identity::Permission::ManageBackends));
    switch (state) {
    case State::Active:
        m_operatorLabel->setText(tr("%1 (%2)").arg(user->name, identity::roleName(user->role)));
        m_operatorLabel->setStyleSheet(QString());
        break;
    case State::Locked:
        m_operatorLabel->setText(tr("%1 (%2) — locked").arg(user->name, identity::roleName(user->role)));
        m_operatorLabel->setStyleSheet(QStringLiteral("QLabel { background: #6d4c41; color: white; padding: 0 6px; }"));
        break;
    case State::LoggedOut:
        m_operatorLabel->setText(tr("Nobody logged in"));
        m_operatorLabel->setStyleSheet(QString());
        break;
    }
    if (!active)
        QTimer::singleShot(0, this, &MainWindow::showSessionDialog);
}

void MainWindow::showSessionDialog()
{
    using State = identity::SessionManager::State;
    const State state = m_session->state();
    if (state == State::Active)
        return;
    const LoginDialog::Mode mode = state == State::Locked ? LoginDialog::Mode::Unlock
                                   : m_session->hasUsers() ? LoginDialog::Mode::Login
                                                           : LoginDialog::Mode::FirstAdmin;
    if (LoginDialog* open = m_loginDialog.data()) {
        if (open->mode() == mode && open->isVisible())
            return;
        open->close();
    }
    const QString name = state == State::Locked && m_session->user() ? m_session->user()->name : QString();
    auto* dialog = new LoginDialog(mode, name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &LoginDialog::submitted, this, [this, dialog] {
        switch (dialog->mode()) {
        case LoginDialog::Mode::FirstAdmin:
            m_session->createFirstAdmin(dialog->userName(), dialog->newPassword());
            break;
        case LoginDialog::Mode::Login:
            m_session->login(dialog->userName(), dialog->password());
            break;
        case LoginDialog::Mode::Unlock:
            m_session->unlock(dialog->userName(), dialog->password());
            break;
        case LoginDialog::Mode::ChangePassword:
            break;
        }
    });
    // Closing the dialog without logging in leaves the window blocked; it comes back.
    connect(dialog, &QDialog::rejected, this, [this] {
        if (m_session->state() != identity::SessionManager::State::Active)
            QTimer::singleShot(300, this, &MainWindow::showSessionDialog);
    });
    m_loginDialog = dialog;
    dialog->open();
}

void MainWindow::showUsers()
{
    if (!m_session || !m_session->can(identity::Permission::ManageUsers)) {
        statusBar()->showMessage(tr("Only an administrator manages accounts."), 6000);
        return;
    }
    auto* dialog = new UsersDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::signThen(int permission, const QString& what, const QString& target, std::function<void()> proceed)
{
    signThen(permission, what, target, std::move(proceed), {});
}

void MainWindow::signThen(int permissionValue, const QString& what, const QString& target,
                          std::function<void()> proceed,
                          std::function<void(const QString& outcome, const QString& reason)> refused)
{
    const auto permission = static_cast<identity::Permission>(permissionValue);
    if (!m_session || !m_session->can(permission)) {
        recordAction(QStringLiteral("esign"), target, QStringLiteral("refused"),
                     tr("%1: role not allowed").arg(identity::permissionName(permission)));
        statusBar()->showMessage(tr("Your role does not allow this action."), 6000);
        if (refused)
            refused(QStringLiteral("refused"), tr("%1: role not allowed").arg(identity::permissionName(permission)));
        return;
    }
    auto* dialog = new ESignatureDialog(m_session->user()->name, what, m_session->signatureNeedsUserId(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Whether the signature went through, and the last failure: a dialog closed without a
    // signature is a refused action, and the action's own audit entry says why.
    struct Attempt
    {
        bool signedOk = false;
        QString failure;
    };
    auto attempt = std::make_shared<Attempt>();
    if (refused) {
        connect(dialog, &QDialog::finished, this, [attempt, refused] {
            if (attempt->signedOk)
                return;
            if (attempt->failure.isEmpty())
                refused(QStringLiteral("refused"), tr("electronic signature cancelled"));
            else
                refused(QStringLiteral("failure"), tr("electronic signature failed: %1").arg(attempt->failure));
        });
    }
    connect(dialog, &ESignatureDialog::submitted, this, [this, dialog, target, what, permission, proceed, attempt] {
        audit::AuditEvent event;
        event.action = QStringLiteral("esign");
        event.target = target;
        event.reason = what;
        QPointer<ESignatureDialog> guard(dialog);
        m_session->sign(
            permission, event, (what + QLatin1Char('\n') + target).toUtf8(), dialog->password(), dialog->meaning(),
            [guard, proceed, attempt](bool ok, const QString& message) {
                ESignatureDialog* open = guard.data();
                if (!open)
                    return;
                if (!ok) {
                    attempt->failure = message;
                    open->showError(message);
                    return;
                }
                attempt->signedOk = true;
                open->accept();
                proceed();
            },
            dialog->userId());
    });
    dialog->open();
}

} // namespace twinspect::ui
