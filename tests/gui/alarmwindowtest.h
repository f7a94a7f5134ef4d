// SPDX-License-Identifier: Apache-2.0
// What the alarm GUI tests share: the workstation over the demo plant with a real tag store,
// session and signed audit log, feeding tags, logging in, signing, and reading the audit log.
#pragma once

#include "alarms/alarmengine.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "identity/session.h"
#include "identity/userstore.h"
#include "mainwindow.h"
#include "plant/plant.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"

#include <QDateTime>
#include <QLineEdit>
#include <QObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <tuple>

namespace twinspect::test {

class AlarmWindowTest : public QObject
{
protected:
    QTemporaryDir m_dir;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<telemetry::TelemetryHub> m_hub;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<identity::SessionManager> m_session;
    std::shared_ptr<const Plant> m_plant;

    struct User
    {
        QString name;
        identity::Role role;
        QString password;
    };
    /// The workstation as the alarm tests need it: these users, a real audit log, the demo plant and
    /// a telemetry hub without backends (the test publishes straight into its tag store), the window
    /// shown and a session ready for logins. Check QTest::currentTestFailed() after it.
    void startWorkstation(const QList<User>& users)
    {
        QStandardPaths::setTestModeEnabled(true);
        identity::UserStore::Options userOptions;
        userOptions.path = m_dir.filePath(QStringLiteral("users.db"));
        userOptions.scrypt = {12, 8, 1};
        {
            identity::UserStore store(userOptions);
            QVERIFY(store.open().ok());
            for (const User& user : users)
                QVERIFY(store.createUser(user.name, user.role, user.password, false).ok());
        }
        audit::AuditLog::Options logOptions;
        logOptions.databasePath = m_dir.filePath(QStringLiteral("audit.db"));
        m_log = std::make_unique<audit::AuditLog>(logOptions);
        QVERIFY(m_log->waitOpened(10000));
        m_window = std::make_unique<ui::MainWindow>(nullptr);
        m_window->setAuditLog(m_log.get(), QStringLiteral("os-user"), QStringLiteral("local"));
        const PlantLoadResult plant =
            PlantLoader::loadFile(QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json"));
        QVERIFY(plant.ok());
        m_plant = std::make_shared<const Plant>(*plant.plant);
        m_window->setPlant(m_plant, plant.diagnostics);
        m_hub = std::make_unique<telemetry::TelemetryHub>(m_dir.path());
        m_window->setTelemetry(m_hub.get());
        QVERIFY(engine());
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        identity::SessionManager::Options options;
        options.users = userOptions;
        m_session = std::make_unique<identity::SessionManager>(options, m_log.get());
    }

    alarms::AlarmEngine* engine() const { return m_window->alarmEngine(); }

    alarms::AlarmState stateOf(const QString& id) const
    {
        const auto alarm = engine()->alarm(id);
        return alarm ? alarm->state : alarms::AlarmState::Normal;
    }

    /// One sample into the tag store, delivered at once (as a backend's batch would be, a frame later).
    void feed(const QString& tag, const telemetry::Value& value, qint64 sourceTimeMs)
    {
        telemetry::Sample sample;
        sample.tag = tag;
        sample.sourceTimeMs = sourceTimeMs;
        sample.receiveTimeMs = QDateTime::currentMSecsSinceEpoch();
        sample.value = value;
        sample.quality = telemetry::Quality::Good;
        sample.authenticity = telemetry::Authenticity::Signed;
        m_hub->tagStore()->ingest({sample}, QStringLiteral("test"));
        m_hub->tagStore()->flush();
    }

    /// Holds a value for longer than any on-delay of the demo plant (5 s), in source time.
    void hold(const QString& tag, const telemetry::Value& value)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        feed(tag, value, now - 6000);
        feed(tag, value, now);
    }

    struct Entry
    {
        QString operatorName;
        QString target;
        QString outcome;
        QByteArray body;
    };
    QList<Entry> auditEntries(const QString& action) const
    {
        m_log->waitSealed(5000);
        audit::AuditDatabase db;
        if (!db.open(m_dir.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly).ok())
            return {};
        audit::AuditDatabase::Filter filter;
        filter.action = action;
        QList<Entry> entries;
        db.forEachMatching(filter, [&](const audit::EntryRow& row) {
            entries.append({row.operatorName, row.target, row.outcome, row.body});
            return true;
        });
        return entries;
    }
    QList<Entry> auditEntries(const QString& action, const QString& target) const
    {
        QList<Entry> matching;
        for (const Entry& entry : auditEntries(action)) {
            if (entry.target == target)
                matching.append(entry);
        }
        return matching;
    }

    bool logIn(const QString& name, const QString& password)
    {
        if (m_session->state() != identity::SessionManager::State::LoggedOut) {
            m_session->logout();
            QTest::qWait(50);
        }
        m_session->login(name, password);
        return QTest::qWaitFor([&] { return m_session->state() == identity::SessionManager::State::Active; }, 10'000) &&
               QTest::qWaitFor([&] { return !m_window->loginDialog(); }, 5000);
    }

    ui::ESignatureDialog* waitForSignatureDialog() const
    {
        ui::ESignatureDialog* dialog = nullptr;
        (void)QTest::qWaitFor(
            [&] { return (dialog = m_window->findChild<ui::ESignatureDialog*>()) && dialog->isVisible(); }, 5000);
        return dialog;
    }

    void sign(ui::ESignatureDialog* dialog, const QString& name, const QString& password)
    {
        if (dialog->userIdField()->isVisible())
            QTest::keyClicks(dialog->userIdField(), name);
        QTest::keyClicks(dialog->passwordField(), password);
        QTest::keyClick(dialog->passwordField(), Qt::Key_Return);
    }
};

} // namespace twinspect::test
