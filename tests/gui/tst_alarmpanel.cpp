// SPDX-License-Identifier: Apache-2.0
// The alarm list as an operator meets it, under Xvfb, over the demo plant with a real tag store,
// alarm engine, session and signed audit log: counts in the status bar, filters and sorting,
// double-click flying to the asset, and acknowledging and shelving under an electronic
// signature, each with its audit entry; an auditor is refused and nothing changes.
#include "alarms/alarmengine.h"
#include "alarmwindowtest.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "dialogs/shelvedialog.h"
#include "docks/alarmpanel.h"
#include "identity/session.h"
#include "identity/userstore.h"
#include "mainwindow.h"
#include "models/alarmlistmodel.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"
#include "twinview.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QWindow>

using namespace twinspect;
using identity::SessionManager;

namespace {
const QString kEngineerPass = QStringLiteral("Shift-Lead-Pass-42");
const QString kAuditorPass = QStringLiteral("Review-Only-Pass-77");
const QString kTwitHi = QStringLiteral("DM-TWIT-03:HI");
const QString kTwitHiHi = QStringLiteral("DM-TWIT-03:HIHI");
const QString kPumpRun = QStringLiteral("DM-PP01A-R:STATE");
const QString kLevelLo = QStringLiteral("DM-LIT01:LO");
} // namespace

class TestAlarmPanel : public twinspect::test::AlarmWindowTest
{
    Q_OBJECT
private:
    ui::AlarmPanel* panel() const { return m_window->alarmPanel(); }

    QSet<QString> shownSet() const
    {
        const QStringList ids = panel()->shownAlarmIds();
        return QSet<QString>(ids.begin(), ids.end());
    }

    int rowOf(const QString& alarmId) const { return static_cast<int>(panel()->shownAlarmIds().indexOf(alarmId)); }

private Q_SLOTS:
    void initTestCase()
    {
        startWorkstation({{QStringLiteral("eve"), identity::Role::Engineer, kEngineerPass},
                          {QStringLiteral("audrey"), identity::Role::Auditor, kAuditorPass}});
        if (QTest::currentTestFailed())
            return;
        QVERIFY(panel());
        m_window->setSession(m_session.get());
        QVERIFY(logIn(QStringLiteral("audrey"), kAuditorPass));
    }

    void cleanupTestCase()
    {
        m_window->detachSession();
        m_window.reset();
        m_hub.reset();
        m_session.reset();
        m_log.reset();
    }

    void statusBarCountsAlarmsAndOpensTheList()
    {
        QCOMPARE(m_window->alarmStatusText(),
                 QStringLiteral("Alarms 0 urgent · 0 high · 0 medium · 0 low — 0 unacknowledged"));
        hold(QStringLiteral("DM-TWIT-03"), 99.0); // above HI (95, high) and HIHI (98, urgent)
        hold(QStringLiteral("DM-LIT01"), 100.0);  // below LO (200, medium)
        feed(QStringLiteral("DM-PP01A-R"), false, QDateTime::currentMSecsSinceEpoch()); // the pump stopped (high)
        QTRY_COMPARE_WITH_TIMEOUT(m_window->alarmStatusText(),
                                  QStringLiteral("Alarms 1 urgent · 2 high · 1 medium · 0 low — 4 unacknowledged"),
                                  5000);

        auto* dock = m_window->findChild<QDockWidget*>(QStringLiteral("alarmsDock"));
        QVERIFY(dock);
        QVERIFY(!dock->isVisible());
        auto* label = m_window->findChild<QLabel*>(QStringLiteral("alarmStatus"));
        QVERIFY(label && label->isVisible());
        QVERIFY2(label->text().contains(QStringLiteral("#e51c23")), qPrintable(label->text())); // urgent red
        QTest::mouseClick(label, Qt::LeftButton);
        QTRY_VERIFY(dock->isVisible());
        QCOMPARE(panel()->shownAlarmIds().size(), 4);
    }

