// SPDX-License-Identifier: Apache-2.0
// The alarm list model over a real alarm engine: which alarms are listed (not normal, not "no data
// yet"), what each column says, and that it stays a valid model (QAbstractItemModelTester).
#include "alarms/alarmengine.h"
#include "models/alarmlistmodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QTest>

using namespace twinspect;
using ui::AlarmListModel;

namespace {

alarms::AlarmConfig twit03()
{
    alarms::AlarmConfig config;
    config.tag = QStringLiteral("DM-TWIT-03");
    config.unit = QStringLiteral("degC");
    config.hi = alarms::AnalogLimit{95.0, alarms::Priority::High};
    return config;
}

constexpr qint64 kMinute = 60'000;

} // namespace

class TestAlarmListModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listsWhatIsNotNormal()
    {
        qint64 now = 10'000;
        alarms::AlarmEngine engine([&] { return now; });
        alarms::AlarmConfig config;
        config.tag = QStringLiteral("DM-TWIT-03");
        config.unit = QStringLiteral("degC");
        config.hi = alarms::AnalogLimit{95.0, alarms::Priority::High};
        QVERIFY(engine.configure({config}).ok());
        AlarmListModel model(&engine);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto cell = [&](int column) { return model.data(model.index(0, column)).toString(); };

        QCOMPARE(model.rowCount(), 0); // no data yet is not an alarm
        engine.update(config.tag, 90.0, telemetry::Quality::Good, now);
        QCOMPARE(model.rowCount(), 0);

        engine.update(config.tag, 96.5, telemetry::Quality::Good, now += 1000);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(cell(AlarmListModel::Priority), QStringLiteral("high"));
        QCOMPARE(cell(AlarmListModel::Tag), config.tag);
        QCOMPARE(cell(AlarmListModel::Kind), QStringLiteral("HI"));
        QVERIFY2(cell(AlarmListModel::State).contains(u"unacknowledged"), qPrintable(cell(AlarmListModel::State)));
        QCOMPARE(cell(AlarmListModel::Value), QStringLiteral("96.5"));
        QVERIFY(cell(AlarmListModel::Message).contains(u"> 95"));
        QCOMPARE(model.data(model.index(0, 0), AlarmListModel::AlarmIdRole).toString(),
                 QStringLiteral("DM-TWIT-03:HI"));

        // Returned to normal but not acknowledged: still listed until someone acknowledges.
        engine.update(config.tag, 90.0, telemetry::Quality::Good, now += 1000);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(engine.acknowledge(QStringLiteral("DM-TWIT-03:HI"), QStringLiteral("ana"), now).ok());
        QCOMPARE(model.rowCount(), 0);

        // Bad data over an active alarm: listed as suppressed, never silently normal.
        engine.update(config.tag, 97.0, telemetry::Quality::Good, now += 1000);
        engine.update(config.tag, 97.0, telemetry::Quality::Bad, now += 1000);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY2(cell(AlarmListModel::State).contains(u"suppressed"), qPrintable(cell(AlarmListModel::State)));
        QCOMPARE(model.data(model.index(0, AlarmListModel::Priority), AlarmListModel::SortRole).toInt(),
                 int(alarms::Priority::High));
    }

    void recentAlarmsStayListedGreyedForTheWindow()
    {
        // GIVEN a 30-minute recent window
        qint64 now = 10'000;
        alarms::AlarmEngine engine([&] { return now; });
        const alarms::AlarmConfig config = twit03();
        QVERIFY(engine.configure({config}).ok());
        AlarmListModel model(&engine);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRecentWindow(30 * kMinute, [&] { return now; });
        engine.update(config.tag, 90.0, telemetry::Quality::Good, now);
        QCOMPARE(model.rowCount(), 0); // never raised: nothing recent about it

        // WHEN an alarm is raised, acknowledged and returns to normal
        engine.update(config.tag, 96.0, telemetry::Quality::Good, now += 1000);
        QVERIFY(!model.isRecent(0));
        QVERIFY(engine.acknowledge(QStringLiteral("DM-TWIT-03:HI"), QStringLiteral("ana"), now += 1000).ok());
        engine.update(config.tag, 90.0, telemetry::Quality::Good, now += 1000);

        // THEN it stays, greyed and marked recent, not bold and without its priority colour
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.isRecent(0));
        QVERIFY(model.data(model.index(0, 0), AlarmListModel::RecentRole).toBool());
        QCOMPARE(model.data(model.index(0, AlarmListModel::State)).toString(), QStringLiteral("normal (recent)"));
        QCOMPARE(model.data(model.index(0, AlarmListModel::Tag), Qt::ForegroundRole).value<QColor>(), QColor(Qt::gray));
        QVERIFY(!model.data(model.index(0, AlarmListModel::Priority), Qt::BackgroundRole).isValid());
        QVERIFY(!model.data(model.index(0, AlarmListModel::Tag), Qt::FontRole).isValid());

        // ... until the window has passed
        now += 29 * kMinute;
        model.refresh();
        QCOMPARE(model.rowCount(), 1);
        now += 2 * kMinute;
        model.refresh();
        QCOMPARE(model.rowCount(), 0);

        // Raised again: a live row once more, not a recent one.
        engine.update(config.tag, 97.0, telemetry::Quality::Good, now += 1000);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!model.isRecent(0));
    }

    void recentRowsLeaveByThemselves()
    {
        // The model's own timer takes a recent row out when its time is up, without any new sample.
        alarms::AlarmEngine engine;
        const alarms::AlarmConfig config = twit03();
        QVERIFY(engine.configure({config}).ok());
        AlarmListModel model(&engine);
        const qint64 start = QDateTime::currentMSecsSinceEpoch();
        engine.update(config.tag, 96.0, telemetry::Quality::Good, start);
        QVERIFY(engine.acknowledge(QStringLiteral("DM-TWIT-03:HI"), QStringLiteral("ana"), start).ok());
        engine.update(config.tag, 90.0, telemetry::Quality::Good, start + 1);
        QCOMPARE(model.rowCount(), 0); // no window: gone at once
        model.setRecentWindow(300);
        QCOMPARE(model.rowCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 0, 10'000);
    }

    void unacknowledgedRowsAreBoldInTheirPriorityColour()
    {
        qint64 now = 10'000;
        alarms::AlarmEngine engine([&] { return now; });
        const alarms::AlarmConfig config = twit03();
        QVERIFY(engine.configure({config}).ok());
        AlarmListModel model(&engine);
        engine.update(config.tag, 96.0, telemetry::Quality::Good, now);
        QVERIFY(model.data(model.index(0, AlarmListModel::Message), Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.data(model.index(0, AlarmListModel::Priority), Qt::BackgroundRole).value<QColor>(),
                 QColor(0xff, 0x7f, 0x00)); // high: the overlay's orange
        QVERIFY(engine.acknowledge(QStringLiteral("DM-TWIT-03:HI"), QStringLiteral("ana"), now += 1000).ok());
        QVERIFY(!model.data(model.index(0, AlarmListModel::Message), Qt::FontRole).isValid());
        QVERIFY(model.data(model.index(0, AlarmListModel::Priority), Qt::BackgroundRole).isValid()); // still active
    }
};

QTEST_GUILESS_MAIN(TestAlarmListModel)
#include "tst_alarmlistmodel.moc"
