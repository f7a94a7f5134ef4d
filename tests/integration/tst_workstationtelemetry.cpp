// SPDX-License-Identifier: Apache-2.0
// Live telemetry in the workstation, end to end under Xvfb: a real mosquitto over mutual TLS, the
// workstation's own backends.json in a data folder, the demo plant on screen. A value published
// to the broker shows in the properties dock with unit, quality, age and trust; an unsigned value
// where signatures are required shows as untrusted and lands in the signed audit log, as does
// the connection with the server certificate's fingerprint.
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "crypto/ed25519.h"
#include "dialogs/esignaturedialog.h"
#include "dialogs/logindialog.h"
#include "docks/connectionspanel.h"
#include "docks/legendpanel.h"
#include "docks/propertiespanel.h"
#include "docks/trendpanel.h"
#include "identity/session.h"
#include "labellayer.h"
#include "mainwindow.h"
#include "models/trendmodel.h"
#include "mosquittobroker.h"
#include "overlaystyle.h"
#include "plant/plantloader.h"
#include "telemetry/backendsettings.h"
#include "telemetry/signedpayload.h"
#include "telemetry/telemetryhub.h"
#include "telemetryoverlay.h"
#include "twinview.h"
#include "workstationbackend.h"

#include <QAbstractSeries>
#include <QChart>
#include <QDateTime>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>

#include <tuple>

using namespace twinspect;
using twinspect::testing::MosquittoBroker;
using twinspect::testing::mutualTlsBackend;
using Listener = MosquittoBroker::Listener;

namespace {
const QString demoPlant = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
const QString prefix = QStringLiteral("plant/demo-boiler");
} // namespace

class TestWorkstationTelemetry : public QObject
{
    Q_OBJECT
private:
    MosquittoBroker m_broker;
    QTemporaryDir m_data;
    std::unique_ptr<audit::AuditLog> m_log;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<telemetry::TelemetryHub> m_hub;
    std::unique_ptr<identity::SessionManager> m_session;
    crypto::Ed25519Key m_publisher = crypto::Ed25519Key::generate();

    QString tagText(const QString& tag) const
    {
        return m_window->propertiesPanel()->valueOf(QStringLiteral("Tag bindings"), tag);
    }

    QList<QByteArray> auditEntries(const QString& action) const
    {
        m_log->waitSealed(5000);
        audit::AuditDatabase db;
        if (!db.open(m_data.filePath(QStringLiteral("audit.db")), audit::AuditDatabase::Mode::ReadOnly).ok())
            return {};
        audit::AuditDatabase::Filter filter;
        filter.action = action;
        QList<QByteArray> bodies;
        db.forEachMatching(filter, [&](const audit::EntryRow& row) {
            bodies.append(row.body);
            return true;
        });
        return bodies;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const auto error = m_broker.start())
            QFAIL(qPrintable(*error));
        // The trust list holds the publisher's public key; backends.json is what an admin saves.
        QFile trustFile(m_data.filePath(QStringLiteral("trusted.json")));
        QVERIFY(trustFile.open(QIODevice::WriteOnly));
        trustFile.write("{\"format\":\"twinspect-trusted-publishers\",\"version\":1,\"publishers\":[{\"id\":\"sim\","
                        "\"publicKey\":\"" +
                        m_publisher.rawPublic().toBase64() + "\"}]}");
        trustFile.close();
        const telemetry::BackendSettings backend =
            mutualTlsBackend(m_broker, prefix, m_data.filePath(QStringLiteral("trusted.json")));
        QVERIFY(telemetry::saveBackendSettings(m_data.filePath(QStringLiteral("backends.json")), {backend}).ok());

        audit::AuditLog::Options options;
        options.databasePath = m_data.filePath(QStringLiteral("audit.db"));
        m_log = std::make_unique<audit::AuditLog>(options);
        m_window = std::make_unique<ui::MainWindow>(nullptr);
        m_window->setAuditLog(m_log.get(), QStringLiteral("tester"), QStringLiteral("engineer"));
        const PlantLoadResult plant = PlantLoader::loadFile(demoPlant);
        QVERIFY(plant.ok());
        m_window->setPlant(std::make_shared<const Plant>(*plant.plant), plant.diagnostics);
        m_hub = std::make_unique<telemetry::TelemetryHub>(m_data.path());
        m_window->setTelemetry(m_hub.get());
        QVERIFY(m_hub->load().ok());
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanupTestCase()
    {
        if (m_session)
            m_window->detachSession();
        m_hub->stopAll();
        m_window.reset();
        m_hub.reset();
        m_session.reset();
        m_log.reset();
    }

