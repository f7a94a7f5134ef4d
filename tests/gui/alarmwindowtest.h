// SPDX-License-Identifier: Apache-2.0
// What the alarm GUI tests share: the workstation over the demo plant with a real tag store,
// session and signed audit log, feeding tags, logging in, signing, and reading the audit log.
#pragma once

#include "alarms/alarmengine.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "identity/session.h"
#include "mainwindow.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"

#include <QDateTime>
#include <QLineEdit>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace twinspect::test {

class AlarmWindowTest : public QObject
{
protected:
    QTemporaryDir m_dir;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<telemetry::TelemetryHub> m_hub;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<identity::SessionManager> m_session;

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
