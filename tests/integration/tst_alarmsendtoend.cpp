// SPDX-License-Identifier: Apache-2.0
// An alarm from end to end, under Xvfb, with nothing mocked: twinspect-sim publishes the demo plant
// with its scripted faults, signed, to a real mosquitto over mutual TLS; the workstation receives
// it, the temperature overshoot raises DM-TWIT-03's HI alarm, the alarm list and the status bar
// show it, an engineer acknowledges it from the list with an electronic signature, and the
// signed audit log holds the acknowledgement under the engineer's name.
#include "alarms/alarmengine.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "dialogs/esignaturedialog.h"
#include "docks/alarmpanel.h"
#include "identity/session.h"
#include "identity/userstore.h"
#include "mainwindow.h"
#include "models/alarmlistmodel.h"
#include "mosquittobroker.h"
#include "plant/plantloader.h"
#include "telemetry/backendsettings.h"
#include "telemetry/telemetryhub.h"
#include "workstationbackend.h"

#include <QDockWidget>
#include <QLineEdit>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;
using twinspect::testing::MosquittoBroker;
using twinspect::testing::mutualTlsBackend;
using Listener = MosquittoBroker::Listener;

namespace {
const QString kDemoPlant = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
const QString kPrefix = QStringLiteral("plant/demo-boiler");
const QString kAlarm = QStringLiteral("DM-TWIT-03:HI");
const QString kPass = QStringLiteral("Control-Room-Pass-5");
} // namespace

class TestAlarmsEndToEnd : public QObject
{
    Q_OBJECT
private:
    MosquittoBroker m_broker;
    QTemporaryDir m_data;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<telemetry::TelemetryHub> m_hub;
    std::unique_ptr<identity::SessionManager> m_session;
    QProcess m_sim;

    QString simOutput() { return QString::fromUtf8(m_sim.readAllStandardOutput() + m_sim.readAllStandardError()); }

    QList<audit::EntryRow> auditEntries(const QString& action) const
    {
        m_log->waitSealed(5000);
        audit::AuditDatabase db;
        if (!db.open(m_data.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly).ok())
            return {};
        audit::AuditDatabase::Filter filter;
        filter.action = action;
        QList<audit::EntryRow> rows;
        db.forEachMatching(filter, [&](const audit::EntryRow& row) {
            rows.append(row);
            return true;
        });
        return rows;
    }