    void listsTheMostUrgentFirstAndSorts()
    {
        // Default order: priority, most urgent on top; the medium one last.
        const QStringList ids = panel()->shownAlarmIds();
        QCOMPARE(ids.first(), kTwitHiHi);
        QCOMPARE(ids.last(), kLevelLo);
        QTableView* table = panel()->table();
        const QModelIndex top = table->model()->index(0, ui::AlarmListModel::Priority);
        QCOMPARE(top.data().toString(), QStringLiteral("urgent"));
        QVERIFY(top.data(Qt::FontRole).value<QFont>().bold()); // unacknowledged

        // A click on the Tag header sorts by tag.
        const int x = table->horizontalHeader()->sectionViewportPosition(ui::AlarmListModel::Tag) + 5;
        QTest::mouseClick(table->horizontalHeader()->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(x, 5));
        QTRY_COMPARE(table->horizontalHeader()->sortIndicatorSection(), int(ui::AlarmListModel::Tag));
        QStringList tags;
        for (int row = 0; row < table->model()->rowCount(); ++row)
            tags.append(table->model()->index(row, ui::AlarmListModel::Tag).data().toString());
        QStringList sorted = tags;
        std::sort(sorted.begin(), sorted.end());
        if (table->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder)
            std::reverse(sorted.begin(), sorted.end());
        QCOMPARE(tags, sorted);
        table->sortByColumn(ui::AlarmListModel::Priority, Qt::DescendingOrder);
        QCOMPARE(panel()->shownAlarmIds().first(), kTwitHiHi);
    }

    void filtersByPriorityAreaAndState()
    {
        panel()->priorityFilter()->setCurrentText(QStringLiteral("high"));
        QCOMPARE(shownSet(), (QSet<QString>{kTwitHi, kPumpRun}));
        panel()->priorityFilter()->setCurrentIndex(0);

        // The level transmitter is in "Heat exchange & return", the others in "Water supply & storage".
        panel()->areaFilter()->setCurrentText(QStringLiteral("Heat exchange & return"));
        QCOMPARE(panel()->shownAlarmIds(), QStringList{kLevelLo});
        panel()->areaFilter()->setCurrentText(QStringLiteral("Heating loop"));
        QVERIFY(panel()->shownAlarmIds().isEmpty());
        QCOMPARE(panel()->summaryText(), QStringLiteral("0 shown of 4"));
        panel()->areaFilter()->setCurrentIndex(0);

        panel()->stateFilter()->setCurrentText(QStringLiteral("Shelved"));
        QVERIFY(panel()->shownAlarmIds().isEmpty());
        panel()->stateFilter()->setCurrentText(QStringLiteral("Unacknowledged"));
        QCOMPARE(panel()->shownAlarmIds().size(), 4);
        panel()->stateFilter()->setCurrentIndex(0);
    }

