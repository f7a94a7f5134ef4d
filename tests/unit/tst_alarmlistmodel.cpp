// SPDX-License-Identifier: Apache-2.0
// The alarm list model over a real alarm engine: which alarms are listed (not normal, not "no data
// yet"), what each column says, and that it stays a valid model (QAbstractItemModelTester).
#include "alarms/alarmengine.h"
#include "models/alarmlistmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace twinspect;
using ui::AlarmListModel;

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
};

QTEST_GUILESS_MAIN(TestAlarmListModel)
#include "tst_alarmlistmodel.moc"