    /// The alarm list's State cell for an alarm, as the operator reads it ("" when not listed).
    QString listedState(const QString& alarmId) const
    {
        const QAbstractItemModel* model = m_window->alarmPanel()->table()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(ui::AlarmListModel::AlarmIdRole).toString() == alarmId)
                return model->index(row, ui::AlarmListModel::State).data().toString();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const auto error = m_broker.start())
            QFAIL(qPrintable(*error));
        // The simulator's signing key and the trust list that names it, as an admin would make them.
        QProcess keygen;
        keygen.start(QStringLiteral(TWINSPECT_SIM),
                     {QStringLiteral("keygen"), QStringLiteral("--private"), m_data.filePath(QStringLiteral("sim.pem")),
                      QStringLiteral("--publisher"), QStringLiteral("sim"), QStringLiteral("--trust"),
                      m_data.filePath(QStringLiteral("trusted.json"))});
        QVERIFY(keygen.waitForFinished(30'000));
        QVERIFY2(keygen.exitCode() == 0, keygen.readAllStandardError().constData());

        const telemetry::BackendSettings backend =
            mutualTlsBackend(m_broker, kPrefix, m_data.filePath(QStringLiteral("trusted.json")));
        QVERIFY(telemetry::saveBackendSettings(m_data.filePath(QStringLiteral("backends.json")), {backend}).ok());

        identity::UserStore::Options users;
        users.path = m_data.filePath(QStringLiteral("users.db"));
        users.scrypt = {12, 8, 1};
        {
            identity::UserStore store(users);
            QVERIFY(store.open().ok());
            QVERIFY(store.createUser(QStringLiteral("eve"), identity::Role::Engineer, kPass, false).ok());
        }

        audit::AuditLog::Options options;
        options.databasePath = m_data.filePath(QStringLiteral("audit.db"));
        m_log = std::make_unique<audit::AuditLog>(options);
        m_window = std::make_unique<ui::MainWindow>(nullptr);
        m_window->setAuditLog(m_log.get(), QStringLiteral("tester"), QStringLiteral("engineer"));
        const PlantLoadResult plant = PlantLoader::loadFile(kDemoPlant);
        QVERIFY(plant.ok());
        m_window->setPlant(std::make_shared<const Plant>(*plant.plant), plant.diagnostics);
        m_hub = std::make_unique<telemetry::TelemetryHub>(m_data.path());
        m_window->setTelemetry(m_hub.get());
        QVERIFY(m_hub->load().ok());
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

        identity::SessionManager::Options sessionOptions;
        sessionOptions.users = users;
        m_session = std::make_unique<identity::SessionManager>(sessionOptions, m_log.get());
        m_window->setSession(m_session.get());
        m_session->login(QStringLiteral("eve"), kPass);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), identity::SessionManager::State::Active, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->telemetryStatusText(), QStringLiteral("Telemetry: 1/1 connected"), 15'000);
    }

    void cleanupTestCase()
    {
        if (m_sim.state() != QProcess::NotRunning) {
            m_sim.terminate();
            if (!m_sim.waitForFinished(5000))
                m_sim.kill();
        }
        if (m_session)
            m_window->detachSession();
        if (m_hub)
            m_hub->stopAll();
        m_window.reset();
        m_hub.reset();
        m_session.reset();
        m_log.reset();
    }

    void theSimulatorsOvershootRaisesAnAlarmThatIsAcknowledgedUnderSignature()
    {
        // GIVEN the simulator publishing the demo plant with faults: DM-TWIT-03 overshoots above
        // 95 % of its range from 20 s to 30 s of run time; its HI alarm (95 degC) has a 2 s on-delay.
        m_sim.setProcessChannelMode(QProcess::SeparateChannels);
        m_sim.start(QStringLiteral(TWINSPECT_SIM),
                    {QStringLiteral("publish"),
                     QStringLiteral("--broker"),
                     QStringLiteral("mqtts://localhost:%1").arg(m_broker.port(Listener::Mtls)),
                     QStringLiteral("--ca"),
                     m_broker.pkiPath(QStringLiteral("ca.crt")),
                     QStringLiteral("--cert"),
                     m_broker.pkiPath(QStringLiteral("publisher.crt")),
                     QStringLiteral("--key"),
                     m_broker.pkiPath(QStringLiteral("publisher.key")),
                     QStringLiteral("--plant"),
                     kDemoPlant,
                     QStringLiteral("--topic-prefix"),
                     kPrefix,
                     QStringLiteral("--rate"),
                     QStringLiteral("2"),
                     QStringLiteral("--faults"),
                     QStringLiteral("--duration"),
                     QStringLiteral("110"),
                     QStringLiteral("--sign-key"),
                     m_data.filePath(QStringLiteral("sim.pem")),
                     QStringLiteral("--publisher"),
                     QStringLiteral("sim")});
        QVERIFY2(m_sim.waitForStarted(10'000), qPrintable(m_sim.errorString()));
        alarms::AlarmEngine* engine = m_window->alarmEngine();
        QVERIFY(engine);

        // WHEN the overshoot comes
        QTRY_VERIFY2_WITH_TIMEOUT(engine->alarm(kAlarm)->isUnacknowledged(), qPrintable(simOutput()), 60'000);

        // THEN the operator sees it: in the status bar and, a click away, in the alarm list
        QVERIFY2(m_window->alarmStatusText().contains(QStringLiteral("high")) &&
                     !m_window->alarmStatusText().contains(QStringLiteral("0 high")),
                 qPrintable(m_window->alarmStatusText()));
        m_window->showAlarms();
        ui::AlarmPanel* panel = m_window->alarmPanel();
        QTRY_VERIFY(panel->shownAlarmIds().contains(kAlarm));
        QVERIFY2(listedState(kAlarm).contains(QStringLiteral("unacknowledged")), qPrintable(listedState(kAlarm)));

        // WHEN the engineer selects it and presses Ctrl+K, then signs
        panel->selectAlarms({kAlarm});
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        panel->table()->setFocus();
        QTest::keyClick(panel->table(), Qt::Key_K, Qt::ControlModifier);
        ui::ESignatureDialog* sign = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((sign = m_window->findChild<ui::ESignatureDialog*>()) && sign->isVisible(), 5000);
        QVERIFY(engine->alarm(kAlarm)->isUnacknowledged()); // nothing before the signature
        if (sign->userIdField()->isVisible())
            QTest::keyClicks(sign->userIdField(), QStringLiteral("eve"));
        QTest::keyClicks(sign->passwordField(), kPass);
        QTest::keyClick(sign->passwordField(), Qt::Key_Return);

        // THEN the alarm is acknowledged by eve (still active, or already back to normal if the
        // overshoot ended meanwhile), and the signed audit log says so under her name
        QTRY_VERIFY_WITH_TIMEOUT(!engine->alarm(kAlarm)->isUnacknowledged(), 15'000);
        QCOMPARE(engine->alarm(kAlarm)->acknowledgedBy, QStringLiteral("eve"));
        QTRY_VERIFY_WITH_TIMEOUT(!auditEntries(QStringLiteral("alarm.acknowledge")).isEmpty(), 10'000);
        const audit::EntryRow entry = auditEntries(QStringLiteral("alarm.acknowledge")).constFirst();
        QCOMPARE(entry.target, kAlarm);
        QCOMPARE(entry.outcome, QStringLiteral("success"));
        QCOMPARE(entry.operatorName, QStringLiteral("eve"));
        QCOMPARE(entry.role, QStringLiteral("engineer"));
        QVERIFY2(entry.body.contains("\"tag\":\"DM-TWIT-03\"") && entry.body.contains("\"priority\":\"high\""),
                 entry.body.constData());
        bool signedByEve = false;
        for (const audit::EntryRow& row : auditEntries(QStringLiteral("esign")))
            signedByEve |= row.body.contains("\"esig\":{\"name\":\"eve\"") && row.body.contains(kAlarm.toUtf8());
        QVERIFY(signedByEve);
        QVERIFY2(!listedState(kAlarm).contains(QStringLiteral("unacknowledged")), qPrintable(listedState(kAlarm)));
        // And the log that holds it is intact, as an auditor's verification would find it.
        m_log->waitSealed(5000);
        const audit::VerifyReport report =
            audit::verifyDatabase(m_data.filePath(QStringLiteral("audit.db")), audit::VerifyOptions());
        QVERIFY2(report.intact(), qPrintable(report.summary()));
    }
};

QTEST_MAIN(TestAlarmsEndToEnd)
#include "tst_alarmsendtoend.moc"