    void connectsAndSaysSo()
    {
        QTRY_COMPARE_WITH_TIMEOUT(m_window->telemetryStatusText(), QStringLiteral("Telemetry: 1/1 connected"), 15'000);
        // The connection is in the audit log with the certificate the server showed.
        QTRY_VERIFY_WITH_TIMEOUT(!auditEntries(QStringLiteral("telemetry.connected")).isEmpty(), 10'000);
        const QByteArray entry = auditEntries(QStringLiteral("telemetry.connected")).constFirst();
        QVERIFY2(entry.contains("SHA-256") && entry.contains("CN=localhost"), entry.constData());
    }

    void selectedAssetShowsLiveValues()
    {
        m_window->selectItem(QStringLiteral("LIT01"));
        QCOMPARE(tagText(QStringLiteral("DM-LIT01")).left(11), QStringLiteral("no data yet"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString topic = prefix + QStringLiteral("/DM-LIT01");
        QVERIFY(
            !m_broker.publish(topic, telemetry::signPayload(m_publisher, QStringLiteral("sim"), topic, 1, now,
                                                            "{\"v\":42.5,\"ts\":" + QByteArray::number(now) + "}")));
        QTRY_VERIFY_WITH_TIMEOUT(tagText(QStringLiteral("DM-LIT01")).startsWith(u"42.5"), 10'000);
        const QString text = tagText(QStringLiteral("DM-LIT01"));
        QVERIFY2(text.contains(u"good") && text.contains(u"signed") && text.contains(u"old"), qPrintable(text));
    }

    void anAlarmShowsOnTheTag()
    {
        // DM-TWIT-03 alarms HI above 95 degC after a 2 s on-delay (demo plant). Two signed samples
        // 3 s apart in source time, both above the limit, raise it.
        m_window->selectItem(QStringLiteral("TWIT03"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString topic = prefix + QStringLiteral("/DM-TWIT-03");
        for (const auto& [seq, ts, value] : {std::tuple{2, now - 3000, 96.5}, std::tuple{3, now, 97.0}}) {
            const QByteArray payload =
                "{\"v\":" + QByteArray::number(value) + ",\"ts\":" + QByteArray::number(ts) + "}";
            QVERIFY(!m_broker.publish(
                topic, telemetry::signPayload(m_publisher, QStringLiteral("sim"), topic, quint64(seq), ts, payload)));
        }
        QTRY_VERIFY_WITH_TIMEOUT(tagText(QStringLiteral("DM-TWIT-03")).contains(u"ALARM HI"), 10'000);
        const QString text = tagText(QStringLiteral("DM-TWIT-03"));
        QVERIFY2(text.contains(u"unacknowledged") && text.contains(u"high") && !text.contains(u"HIHI"),
                 qPrintable(text));
    }

    void theAlarmIsOnTheTwinItsLabelAndTrend()
    {
        // The transmitter with the HI alarm blinks in the high-priority colour on the 3D view
        // (selection shows blue, so look once it is deselected), is labelled with its value and
        // priority, and the trend dock plots its tag with the limit drawn.
        scenes::TelemetryOverlay* overlay = m_window->overlay();
        QVERIFY(overlay);
        QTRY_VERIFY(overlay->condition(QStringLiteral("TWIT03")).alarmed);
        QCOMPARE(overlay->condition(QStringLiteral("TWIT03")).priority, alarms::Priority::High);
        m_window->selectItem(QString());
        scenes::TwinView* view = m_window->twinView();
        const QColor high = scenes::alarmColor(alarms::Priority::High);
        QTRY_COMPARE_WITH_TIMEOUT(view->drawnColor(QStringLiteral("TWIT03")), high, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(view->drawnColor(QStringLiteral("TWIT03")) != high, 5000); // blinking
        QTRY_VERIFY(m_window->labelLayer()->shownAssets().contains(QStringLiteral("TWIT03")));
        QVERIFY2(m_window->labelLayer()->labelText(QStringLiteral("TWIT03")).contains(u"HIGH unack"),
                 qPrintable(m_window->labelLayer()->labelText(QStringLiteral("TWIT03"))));

        // "Show trend" from the asset's menu in the 3D view.
        std::unique_ptr<QMenu> menu(m_window->assetContextMenu(QStringLiteral("TWIT03")));
        QAction* trend = menu->findChild<QAction*>(QStringLiteral("showAssetTrend"));
        QVERIFY(trend);
        trend->trigger();
        QCOMPARE(m_window->selectedItem(), QStringLiteral("TWIT03"));
        QTRY_VERIFY(m_window->trendPanel()->isVisible());
        QTRY_VERIFY(m_window->trendPanel()->model()->rowCount() >= 2);
        QStringList series;
        for (const QAbstractSeries* each : m_window->trendPanel()->chart()->series())
            series.append(each->objectName());
        QVERIFY2(series.contains(QStringLiteral("pen:DM-TWIT-03")) &&
                     series.contains(QStringLiteral("limit:DM-TWIT-03:HI")),
                 qPrintable(series.join(u' ')));
        m_window->selectItem(QString());
        // The legend explains every look the overlay can give.
        const auto* legend = m_window->findChild<ui::LegendPanel*>();
        QVERIFY(legend);
        QCOMPARE(legend->entries().size(), 9);
        QVERIFY(legend->entries().filter(QStringLiteral("Untrusted")).size() == 1);
    }

    void unsignedValueIsUntrustedAndAudited()
    {
        m_window->selectItem(QStringLiteral("FT01"));
        QVERIFY(!m_broker.publish(prefix + QStringLiteral("/DM-FT01"), "{\"v\":3.5}"));
        QTRY_VERIFY_WITH_TIMEOUT(tagText(QStringLiteral("DM-FT01")).contains(u"untrusted"), 10'000);
        QVERIFY(!tagText(QStringLiteral("DM-FT01")).contains(u"good"));
        // On the twin: black and white checks, never an alarm colour.
        QTRY_COMPARE(m_window->twinView()->drawnPattern(QStringLiteral("FT01")), scenes::SurfacePattern::Checkered);
        QVERIFY(m_window->overlay()->condition(QStringLiteral("FT01")).untrusted);
        QTRY_VERIFY_WITH_TIMEOUT(!auditEntries(QStringLiteral("telemetry.untrusted")).isEmpty(), 10'000);
        const QByteArray entry = auditEntries(QStringLiteral("telemetry.untrusted")).constFirst();
        QVERIFY2(entry.contains("signature.missing") && entry.contains("plant-broker"), entry.constData());
        QVERIFY2(entry.contains("\"outcome\":\"refused\""), entry.constData());
    }

    void anAdminChangesABackendUnderSignature()
    {
        // The first admin logs in; only then may backends be changed, each change signed.
        identity::SessionManager::Options options;
        options.users.path = m_data.filePath(QStringLiteral("users.db"));
        options.users.scrypt = {12, 8, 1};
        m_session = std::make_unique<identity::SessionManager>(options, m_log.get());
        ui::ConnectionsPanel* panel = m_window->connectionsPanel();
        QVERIFY(panel);
        QVERIFY(!panel->canManage()); // nobody logged in
        m_window->setSession(m_session.get());
        ui::LoginDialog* login = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((login = m_window->loginDialog()) && login->isVisible(), 5000);
        const QString pass = QStringLiteral("Plant-Admin-Pass-01");
        QTest::keyClicks(login->nameField(), QStringLiteral("ana"));
        QTest::keyClicks(login->newPasswordField(), pass);
        QTest::keyClicks(login->repeatField(), pass);
        QTest::keyClick(login->repeatField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), identity::SessionManager::State::Active, 10'000);
        QTRY_VERIFY(panel->canManage());

        telemetry::BackendSettings changed = *m_hub->backend(QStringLiteral("plant-broker"));
        changed.name = QStringLiteral("Plant broker (renamed)");
        changed.expectedPeriodMs = 2000;
        changed.username = QStringLiteral("ws-7"); // the broker takes the name from the certificate
        Q_EMIT panel->applyRequested(changed, QStringLiteral("New-Broker-Secret-9"), std::nullopt, false);
        ui::ESignatureDialog* sign = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((sign = m_window->findChild<ui::ESignatureDialog*>()) && sign->isVisible(), 5000);
        QCOMPARE(m_hub->backend(QStringLiteral("plant-broker"))->name, QStringLiteral("Plant broker")); // not yet
        if (sign->userIdField()->isVisible())
            QTest::keyClicks(sign->userIdField(), QStringLiteral("ana"));
        QTest::keyClicks(sign->passwordField(), pass);
        QTest::keyClick(sign->passwordField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_hub->backend(QStringLiteral("plant-broker"))->name,
                                  QStringLiteral("Plant broker (renamed)"), 15'000);
        // Saved to disk, reconnected, and recorded with what changed but never the secret.
        QVERIFY(telemetry::loadBackendSettings(m_hub->settingsPath()).value().at(0).expectedPeriodMs == 2000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->telemetryStatusText(), QStringLiteral("Telemetry: 1/1 connected"), 15'000);
        QTRY_VERIFY_WITH_TIMEOUT(!auditEntries(QStringLiteral("backend.change")).isEmpty(), 10'000);
        const QByteArray entry = auditEntries(QStringLiteral("backend.change")).constFirst();
        QVERIFY2(entry.contains("\"name\"") && entry.contains("expectedPeriodMs") &&
                     entry.contains("\"password\":\"changed\""),
                 entry.constData());
        QVERIFY(!entry.contains("New-Broker-Secret-9"));
        QVERIFY(!auditEntries(QStringLiteral("esign")).isEmpty());
        QFile settings(m_hub->settingsPath());
        QVERIFY(settings.open(QIODevice::ReadOnly));
        QVERIFY(!settings.readAll().contains("New-Broker-Secret-9"));
    }
};

QTEST_MAIN(TestWorkstationTelemetry)
#include "tst_workstationtelemetry.moc"
