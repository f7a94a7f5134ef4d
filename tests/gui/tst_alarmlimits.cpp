// SPDX-License-Identifier: Apache-2.0
// Admins change a tag's alarm limits over the plant file, under Xvfb, over the demo plant with a
// real tag store, alarm engine, session and signed audit log: the asset menu's "Edit alarm
// limits…", in-place checks, the electronic signature, the overrides file, the engine using the
// new limit with its states kept, the audit entry with before and after, refusals and reverting.
#include "alarms/alarmengine.h"
#include "alarms/alarmoverrides.h"
#include "alarmwindowtest.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "dialogs/alarmlimitsdialog.h"
#include "dialogs/esignaturedialog.h"
#include "identity/session.h"
#include "identity/userstore.h"
#include "mainwindow.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;
using identity::SessionManager;

namespace {
const QString kAdminPass = QStringLiteral("Limits-Keeper-Pass-19");
const QString kEngineerPass = QStringLiteral("Shift-Lead-Pass-42");
const QString kTag = QStringLiteral("DM-TWIT-03");
const QString kTwitHi = QStringLiteral("DM-TWIT-03:HI");
const QString kAsset = QStringLiteral("TWIT03");
} // namespace

class TestAlarmLimits : public twinspect::test::AlarmWindowTest
{
    Q_OBJECT
private:
    QByteArray overridesFile() const
    {
        QFile file(m_window->alarmOverridesPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static void setText(QLineEdit* field, const QString& text)
    {
        field->selectAll();
        QTest::keyClicks(field, text);
    }

private Q_SLOTS:
    void initTestCase()
    {
        startWorkstation({{QStringLiteral("ada"), identity::Role::Admin, kAdminPass},
                          {QStringLiteral("eve"), identity::Role::Engineer, kEngineerPass}});
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(m_window->alarmOverridesPath(), m_dir.filePath(QStringLiteral("alarms.json")));
        m_window->setSession(m_session.get());
        QVERIFY(logIn(QStringLiteral("eve"), kEngineerPass));
    }

    void cleanupTestCase()
    {
        m_window->detachSession();
        m_window.reset();
        m_hub.reset();
        m_session.reset();
        m_log.reset();
    }

    void anEngineerDoesNotGetTheAction()
    {
        // GIVEN a value between the new limit (90) and the plant file's (95): not an alarm yet
        hold(kTag, 92.0);
        QTRY_VERIFY_WITH_TIMEOUT(engine()->alarm(kTwitHi)->hasData, 5000);
        QCOMPARE(stateOf(kTwitHi), alarms::AlarmState::Normal);
        // WHEN the engineer opens the asset's menu THEN there is no alarm configuration in it
        std::unique_ptr<QMenu> menu(m_window->assetContextMenu(kAsset));
        QVERIFY(menu->findChild<QAction*>(QStringLiteral("acknowledgeAssetAlarms")));
        QVERIFY(!menu->findChild<QAction*>(QStringLiteral("editAssetAlarmLimits")));
        // AND asking the window directly is refused, recorded, and writes nothing
        alarms::AlarmConfig config;
        config.hi = alarms::AnalogLimit{90, alarms::Priority::High};
        m_window->setAlarmOverride(kTag, config);
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.configure")).size(), 1, 5000);
        const Entry entry = auditEntries(QStringLiteral("alarm.configure")).constFirst();
        QCOMPARE(entry.outcome, QStringLiteral("refused"));
        QCOMPARE(entry.operatorName, QStringLiteral("eve"));
        QCOMPARE(entry.target, kTag);
        QVERIFY2(entry.body.contains("configure alarms: role not allowed"), entry.body.constData());
        QVERIFY(!m_window->findChild<ui::ESignatureDialog*>());
        QVERIFY(!QFile::exists(m_window->alarmOverridesPath()));
    }

    void anAdminLowersTheHiLimitWithAnElectronicSignature()
    {
        QVERIFY(logIn(QStringLiteral("ada"), kAdminPass));
        std::unique_ptr<QMenu> menu(m_window->assetContextMenu(kAsset));
        QAction* edit = menu->findChild<QAction*>(QStringLiteral("editAssetAlarmLimits"));
        QVERIFY(edit && edit->isEnabled());
        edit->trigger();
        ui::AlarmLimitsDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<ui::AlarmLimitsDialog*>()) && dialog->isVisible());
        QCOMPARE(dialog->tag(), kTag);
        QVERIFY(dialog->limitEnabled(alarms::AlarmKind::Hi)->isChecked());
        QCOMPARE(dialog->limitField(alarms::AlarmKind::Hi)->text(), QStringLiteral("95"));
        QCOMPARE(dialog->limitField(alarms::AlarmKind::HiHi)->text(), QStringLiteral("98"));
        QVERIFY(!dialog->limitEnabled(alarms::AlarmKind::Lo)->isChecked());
        QCOMPARE(dialog->onDelayField()->value(), 2000);
        QVERIFY(!dialog->revertButton()->isEnabled()); // nothing to revert yet
        QVERIFY(dialog->okButton()->isEnabled());

        // Checked in place: HI above HIHI cannot be applied.
        setText(dialog->limitField(alarms::AlarmKind::Hi), QStringLiteral("99"));
        QVERIFY(!dialog->okButton()->isEnabled());
        QVERIFY2(dialog->problemLabel()->text().contains(QStringLiteral("must be above")),
                 qPrintable(dialog->problemLabel()->text()));
        setText(dialog->limitField(alarms::AlarmKind::Hi), QStringLiteral("abc"));
        QVERIFY(!dialog->okButton()->isEnabled());
        setText(dialog->limitField(alarms::AlarmKind::Hi), QStringLiteral("90"));
        QVERIFY(dialog->okButton()->isEnabled());
        QVERIFY(dialog->problemLabel()->isHidden());
        dialog->okButton()->click();

        ui::ESignatureDialog* signature = waitForSignatureDialog();
        QVERIFY(signature);
        QCOMPARE(stateOf(kTwitHi), alarms::AlarmState::Normal); // nothing before the signature
        QVERIFY(!QFile::exists(m_window->alarmOverridesPath()));
        sign(signature, QStringLiteral("ada"), kAdminPass);
        QTRY_VERIFY_WITH_TIMEOUT(overridesFile().contains("\"limit\": 90"), 15'000);

        // THEN the engine uses the new limit: 92 is now above HI
        hold(kTag, 92.0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kTwitHi), alarms::AlarmState::UnackActive, 10'000);
        QVERIFY2(engine()->alarm(kTwitHi)->message.contains(QStringLiteral("> 90")),
                 qPrintable(engine()->alarm(kTwitHi)->message));
        // AND the overrides file holds the tag under the plant's site
        const auto stored = alarms::loadAlarmOverrides(m_window->alarmOverridesPath());
        QVERIFY(stored.ok());
        const alarms::AlarmOverride* entry = stored.value().find(m_plant->siteId, kTag);
        QVERIFY(entry);
        QCOMPARE(entry->config.hi->limit, 90.0);
        QCOMPARE(entry->config.hiHi->limit, 98.0);
        QCOMPARE(entry->config.deadband, 1.0);
        // AND the audit log has who, before and after
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.configure")).size(), 2, 5000);
        const Entry record = auditEntries(QStringLiteral("alarm.configure")).constLast();
        QCOMPARE(record.outcome, QStringLiteral("success"));
        QCOMPARE(record.operatorName, QStringLiteral("ada"));
        QCOMPARE(record.target, kTag);
        QVERIFY2(record.body.contains("\"before\":{\"deadband\":1,\"hi\":{\"limit\":95,\"priority\":\"high\"}") &&
                     record.body.contains("\"after\":{\"deadband\":1,\"hi\":{\"limit\":90,\"priority\":\"high\"}") &&
                     record.body.contains("\"revertedToPlantFile\":false") &&
                     record.body.contains("\"site\":\"hai-boiler\""),
                 record.body.constData());
        bool signedByAda = false;
        for (const Entry& e : auditEntries(QStringLiteral("esign")))
            signedByAda |= e.body.contains("\"esig\":{\"name\":\"ada\"") && e.target == kTag;
        QVERIFY(signedByAda);
    }

    void cancellingTheSignatureChangesNothing()
    {
        const QByteArray before = overridesFile();
        const auto stored = alarms::loadAlarmOverrides(m_window->alarmOverridesPath());
        QVERIFY(stored.ok() && stored.value().find(m_plant->siteId, kTag));
        alarms::AlarmConfig config = stored.value().find(m_plant->siteId, kTag)->config;
        config.hi = alarms::AnalogLimit{85, alarms::Priority::Urgent};
        m_window->setAlarmOverride(kTag, config);
        ui::ESignatureDialog* signature = waitForSignatureDialog();
        QVERIFY(signature);
        signature->reject();
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.configure")).size(), 3, 5000);
        const Entry record = auditEntries(QStringLiteral("alarm.configure")).constLast();
        QCOMPARE(record.outcome, QStringLiteral("refused"));
        QVERIFY2(record.body.contains("cancelled") && record.body.contains("\"limit\":85"), record.body.constData());
        QCOMPARE(overridesFile(), before);
        QCOMPARE(engine()->alarm(kTwitHi)->priority, alarms::Priority::High);
    }

    void aBrokenOverridesFileLosesNothing()
    {
        const QByteArray good = overridesFile();
        {
            QFile file(m_window->alarmOverridesPath());
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{\"format\": \"twinspect-alarm-overrides\",\n \"version\": 1, \"sites\": [}");
        }
        m_window->setPlant(m_plant, {}); // configures the alarms again, as opening the plant does
        QVERIFY2(m_window->alarmOverridesProblem().startsWith(m_window->alarmOverridesPath() + QStringLiteral(":2:")),
                 qPrintable(m_window->alarmOverridesProblem()));
        QVERIFY(m_window->alarmOverridesProblem().contains(QStringLiteral("the plant file's alarms are used")));
        // The plant's alarms are all there, the file untouched, and editing is refused rather than overwriting it.
        QVERIFY(engine()->alarm(kTwitHi));
        QCOMPARE(engine()->alarmIds(kTag).size(), 2);
        const QByteArray broken = overridesFile();
        m_window->setAlarmOverride(kTag, std::nullopt); // the file cannot say there is an override: nothing to do
        QTest::qWait(100);
        QVERIFY(!m_window->findChild<ui::ESignatureDialog*>());
        QCOMPARE(overridesFile(), broken);
        {
            QFile file(m_window->alarmOverridesPath());
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(good);
        }
        m_window->setPlant(m_plant, {});
        QVERIFY(m_window->alarmOverridesProblem().isEmpty());
    }

    void revertingGoesBackToThePlantFile()
    {
        std::unique_ptr<QMenu> menu(m_window->assetContextMenu(kAsset));
        menu->findChild<QAction*>(QStringLiteral("editAssetAlarmLimits"))->trigger();
        ui::AlarmLimitsDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<ui::AlarmLimitsDialog*>()) && dialog->isVisible());
        QCOMPARE(dialog->limitField(alarms::AlarmKind::Hi)->text(), QStringLiteral("90"));
        QVERIFY(dialog->revertButton()->isEnabled());
        dialog->revertButton()->click();
        ui::ESignatureDialog* signature = waitForSignatureDialog();
        QVERIFY(signature);
        sign(signature, QStringLiteral("ada"), kAdminPass);
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.configure")).size(), 4, 15'000);
        const Entry record = auditEntries(QStringLiteral("alarm.configure")).constLast();
        QCOMPARE(record.outcome, QStringLiteral("success"));
        QVERIFY2(record.body.contains("\"revertedToPlantFile\":true") &&
                     record.body.contains("\"after\":{\"deadband\":1,\"hi\":{\"limit\":95"),
                 record.body.constData());
        const auto stored = alarms::loadAlarmOverrides(m_window->alarmOverridesPath());
        QVERIFY(stored.ok());
        QVERIFY(!stored.value().find(m_plant->siteId, kTag));
        // The alarm kept its state through both changes: raised at 92, still unacknowledged.
        QCOMPARE(stateOf(kTwitHi), alarms::AlarmState::UnackActive);
        // With 95 again, 92 is back below HI - deadband after the off-delay (5 s).
        hold(kTag, 92.0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kTwitHi), alarms::AlarmState::UnackRtn, 12'000);
    }
};

QTEST_MAIN(TestAlarmLimits)
#include "tst_alarmlimits.moc"
