// SPDX-License-Identifier: Apache-2.0
// The session as an operator meets it, under Xvfb: the first-run dialog, the name and role in the
// status bar, Ctrl+L and the idle lock blocking every command while the twin stays visible, the
// unlock, and an electronic signature before an audit verification. Nothing the session printed
// may contain a password.
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "dialogs/logindialog.h"
#include "dialogs/usersdialog.h"
#include "docks/auditpanel.h"
#include "identity/session.h"
#include "mainwindow.h"
#include "twinview.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWindow>

using namespace twinspect;
using identity::SessionManager;

namespace {
QStringList g_messages;
void collect(QtMsgType, const QMessageLogContext&, const QString& message)
{
    g_messages.append(message);
}
const QString kAdminPass = QStringLiteral("Plant-Admin-Pass-01");
} // namespace

class TestSessionUi : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    qint64 m_now = 1764115200000;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<SessionManager> m_session;

    ui::LoginDialog* waitForLoginDialog(ui::LoginDialog::Mode mode)
    {
        (void)QTest::qWaitFor([&] { return m_window->loginDialog() && m_window->loginDialog()->mode() == mode &&
                                     m_window->loginDialog()->isVisible(); },
                        5000);
        return m_window->loginDialog();
    }

    bool clickSelects(const QString& id)
    {
        const QPointF at = *m_window->twinView()->projectedCenter(id);
        QTest::mouseClick(m_window->twinView()->window(), Qt::LeftButton, Qt::NoModifier, at.toPoint());
        QTest::qWait(50);
        return m_window->selectedItem() == id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qInstallMessageHandler(collect);
        audit::AuditLog::Options logOptions;
        logOptions.databasePath = m_dir.filePath(QStringLiteral("audit.db"));
        m_log = std::make_unique<audit::AuditLog>(logOptions);
        QVERIFY(m_log->waitOpened(10000));
        m_window = std::make_unique<ui::MainWindow>(nullptr);
        m_window->setAuditLog(m_log.get(), QStringLiteral("os-user"), QStringLiteral("local"));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy loaded(m_window.get(), &ui::MainWindow::plantLoaded);
        m_window->openStartupPlant(QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json"));
        QVERIFY(loaded.wait(10000));
        SessionManager::Options options;
        options.users.path = m_dir.filePath(QStringLiteral("users.db"));
        options.users.scrypt = {12, 8, 1};
        options.clock = [this] { return m_now; };
        m_session = std::make_unique<SessionManager>(options, m_log.get());
        m_window->setSession(m_session.get());
    }

    void cleanupTestCase()
    {
        m_window->detachSession();
        qInstallMessageHandler(nullptr);
    }

    void firstRunAsksForTheFirstAdmin()
    {
        QCOMPARE(m_window->operatorText(), QStringLiteral("Nobody logged in"));
        ui::LoginDialog* dialog = waitForLoginDialog(ui::LoginDialog::Mode::FirstAdmin);
        QVERIFY(dialog);
        QVERIFY(!clickSelects(QStringLiteral("TK01"))); // nobody logged in: blocked
        QTest::keyClicks(dialog->nameField(), QStringLiteral("ana"));
        QTest::keyClicks(dialog->newPasswordField(), kAdminPass);
        QTest::keyClicks(dialog->repeatField(), kAdminPass);
        QTest::keyClick(dialog->repeatField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), SessionManager::State::Active, 10000);
        QCOMPARE(m_window->operatorText(), QStringLiteral("ana (admin)"));
        QTRY_VERIFY(!m_window->loginDialog());
        QVERIFY(clickSelects(QStringLiteral("TK01")));
    }

    void ctrlLLocksAndBlocksEveryCommand()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_L, Qt::ControlModifier);
        QTRY_COMPARE(m_session->state(), SessionManager::State::Locked);
        QVERIFY(m_window->operatorText().contains(QStringLiteral("locked")));
        ui::LoginDialog* dialog = waitForLoginDialog(ui::LoginDialog::Mode::Unlock);
        QVERIFY(dialog);
        QCOMPARE(dialog->nameField()->text(), QStringLiteral("ana"));
        QVERIFY(!clickSelects(QStringLiteral("TK02")));
        QCOMPARE(m_window->selectedItem(), QStringLiteral("TK01"));
        // Wrong password: refused, same dialog.
        QTest::keyClicks(dialog->passwordField(), QStringLiteral("not-the-password"));
        QTest::keyClick(dialog->passwordField(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->findChild<QLabel*>(QStringLiteral("loginError"))->text().contains(
                                     QStringLiteral("unknown user or wrong password")),
                                 10000);
        QCOMPARE(m_session->state(), SessionManager::State::Locked);
        QTest::keyClicks(dialog->passwordField(), kAdminPass);
        QTest::keyClick(dialog->passwordField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), SessionManager::State::Active, 10000);
        QVERIFY(clickSelects(QStringLiteral("TK02")));
    }

    void idleForTenMinutesLocks()
    {
        m_now += 10 * 60 * 1000;
        m_session->checkIdle();
        QCOMPARE(m_session->state(), SessionManager::State::Locked);
        ui::LoginDialog* dialog = waitForLoginDialog(ui::LoginDialog::Mode::Unlock);
        QVERIFY(dialog);
        QTest::keyClicks(dialog->passwordField(), kAdminPass);
        QTest::keyClick(dialog->passwordField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), SessionManager::State::Active, 10000);
    }

    void verifyingTheLogNeedsAnElectronicSignature()
    {
        ui::AuditPanel* panel = m_window->auditPanel();
        QSignalSpy verified(panel, &ui::AuditPanel::verified);
        panel->findChild<QPushButton*>()->click(); // "Verify log"
        ui::ESignatureDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<ui::ESignatureDialog*>()) && dialog->isVisible());
        QCOMPARE(verified.size(), 0); // nothing runs before the signature
        dialog->meaningField()->setCurrentText(QStringLiteral("review"));
        // The first signature after unlocking asks for the user id as well (21 CFR 11.200(a)).
        QVERIFY(dialog->userIdField()->isVisible());
        QTest::keyClicks(dialog->userIdField(), QStringLiteral("ana"));
        QTest::keyClicks(dialog->passwordField(), kAdminPass);
        QTest::keyClick(dialog->passwordField(), Qt::Key_Return);
        QVERIFY(verified.wait(20000));
        QVERIFY(verified.first().at(0).toBool());
        m_log->waitSealed(5000);
        audit::AuditDatabase db;
        QVERIFY(db.open(m_dir.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly).ok());
        audit::AuditDatabase::Filter signatures;
        signatures.action = QStringLiteral("esign");
        QByteArray body;
        db.forEachMatching(signatures, [&](const audit::EntryRow& row) {
            body = row.body;
            return true;
        });
        QVERIFY2(body.contains("\"esig\":{\"name\":\"ana\"") && body.contains("\"meaning\":\"review\""), body.constData());
    }

    void anAdminCreatesAnAccountWithASignature()
    {
        m_window->showUsers();
        ui::UsersDialog* users = nullptr;
        QTRY_VERIFY((users = m_window->findChild<ui::UsersDialog*>()) && users->isVisible());
        QTRY_COMPARE(users->userCount(), 1);
        QSignalSpy changed(users, &ui::UsersDialog::changed);
        QTest::keyClicks(users->nameField(), QStringLiteral("zed"));
        users->roleField()->setCurrentText(QStringLiteral("engineer"));
        QTest::keyClicks(users->passwordField(), QStringLiteral("Initial-Account-Pass-1"));
        QTest::keyClicks(users->repeatField(), QStringLiteral("Initial-Account-Pass-1"));
        users->findChild<QPushButton*>(QStringLiteral("usersButton0"))->click(); // Create
        ui::ESignatureDialog* sign = nullptr;
        QTRY_VERIFY((sign = m_window->findChild<ui::ESignatureDialog*>()) && sign->isVisible());
        QVERIFY(!sign->userIdField()->isVisible()); // the second signature of the session
        QTest::keyClicks(sign->passwordField(), kAdminPass);
        QTest::keyClick(sign->passwordField(), Qt::Key_Return);
        QVERIFY(changed.wait(20000));
        QVERIFY2(changed.first().at(0).toBool(), qPrintable(changed.first().at(1).toString()));
        QTRY_COMPARE(users->userCount(), 2);
        m_log->waitSealed(5000);
        audit::AuditDatabase db;
        QVERIFY(db.open(m_dir.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly).ok());
        audit::AuditDatabase::Filter creates;
        creates.action = QStringLiteral("user.create");
        creates.target = QStringLiteral("zed");
        int found = 0;
        db.forEachMatching(creates, [&](const audit::EntryRow& row) {
            found += row.operatorName == QStringLiteral("ana") ? 1 : 0;
            return true;
        });
        QCOMPARE(found, 1);
        users->close();
    }

    void logoutReturnsToTheLoginDialogAndNothingLeaked()
    {
        m_session->logout();
        QVERIFY(waitForLoginDialog(ui::LoginDialog::Mode::Login));
        QCOMPARE(m_window->operatorText(), QStringLiteral("Nobody logged in"));
        for (const QString& message : std::as_const(g_messages)) {
            QVERIFY2(!message.contains(kAdminPass) && !message.contains(QStringLiteral("not-the-password")) &&
                         !message.contains(QStringLiteral("Initial-Account-Pass-1")),
                     qPrintable(message));
        }
        QFile audit(m_dir.filePath(QStringLiteral("audit.db")));
        QVERIFY(audit.open(QIODevice::ReadOnly));
        const QByteArray content = audit.readAll();
        QVERIFY(!content.contains(kAdminPass.toUtf8()) && !content.contains("not-the-password") &&
                !content.contains("Initial-Account-Pass-1"));
    }
};

QTEST_MAIN(TestSessionUi)
#include "tst_sessionui.moc"