    void doubleClickSelectsAndFliesToTheAsset()
    {
        QTableView* table = panel()->table();
        const int row = rowOf(kLevelLo);
        QVERIFY(row >= 0);
        const QRect cell = table->visualRect(table->model()->index(row, ui::AlarmListModel::Tag));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
        QTRY_COMPARE(m_window->selectedItem(), QStringLiteral("LIT01"));
        scenes::TwinView* view = m_window->twinView();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isCameraAnimating(), 5000);
        const QPointF centre = *view->projectedCenter(QStringLiteral("LIT01"));
        const QSize size = view->window()->size();
        QVERIFY2(std::abs(centre.x() - size.width() / 2.0) < size.width() * 0.05 &&
                     std::abs(centre.y() - size.height() / 2.0) < size.height() * 0.05,
                 qPrintable(QStringLiteral("LIT01 at %1,%2").arg(centre.x()).arg(centre.y())));
    }

    void anAuditorCannotAcknowledgeAndNothingChanges()
    {
        // GIVEN the auditor, whose role may look but not operate
        QCOMPARE(m_session->user()->name, QStringLiteral("audrey"));
        panel()->selectAlarms({kTwitHi});
        QVERIFY(panel()->acknowledgeAction()->isEnabled());
        // WHEN they acknowledge
        panel()->acknowledgeAction()->trigger();
        // THEN no signature is asked, the alarm is still unacknowledged, and the refusal is recorded
        QTest::qWait(100);
        QVERIFY(!m_window->findChild<ui::ESignatureDialog*>());
        QCOMPARE(stateOf(kTwitHi), alarms::AlarmState::UnackActive);
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.acknowledge"), kTwitHi).size(), 1, 5000);
        const Entry entry = auditEntries(QStringLiteral("alarm.acknowledge"), kTwitHi).constFirst();
        QCOMPARE(entry.outcome, QStringLiteral("refused"));
        QCOMPARE(entry.operatorName, QStringLiteral("audrey"));
        QVERIFY2(entry.body.contains("role not allowed"), entry.body.constData());
        QVERIFY(m_window->alarmStatusText().endsWith(QStringLiteral("4 unacknowledged")));
    }

    void anEngineerAcknowledgesWithAnElectronicSignature()
    {
        QVERIFY(logIn(QStringLiteral("eve"), kEngineerPass));
        m_window->showAlarms();
        panel()->selectAlarms({kTwitHi});
        panel()->table()->setFocus();
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(panel()->table(), Qt::Key_K, Qt::ControlModifier);
        ui::ESignatureDialog* dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        QCOMPARE(stateOf(kTwitHi), alarms::AlarmState::UnackActive); // nothing before the signature
        sign(dialog, QStringLiteral("eve"), kEngineerPass);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kTwitHi), alarms::AlarmState::AckActive, 15'000);
        QCOMPARE(engine()->alarm(kTwitHi)->acknowledgedBy, QStringLiteral("eve"));
        QVERIFY(m_window->alarmStatusText().endsWith(QStringLiteral("3 unacknowledged")));
        const int row = rowOf(kTwitHi);
        QVERIFY(!panel()->table()->model()->index(row, 0).data(Qt::FontRole).value<QFont>().bold());

        const QList<Entry> entries = auditEntries(QStringLiteral("alarm.acknowledge"), kTwitHi);
        QCOMPARE(entries.size(), 2); // the auditor's refusal, then this
        QCOMPARE(entries.last().outcome, QStringLiteral("success"));
        QCOMPARE(entries.last().operatorName, QStringLiteral("eve"));
        QVERIFY2(entries.last().body.contains("\"tag\":\"DM-TWIT-03\"") &&
                     entries.last().body.contains("\"priority\":\"high\"") &&
                     entries.last().body.contains("\"state\":\"unack-active\""),
                 entries.last().body.constData());
        // The signature is in the log with the signer's printed name.
        bool signedByEve = false;
        for (const Entry& entry : auditEntries(QStringLiteral("esign")))
            signedByEve |= entry.body.contains("\"esig\":{\"name\":\"eve\"") && entry.body.contains(kTwitHi.toUtf8());
        QVERIFY(signedByEve);
    }

    void cancellingTheSignatureAcknowledgesNothing()
    {
        panel()->selectAlarms({kPumpRun});
        panel()->acknowledgeAction()->trigger();
        ui::ESignatureDialog* dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        dialog->reject();
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.acknowledge"), kPumpRun).size(), 1, 5000);
        const Entry entry = auditEntries(QStringLiteral("alarm.acknowledge"), kPumpRun).constFirst();
        QCOMPARE(entry.outcome, QStringLiteral("refused"));
        QVERIFY2(entry.body.contains("cancelled"), entry.body.constData());
        QCOMPARE(stateOf(kPumpRun), alarms::AlarmState::UnackActive);

        // A wrong password, then giving up: a failure, recorded as such.
        panel()->acknowledgeAction()->trigger();
        dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        sign(dialog, QStringLiteral("eve"), QStringLiteral("not-her-password"));
        QTRY_VERIFY_WITH_TIMEOUT(
            [dialog] {
                for (const QLabel* label : dialog->findChildren<QLabel*>()) {
                    if (label->text().contains(QStringLiteral("wrong password")))
                        return true;
                }
                return false;
            }(),
            10'000);
        dialog->reject();
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.acknowledge"), kPumpRun).size(), 2, 5000);
        const Entry failed = auditEntries(QStringLiteral("alarm.acknowledge"), kPumpRun).constLast();
        QCOMPARE(failed.outcome, QStringLiteral("failure"));
        QVERIFY2(failed.body.contains("wrong password"), failed.body.constData());
        QCOMPARE(stateOf(kPumpRun), alarms::AlarmState::UnackActive);
    }

    void theAssetMenuAcknowledgesTheAssetsAlarms()
    {
        // A right click on the transmitter in the 3D view opens its menu there.
        scenes::TwinView* view = m_window->twinView();
        view->flyTo(QStringLiteral("TWIT03"), false);
        QTRY_VERIFY_WITH_TIMEOUT(view->projectedCenter(QStringLiteral("TWIT03")).has_value(), 5000);
        const QPoint at = view->projectedCenter(QStringLiteral("TWIT03"))->toPoint();
        QTRY_COMPARE_WITH_TIMEOUT(view->itemAt(at), QStringLiteral("TWIT03"), 5000); // picking sees the new camera
        QTest::mouseClick(view->window(), Qt::RightButton, Qt::NoModifier, at);
        QMenu* popup = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (popup = m_window->findChild<QMenu*>(QStringLiteral("assetContextMenu"))) && popup->isVisible(), 5000);
        QCOMPARE(m_window->selectedItem(), QStringLiteral("TWIT03"));
        QVERIFY(popup->findChild<QAction*>(QStringLiteral("acknowledgeAssetAlarms"))->isEnabled());
        popup->close();

        // What that menu holds for the temperature transmitter: its one alarm left.
        std::unique_ptr<QMenu> menu(m_window->assetContextMenu(QStringLiteral("TWIT03")));
        auto* acknowledge = menu->findChild<QAction*>(QStringLiteral("acknowledgeAssetAlarms"));
        QVERIFY(acknowledge && acknowledge->isEnabled());
        QCOMPARE(acknowledge->text(), QStringLiteral("Acknowledge 1 alarm(s) of Temperature transmitter on TK01"));
        QVERIFY(menu->findChild<QAction*>(QStringLiteral("flyToAsset")));
        QVERIFY(menu->findChild<QAction*>(QStringLiteral("showAssetProperties")));
        QVERIFY(menu->findChild<QAction*>(QStringLiteral("shelveAssetAlarms"))->isEnabled());
        acknowledge->trigger();
        ui::ESignatureDialog* dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        sign(dialog, QStringLiteral("eve"), kEngineerPass);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kTwitHiHi), alarms::AlarmState::AckActive, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.acknowledge"), kTwitHiHi).size(), 1, 5000);
        QCOMPARE(auditEntries(QStringLiteral("alarm.acknowledge"), kTwitHiHi).constFirst().operatorName,
                 QStringLiteral("eve"));
        std::unique_ptr<QMenu> after(m_window->assetContextMenu(QStringLiteral("TWIT03")));
        QVERIFY(!after->findChild<QAction*>(QStringLiteral("acknowledgeAssetAlarms"))->isEnabled());
    }

    void shelvingNeedsAReason()
    {
        panel()->selectAlarms({kLevelLo});
        QVERIFY(panel()->shelveAction()->isEnabled());
        panel()->shelveAction()->trigger();
        ui::ShelveDialog* shelve = nullptr;
        QTRY_VERIFY((shelve = m_window->findChild<ui::ShelveDialog*>()) && shelve->isVisible());
        QVERIFY(!shelve->okButton()->isEnabled()); // no reason yet
        QTest::keyClicks(shelve->reasonField(), QStringLiteral("   "));
        QVERIFY(!shelve->okButton()->isEnabled());
        QTest::keyClick(shelve->reasonField(), Qt::Key_Return); // Enter does not get around it
        QVERIFY(shelve->isVisible());
        // Nor does calling the window directly.
        m_window->shelveAlarms({kLevelLo}, QDateTime::currentMSecsSinceEpoch() + 60'000, QString());
        QTest::qWait(100);
        QVERIFY(!m_window->findChild<ui::ESignatureDialog*>());
        QCOMPARE(stateOf(kLevelLo), alarms::AlarmState::UnackActive);

        shelve->reasonField()->clear();
        QTest::keyClicks(shelve->reasonField(), QStringLiteral("level transmitter recalibration, WO 4711"));
        QVERIFY(shelve->okButton()->isEnabled());
        shelve->okButton()->click();
        ui::ESignatureDialog* dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        sign(dialog, QStringLiteral("eve"), kEngineerPass);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kLevelLo), alarms::AlarmState::Shelved, 15'000);
        QCOMPARE(engine()->alarm(kLevelLo)->shelveReason, QStringLiteral("level transmitter recalibration, WO 4711"));
        QVERIFY2(m_window->alarmStatusText().contains(QStringLiteral("1 shelved")),
                 qPrintable(m_window->alarmStatusText()));
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.shelve"), kLevelLo).size(), 1, 5000);
        const Entry entry = auditEntries(QStringLiteral("alarm.shelve"), kLevelLo).constFirst();
        QCOMPARE(entry.outcome, QStringLiteral("success"));
        QCOMPARE(entry.operatorName, QStringLiteral("eve"));
        QVERIFY2(entry.body.contains("\"shelveReason\":\"level transmitter recalibration, WO 4711\"") &&
                     entry.body.contains("\"until\":"),
                 entry.body.constData());

        // Unshelving is the same kind of action.
        panel()->stateFilter()->setCurrentText(QStringLiteral("Shelved"));
        QCOMPARE(panel()->shownAlarmIds(), QStringList{kLevelLo});
        panel()->selectAlarms({kLevelLo});
        panel()->unshelveAction()->trigger();
        dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        sign(dialog, QStringLiteral("eve"), kEngineerPass);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kLevelLo), alarms::AlarmState::UnackActive, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(auditEntries(QStringLiteral("alarm.unshelve"), kLevelLo).size(), 1, 5000);
        panel()->stateFilter()->setCurrentIndex(0);
    }

    void acknowledgeAllShownTakesOneSignature()
    {
        panel()->stateFilter()->setCurrentText(QStringLiteral("Unacknowledged"));
        QCOMPARE(shownSet(), (QSet<QString>{kPumpRun, kLevelLo}));
        const qsizetype signaturesBefore = auditEntries(QStringLiteral("esign")).size();
        panel()->acknowledgeShownAction()->trigger();
        ui::ESignatureDialog* dialog = waitForSignatureDialog();
        QVERIFY(dialog);
        sign(dialog, QStringLiteral("eve"), kEngineerPass);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kPumpRun), alarms::AlarmState::AckActive, 15'000);
        QCOMPARE(stateOf(kLevelLo), alarms::AlarmState::AckActive);
        QVERIFY(panel()->shownAlarmIds().isEmpty());
        QVERIFY(m_window->alarmStatusText().endsWith(QStringLiteral("0 unacknowledged")));
        QCOMPARE(auditEntries(QStringLiteral("esign")).size(), signaturesBefore + 1);
        QCOMPARE(auditEntries(QStringLiteral("alarm.acknowledge"), kPumpRun).constLast().outcome,
                 QStringLiteral("success"));
        QCOMPARE(auditEntries(QStringLiteral("alarm.acknowledge"), kLevelLo).constLast().outcome,
                 QStringLiteral("success"));
        panel()->stateFilter()->setCurrentIndex(0);
    }

    void shortcutsDoNotClash()
    {
        // Ctrl+Shift+L opens the list and Ctrl+K acknowledges in it: neither may shadow a window
        // command (shortcuts local to other docks, like the Connections dock's F5, may repeat).
        QHash<QKeySequence, QString> window;
        for (const QAction* action : m_window->findChildren<QAction*>()) {
            if (action->shortcutContext() != Qt::WindowShortcut && action->shortcutContext() != Qt::ApplicationShortcut)
                continue;
            for (const QKeySequence& key : action->shortcuts()) {
                QVERIFY2(!window.contains(key),
                         qPrintable(QStringLiteral("%1 is both \"%2\" and \"%3\"")
                                        .arg(key.toString(), window.value(key), action->text())));
                window.insert(key, action->text());
            }
        }
        QCOMPARE(window.value(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L)), QStringLiteral("Alarms"));
        for (const QAction* action : panel()->findChildren<QAction*>()) {
            for (const QKeySequence& key : action->shortcuts())
                QVERIFY2(!window.contains(key), qPrintable(key.toString()));
        }
        QCOMPARE(panel()->acknowledgeAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_K));
    }

    void anAlarmThatIsOverStaysAsRecent()
    {
        // The pump runs again: its acknowledged alarm returns to normal and is listed, greyed, as recent.
        feed(QStringLiteral("DM-PP01A-R"), true, QDateTime::currentMSecsSinceEpoch());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(kPumpRun), alarms::AlarmState::Normal, 5000);
        const int row = rowOf(kPumpRun);
        QVERIFY(row >= 0);
        const QModelIndex index = panel()->table()->model()->index(row, ui::AlarmListModel::State);
        QCOMPARE(index.data().toString(), QStringLiteral("normal (recent)"));
        QCOMPARE(index.data(Qt::ForegroundRole).value<QColor>(), QColor(Qt::gray));
        QVERIFY(m_window->alarmStatusText().startsWith(QStringLiteral("Alarms 1 urgent · 1 high · 1 medium")));
    }
};

QTEST_MAIN(TestAlarmPanel)
#include "tst_alarmpanel.moc"
