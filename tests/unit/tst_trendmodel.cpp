// SPDX-License-Identifier: Apache-2.0
// The trend model over a real tag store with a fake clock: which points are shown for a window,
// where lines break (bad, stale, untrusted, no number, time gaps), that pausing freezes what is
// shown, zoom and pan, the exact CSV, and that it stays a valid model (QAbstractItemModelTester).
#include "models/trendmodel.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <limits>

using namespace twinspect;
using telemetry::Quality;
using ui::TrendModel;
using ui::TrendPen;

namespace {

const qint64 kT0 = QDateTime::fromString(QStringLiteral("2026-11-26T08:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A tag store on a clock the test moves, fed one sample at a time.
struct Feed
{
    qint64 now = kT0;
    telemetry::TagStore store;

    Feed()
    {
        store.setClock([this] { return now; });
    }
    /// A sample of `tag` measured at kT0 + seconds (ms precision); NaN: a sample without a number.
    void add(const QString& tag, double seconds, double value, Quality quality = Quality::Good, qint64 periodMs = 1000)
    {
        telemetry::Sample sample;
        sample.tag = tag;
        sample.sourceTimeMs = kT0 + std::llround(seconds * 1000.0);
        sample.receiveTimeMs = sample.sourceTimeMs;
        if (!std::isnan(value))
            sample.value = value;
        sample.quality = quality;
        store.ingest({sample}, QStringLiteral("test"), periodMs);
        now = std::max(now, sample.sourceTimeMs);
    }
};

TrendPen pen(const QString& tag, const QString& unit)
{
    TrendPen result;
    result.tag = tag;
    result.unit = unit;
    return result;
}

QString segmentText(const QList<ui::TrendSegment>& segments)
{
    QStringList parts;
    for (const ui::TrendSegment& segment : segments)
        parts << QStringLiteral("%1-%2").arg(segment.first).arg(segment.last);
    return parts.join(u' ');
}

std::optional<Quality> qualityFromName(QStringView name)
{
    for (Quality quality : {Quality::Good, Quality::Uncertain, Quality::Stale, Quality::Bad, Quality::Untrusted}) {
        if (telemetry::qualityName(quality) == name)
            return quality;
    }
    return std::nullopt;
}

} // namespace

class TestTrendModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsAreThePointsInTheWindow()
    {
        // GIVEN two tags, one reporting for two minutes and one for the last 30 s, and a 1 min window
        Feed feed;
        for (int i = 0; i < 120; ++i)
            feed.add(QStringLiteral("A"), i, 10.0 + i);
        for (int i = 90; i < 120; ++i)
            feed.add(QStringLiteral("B"), i, 0.5 * i);
        feed.store.flush();
        TrendModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setSpan(60'000);
        model.setPens(
            {pen(QStringLiteral("A"), QStringLiteral("degC")), pen(QStringLiteral("B"), QStringLiteral("bar"))});

        // THEN the window ends at the newest sample and holds A's last 61 points (both edges count), then B's 30
        QCOMPARE(model.windowEndMs(), kT0 + 119'000);
        QCOMPARE(model.windowStartMs(), kT0 + 59'000);
        QCOMPARE(model.rowCount(), 61 + 30);
        QCOMPARE(model.columnCount(), int(TrendModel::ColumnCount));
        const auto cell = [&](int row, int column) { return model.data(model.index(row, column)).toString(); };
        QCOMPARE(cell(0, TrendModel::Time), QStringLiteral("2026-11-26T08:00:59.000Z"));
        QCOMPARE(cell(0, TrendModel::Tag), QStringLiteral("A"));
        QCOMPARE(cell(0, TrendModel::Value), QStringLiteral("69"));
        QCOMPARE(cell(0, TrendModel::Unit), QStringLiteral("degC"));
        QCOMPARE(cell(0, TrendModel::Quality), QStringLiteral("good"));
        QCOMPARE(cell(60, TrendModel::Time), QStringLiteral("2026-11-26T08:01:59.000Z"));
        QCOMPARE(cell(61, TrendModel::Tag), QStringLiteral("B"));
        QCOMPARE(cell(61, TrendModel::Value), QStringLiteral("45"));
        QCOMPARE(model.data(model.index(61, 0), TrendModel::PenRole).toInt(), 1);
        QCOMPARE(model.data(model.index(61, 0), TrendModel::TimeMsRole).toLongLong(), kT0 + 90'000);
        QCOMPARE(model.headerData(TrendModel::Time, Qt::Horizontal).toString(), QStringLiteral("Time (UTC)"));

        // WHEN pen A is hidden THEN only B's points are shown
        model.setPenVisible(0, false);
        QCOMPARE(model.rowCount(), 30);
        QCOMPARE(cell(0, TrendModel::Tag), QStringLiteral("B"));
        QVERIFY(model.shownPoints(0).empty());
        model.setPenVisible(0, true);
        QCOMPARE(model.rowCount(), 91);
    }

    void penColoursAreNeverAlarmColours()
    {
        // Alarm colours are reds, oranges, yellows and magentas: hues below 80 or above 270 degrees.
        const auto alarmLike = [](const QColor& color) {
            const int hue = color.hslHue();
            return color.hslSaturation() >= 60 && (hue < 80 || hue > 270);
        };
        for (alarms::Priority priority :
             {alarms::Priority::Low, alarms::Priority::Medium, alarms::Priority::High, alarms::Priority::Urgent})
            QVERIFY2(alarmLike(scenes::alarmColor(priority)), qPrintable(scenes::alarmColor(priority).name()));
        QVERIFY(ui::trendPenColors().size() >= 6);
        for (const QColor& color : ui::trendPenColors())
            QVERIFY2(!alarmLike(color), qPrintable(color.name()));

        // Pens without a colour get the palette in order, so an asset's pens differ.
        TrendModel model;
        model.setPens({pen(QStringLiteral("A"), {}), pen(QStringLiteral("B"), {})});
        QCOMPARE(model.pens().at(0).color, ui::trendPenColors().at(0));
        QCOMPARE(model.pens().at(1).color, ui::trendPenColors().at(1));
    }

    void pensComeFromTheAssetsBindings()
    {
        Plant plant;
        Asset asset;
        asset.id = QStringLiteral("DM-B01");
        TagBinding temperature;
        temperature.tagId = QStringLiteral("DM-TIT01");
        temperature.unit = QStringLiteral("degC");
        temperature.rangeMin = 0.0;
        temperature.rangeMax = 120.0;
        alarms::AlarmConfig config;
        config.tag = temperature.tagId;
        config.hi = alarms::AnalogLimit{95.0, alarms::Priority::High};
        temperature.alarms = config;
        TagBinding level;
        level.tagId = QStringLiteral("DM-LIT01");
        level.unit = QStringLiteral("%");
        asset.tags = {temperature, level};
        plant.assets.append(asset);
        plant.rebuildIndex();

        const QList<TrendPen> pens = ui::trendPensFor(plant, QStringLiteral("DM-B01"));
        QCOMPARE(pens.size(), 2);
        QCOMPARE(pens.at(0).tag, QStringLiteral("DM-TIT01"));
        QCOMPARE(pens.at(0).unit, QStringLiteral("degC"));
        QCOMPARE(pens.at(0).rangeMax.value_or(-1.0), 120.0);
        QVERIFY(pens.at(0).alarms && pens.at(0).alarms->hi);
        QCOMPARE(pens.at(0).alarms->hi->limit, 95.0);
        QCOMPARE(pens.at(1).tag, QStringLiteral("DM-LIT01"));
        QVERIFY(!pens.at(1).alarms);
        QVERIFY(ui::trendPensFor(plant, QStringLiteral("nope")).isEmpty());
    }

    void linesBreakWhereDataCannotBeDrawn_data()
    {
        // points: "FROM-TO:QUALITY" runs of one sample per second ("nan": good but without a number);
        // period: the backend's expected period in ms (0: none, the median spacing counts).
        QTest::addColumn<QString>("points");
        QTest::addColumn<qint64>("period");
        QTest::addColumn<QString>("segments");
        QTest::newRow("all good") << QStringLiteral("0-9:good") << qint64(1000) << QStringLiteral("0-9");
        QTest::newRow("bad stretch") << QStringLiteral("0-9:good 10-14:bad 15-19:good") << qint64(1000)
                                     << QStringLiteral("0-9 15-19");
        QTest::newRow("stale stretch") << QStringLiteral("0-9:good 10-11:stale 12-19:good") << qint64(1000)
                                       << QStringLiteral("0-9 12-19");
        QTest::newRow("untrusted stretch")
            << QStringLiteral("0-4:good 5-5:untrusted 6-9:good") << qint64(1000) << QStringLiteral("0-4 6-9");
        QTest::newRow("no number") << QStringLiteral("0-4:good 5-6:nan 7-9:good") << qint64(1000)
                                   << QStringLiteral("0-4 7-9");
        QTest::newRow("uncertain is drawn")
            << QStringLiteral("0-4:good 5-7:uncertain 8-9:good") << qint64(1000) << QStringLiteral("0-9");
        QTest::newRow("a lone good point")
            << QStringLiteral("0-4:bad 5-5:good 6-9:bad") << qint64(1000) << QStringLiteral("5-5");
        // Indexes count shown points: the second run starts at index 10 whatever its time.
        QTest::newRow("time gap") << QStringLiteral("0-9:good 20-29:good") << qint64(1000)
                                  << QStringLiteral("0-9 10-19");
        QTest::newRow("gap of three periods")
            << QStringLiteral("0-9:good 12-19:good") << qint64(1000) << QStringLiteral("0-9 10-17");
        QTest::newRow("gap of two periods is jitter")
            << QStringLiteral("0-9:good 11-19:good") << qint64(1000) << QStringLiteral("0-18");
        QTest::newRow("no period: median spacing")
            << QStringLiteral("0-9:good 15-24:good") << qint64(0) << QStringLiteral("0-9 10-19");
        QTest::newRow("slow tag, long period")
            << QStringLiteral("0-9:good 15-24:good") << qint64(10'000) << QStringLiteral("0-19");
    }

    void linesBreakWhereDataCannotBeDrawn()
    {
        QFETCH(QString, points);
        QFETCH(qint64, period);
        QFETCH(QString, segments);
        Feed feed;
        const QString tag = QStringLiteral("T");
        for (const QString& run : points.split(u' ')) {
            const QStringList parts = run.split(u':');
            const QStringList range = parts.at(0).split(u'-');
            const bool noNumber = parts.at(1) == u"nan";
            const std::optional<Quality> quality = noNumber ? Quality::Good : qualityFromName(parts.at(1));
            QVERIFY2(quality, qPrintable(run));
            for (int s = range.at(0).toInt(); s <= range.at(1).toInt(); ++s)
                feed.add(tag, s, noNumber ? kNaN : 50.0 + s, *quality, period);
        }
        TrendModel model;
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setPens({pen(tag, QStringLiteral("bar"))});
        QCOMPARE(segmentText(model.segments(0)), segments);
        if (period > 0)
            QCOMPARE(model.gapThresholdMs(0), std::llround(TrendModel::kGapPeriods * double(period)));
    }

    void lateSamplesAreShownWhereTheyWereMeasured()
    {
        Feed feed;
        feed.add(QStringLiteral("T"), 0, 1.0);
        feed.add(QStringLiteral("T"), 2, 3.0);
        feed.add(QStringLiteral("T"), 1, 2.0); // arrives last, measured in between
        TrendModel model;
        model.setTagStore(&feed.store);
        model.setPens({pen(QStringLiteral("T"), {})});
        QCOMPARE(model.shownPoints(0).size(), size_t(3));
        QCOMPARE(model.shownPoints(0).at(1).value, 2.0);
        QCOMPARE(segmentText(model.segments(0)), QStringLiteral("0-2"));
    }

    void pauseFreezesTheShownData()
    {
        Feed feed;
        for (int i = 0; i < 10; ++i)
            feed.add(QStringLiteral("T"), i, i);
        TrendModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setPens({pen(QStringLiteral("T"), {})});
        QSignalSpy liveChanged(&model, &TrendModel::liveChanged);
        QCOMPARE(model.rowCount(), 10);

        // WHEN paused and more samples arrive (and the clock moves on)
        model.pause();
        QVERIFY(!model.isLive());
        QCOMPARE(liveChanged.count(), 1);
        const qint64 end = model.windowEndMs();
        for (int i = 10; i < 15; ++i)
            feed.add(QStringLiteral("T"), i, i);
        feed.now += 60'000;
        feed.store.flush();
        model.refresh();
        // THEN the picture does not move
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.windowEndMs(), end);
        // nor when the operator looks around in the frozen data
        model.setSpan(30'000);
        QCOMPARE(model.windowEndMs(), end);
        QCOMPARE(model.rowCount(), 10);

        // WHEN resumed THEN the new samples show and the window ends now
        model.resume();
        QVERIFY(model.isLive());
        QCOMPARE(liveChanged.count(), 2);
        QCOMPARE(model.windowEndMs(), feed.now);
        QCOMPARE(model.rowCount(), 0); // the last sample is 60 s old: outside a 30 s window
        model.setSpan(10 * 60'000);
        QCOMPARE(model.rowCount(), 15);
    }

    void followsOnlyItsOwnTags()
    {
        Feed feed;
        feed.add(QStringLiteral("MINE"), 0, 1.0);
        feed.store.flush();
        TrendModel model;
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setPens({pen(QStringLiteral("MINE"), {})});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

        feed.add(QStringLiteral("OTHER"), 1, 1.0);
        feed.store.flush();
        QCOMPARE(resets.count(), 0);

        feed.add(QStringLiteral("MINE"), 1, 2.0);
        feed.store.flush();
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 2);
    }

    void coalescesUpdatesWhileLive()
    {
        // With the default refresh interval a burst of changes becomes one refresh, not one per batch.
        Feed feed;
        TrendModel model;
        model.setTagStore(&feed.store);
        model.setPens({pen(QStringLiteral("T"), {})});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        for (int i = 0; i < 50; ++i) {
            feed.add(QStringLiteral("T"), i * 0.01, i);
            feed.store.flush();
        }
        QCOMPARE(resets.count(), 0);
        QTRY_COMPARE(model.rowCount(), 50);
        QVERIFY2(resets.count() <= 2, qPrintable(QString::number(resets.count())));
    }

    void liveWindowFollowsTheClockWhenATagFallsSilent()
    {
        // A tag that stops reporting must be seen to stop: the window moves on without it.
        Feed feed;
        for (int i = 0; i < 10; ++i)
            feed.add(QStringLiteral("T"), i, i);
        TrendModel model;
        model.setTagStore(&feed.store);
        model.setSpan(60'000);
        model.setPens({pen(QStringLiteral("T"), {})});
        QCOMPARE(model.windowEndMs(), kT0 + 9'000);
        feed.now += 55'000;
        QTRY_COMPARE(model.windowEndMs(), feed.now);
        QCOMPARE(model.rowCount(), 6); // seconds 4..9 are still inside the last minute
    }

    void zoomAndPanPauseAndMoveTheWindow()
    {
        Feed feed;
        for (int i = 0; i <= 120; ++i)
            feed.add(QStringLiteral("T"), i, i);
        TrendModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setSpan(60'000);
        model.setPens({pen(QStringLiteral("T"), {})});
        const qint64 end = kT0 + 120'000;
        QCOMPARE(model.windowEndMs(), end);

        // WHEN zooming in by half around a time 15 s before the end
        model.zoom(0.5, end - 15'000);
        // THEN live following stops, the span halves and that time stays three quarters across
        QVERIFY(!model.isLive());
        QCOMPARE(model.spanMs(), qint64(30'000));
        QCOMPARE(model.windowStartMs(), end - 15'000 - 22'500);
        QCOMPARE(model.windowEndMs(), end - 7'500);
        QCOMPARE(model.rowCount(), 30); // seconds 83..112
        QCOMPARE(model.shownPoints(0).front().value, 83.0);

        // WHEN panning back 20 s THEN the window moves with the same span
        model.pan(-20'000);
        QCOMPARE(model.windowEndMs(), end - 27'500);
        QCOMPARE(model.spanMs(), qint64(30'000));
        QCOMPARE(model.shownPoints(0).back().value, 92.0);

        // Zoom is bounded: not below kMinSpanMs, not above kMaxSpanMs; the middle stays put.
        const qint64 middle = model.windowStartMs() + model.spanMs() / 2;
        model.zoom(1e-6);
        QCOMPARE(model.spanMs(), TrendModel::kMinSpanMs);
        QCOMPARE(model.windowStartMs() + model.spanMs() / 2, middle);
        model.zoom(1e9);
        QCOMPARE(model.spanMs(), TrendModel::kMaxSpanMs);

        // WHEN going live again THEN the window ends at the newest data, keeping the span
        model.setSpan(60'000);
        model.resume();
        QVERIFY(model.isLive());
        QCOMPARE(model.windowEndMs(), end);
        QCOMPARE(model.rowCount(), 61);
    }

    void csvIsExactlyTheShownRows()
    {
        Feed feed;
        feed.add(QStringLiteral("DM-FIT01"), 0.25, 12.5);
        feed.add(QStringLiteral("DM-FIT01"), 1.25, 0.1, Quality::Uncertain);
        feed.add(QStringLiteral("DM-FIT01"), 2.25, kNaN, Quality::Bad);
        feed.add(QStringLiteral("T,\"2\""), 1, -3e-7, Quality::Untrusted);
        feed.add(QStringLiteral("T,\"2\""), 2, 1e21, Quality::Stale);
        TrendModel model;
        model.setRefreshInterval(0);
        model.setTagStore(&feed.store);
        model.setPens({pen(QStringLiteral("DM-FIT01"), QStringLiteral("m³/h")), pen(QStringLiteral("T,\"2\""), {})});
        const QByteArray expected = "time,tag,value,unit,quality\n"
                                    "2026-11-26T08:00:00.250Z,DM-FIT01,12.5,m\xc2\xb3/h,good\n"
                                    "2026-11-26T08:00:01.250Z,DM-FIT01,0.1,m\xc2\xb3/h,uncertain\n"
                                    "2026-11-26T08:00:02.250Z,DM-FIT01,,m\xc2\xb3/h,bad\n"
                                    "2026-11-26T08:00:01.000Z,\"T,\"\"2\"\"\",-3e-07,,untrusted\n"
                                    "2026-11-26T08:00:02.000Z,\"T,\"\"2\"\"\",1e+21,,stale\n";
        QCOMPARE(model.toCsv(), expected);

        // Hidden pens are not shown, so not exported.
        model.setPenVisible(1, false);
        QCOMPARE(model.toCsv().count('\n'), 4);
    }

    void aStoreThatGoesAwayEmptiesTheTrend()
    {
        TrendModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        {
            Feed feed;
            feed.add(QStringLiteral("T"), 0, 1.0);
            model.setTagStore(&feed.store);
            model.setPens({pen(QStringLiteral("T"), {})});
            QCOMPARE(model.rowCount(), 1);
        }
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasData());
    }
};

QTEST_GUILESS_MAIN(TestTrendModel)
#include "tst_trendmodel.moc"
