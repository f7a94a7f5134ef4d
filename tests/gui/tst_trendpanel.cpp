// SPDX-License-Identifier: Apache-2.0
// The Trends dock on a real tag store (fake clock) under Xvfb: what the chart draws (runs broken by
// bad data, markers, alarm limits at their values in their priority's colour), the empty states,
// pause and resume, zoom and pan from keys and mouse, pens toggled off, and exports: a PNG of the
// chart's size with the pens in it and a CSV that reads back as the points shown.
#include "docks/trendpanel.h"
#include "models/trendmodel.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>
#include <QWheelEvent>

#include <cmath>

using namespace twinspect;
using telemetry::Quality;
using ui::TrendModel;
using ui::TrendPanel;

namespace {

const qint64 kT0 = QDateTime::fromString(QStringLiteral("2026-11-26T08:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();
const QString kTemperature = QStringLiteral("DM-TIT01");
const QString kPressure = QStringLiteral("DM-PIT01");

struct Feed
{
    qint64 now = kT0;
    telemetry::TagStore store;

    Feed()
    {
        store.setClock([this] { return now; });
    }
    void add(const QString& tag, int seconds, double value, Quality quality = Quality::Good)
    {
        telemetry::Sample sample;
        sample.tag = tag;
        sample.sourceTimeMs = kT0 + seconds * 1000LL;
        sample.receiveTimeMs = sample.sourceTimeMs;
        sample.value = value;
        sample.quality = quality;
        store.ingest({sample}, QStringLiteral("test"), 1000);
        now = std::max(now, sample.sourceTimeMs);
    }
    /// A minute of both tags: the temperature bad from 30 s to 39 s and uncertain at 45..47 s.
    void minute()
    {
        for (int s = 0; s < 60; ++s) {
            Quality quality = Quality::Good;
            if (s >= 30 && s < 40)
                quality = Quality::Bad;
            else if (s >= 45 && s < 48)
                quality = Quality::Uncertain;
            add(kTemperature, s, 60.0 + 0.5 * s, quality);
            add(kPressure, s, 2.0 + 0.01 * s);
        }
        store.flush();
    }
};

Plant boilerPlant()
{
    Plant plant;
    Asset boiler;
    boiler.id = QStringLiteral("DM-B01");
    boiler.name = QStringLiteral("Boiler 1");
    TagBinding temperature;
    temperature.tagId = kTemperature;
    temperature.unit = QStringLiteral("degC");
    temperature.rangeMin = 0.0;
    temperature.rangeMax = 120.0;
    alarms::AlarmConfig config;
    config.tag = kTemperature;
    config.unit = temperature.unit;
    config.hiHi = alarms::AnalogLimit{105.0, alarms::Priority::Urgent};
    config.hi = alarms::AnalogLimit{95.0, alarms::Priority::High};
    config.lo = alarms::AnalogLimit{20.0, alarms::Priority::Low};
    temperature.alarms = config;
    TagBinding pressure;
    pressure.tagId = kPressure;
    pressure.unit = QStringLiteral("bar");
    boiler.tags = {temperature, pressure};
    Asset bare;
    bare.id = QStringLiteral("DM-X01");
    plant.assets = {boiler, bare};
    plant.rebuildIndex();
    return plant;
}

QList<QXYSeries*> seriesNamed(const QChart* chart, const QString& name)
{
    QList<QXYSeries*> found;
    for (QAbstractSeries* series : chart->series()) {
        if (series->objectName() == name) {
            if (auto* xy = qobject_cast<QXYSeries*>(series))
                found.append(xy);
        }
    }
    return found;
}

/// The point counts of a pen's drawn runs (emptied spares left out).
QList<int> runLengths(const TrendPanel& panel, const QString& tag)
{
    QList<int> lengths;
    for (const QXYSeries* series : seriesNamed(panel.chart(), QStringLiteral("pen:") + tag)) {
        if (series->count() > 0)
            lengths.append(series->count());
    }
    return lengths;
}

int drawnPoints(const TrendPanel& panel, const QString& tag)
{
    int total = 0;
    for (int length : runLengths(panel, tag))
        total += length;
    return total;
}

int pixelsLike(const QImage& image, const QColor& color, int tolerance)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (std::abs(pixel.red() - color.red()) <= tolerance &&
                std::abs(pixel.green() - color.green()) <= tolerance &&
                std::abs(pixel.blue() - color.blue()) <= tolerance)
                ++count;
        }
    }
    return count;
}

void sendMouse(QWidget* target, QEvent::Type type, QPointF position, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, position, target->mapToGlobal(position), Qt::LeftButton, buttons, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &event);
}

} // namespace

class TestTrendPanel : public QObject
{
    Q_OBJECT
private:
    /// A shown, active panel trending the boiler, so keys reach its shortcuts.
    void showBoiler(TrendPanel& panel, Feed& feed, const Plant& plant)
    {
        panel.setTagStore(&feed.store);
        panel.showAsset(&plant, QStringLiteral("DM-B01"));
        panel.resize(900, 500);
        panel.show();
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.chartView()->setFocus();
        panel.redraw();
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void saysWhyThereIsNoChart()
    {
        Feed feed;
        const Plant plant = boilerPlant();
        TrendPanel panel;
        panel.setTagStore(&feed.store);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY2(panel.messageText().contains(u"Select an asset"), qPrintable(panel.messageText()));

        panel.showAsset(&plant, QStringLiteral("DM-X01"));
        QCOMPARE(panel.messageText(), QStringLiteral("No tags bound to this asset."));
        QVERIFY(!panel.chartView()->isVisible());

        panel.showAsset(&plant, QStringLiteral("DM-B01"));
        QVERIFY2(panel.messageText().startsWith(u"No data yet"), qPrintable(panel.messageText()));
        QVERIFY(panel.messageText().contains(kTemperature));
        auto* exportCsv = panel.findChild<QAction*>(QStringLiteral("trendExportCsv"));
        QVERIFY(exportCsv);
        QVERIFY(!exportCsv->isEnabled());
        QVERIFY(!panel.exportPng(QDir::temp().filePath(QStringLiteral("never.png"))).ok());

        // The first sample brings the chart, live, without anyone asking.
        feed.add(kTemperature, 0, 50.0);
        feed.store.flush();
        QTRY_VERIFY(panel.messageText().isEmpty());
        QVERIFY(panel.chartView()->isVisible());
        QVERIFY(exportCsv->isEnabled());
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("trendTitle"))->text(),
                 QStringLiteral("Trends: Boiler 1 (DM-B01)"));
    }

    void drawsRunsMarkersAndAlarmLimits()
    {
        Feed feed;
        feed.minute();
        const Plant plant = boilerPlant();
        TrendPanel panel;
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        showBoiler(panel, feed, plant);

        // The bad stretch breaks the temperature's line in two; its points show as bad markers.
        QCOMPARE(runLengths(panel, kTemperature), QList<int>({30, 20}));
        QCOMPARE(seriesNamed(panel.chart(), QStringLiteral("bad:") + kTemperature).value(0)->count(), 10);
        QCOMPARE(seriesNamed(panel.chart(), QStringLiteral("uncertain:") + kTemperature).value(0)->count(), 3);
        QCOMPARE(runLengths(panel, kPressure), QList<int>({60}));
        QCOMPARE(seriesNamed(panel.chart(), QStringLiteral("bad:") + kPressure).value(0)->count(), 0);

        // Pens in their own, non-alarm colours.
        QXYSeries* temperatureLine = seriesNamed(panel.chart(), QStringLiteral("pen:") + kTemperature).value(0);
        QCOMPARE(temperatureLine->pen().color(), panel.model()->pens().at(0).color);
        QCOMPARE(temperatureLine->pen().color(), ui::trendPenColors().at(0));

        // Each configured limit is one dashed line across the window, at its value, in its priority's colour.
        const struct
        {
            const char* kind;
            double value;
            alarms::Priority priority;
        } limits[] = {{"HIHI", 105.0, alarms::Priority::Urgent},
                      {"HI", 95.0, alarms::Priority::High},
                      {"LO", 20.0, alarms::Priority::Low}};
        for (const auto& limit : limits) {
            const QList<QXYSeries*> found =
                seriesNamed(panel.chart(), QStringLiteral("limit:%1:%2").arg(kTemperature, QLatin1String(limit.kind)));
            QCOMPARE(found.size(), 1);
            const QList<QPointF> points = found.at(0)->points();
            QCOMPARE(points.size(), 2);
            QCOMPARE(points.at(0).y(), limit.value);
            QCOMPARE(points.at(1).y(), limit.value);
            QCOMPARE(qint64(points.at(0).x()), panel.model()->windowStartMs());
            QCOMPARE(qint64(points.at(1).x()), panel.model()->windowEndMs());
            QCOMPARE(found.at(0)->pen().color(), scenes::alarmColor(limit.priority));
            QCOMPARE(found.at(0)->pen().style(), Qt::DashLine);
        }
        QVERIFY(seriesNamed(panel.chart(), QStringLiteral("limit:%1:LOLO").arg(kTemperature)).isEmpty());

        // One y axis per unit; the temperature keeps its configured 0..120 scale.
        const QList<QAbstractAxis*> axes = panel.chart()->axes(Qt::Vertical);
        QCOMPARE(axes.size(), 2);
        const auto* degC = qobject_cast<QValueAxis*>(temperatureLine->attachedAxes().value(1));
        QVERIFY(degC);
        QCOMPARE(degC->titleText(), QStringLiteral("degC"));
        QCOMPARE(degC->min(), 0.0);
        QCOMPARE(degC->max(), 120.0);
    }

    void pausesAndResumesFromTheKeyboard()
    {
        Feed feed;
        for (int s = 0; s < 30; ++s)
            feed.add(kTemperature, s, 50.0 + s);
        feed.store.flush();
        const Plant plant = boilerPlant();
        TrendPanel panel;
        showBoiler(panel, feed, plant);
        auto* pause = panel.findChild<QAction*>(QStringLiteral("trendPause"));
        auto* window = panel.findChild<QLabel*>(QStringLiteral("trendWindow"));
        QCOMPARE(drawnPoints(panel, kTemperature), 30);
        QVERIFY(window->text().startsWith(u"Live"));

        // WHEN Space is pressed THEN the chart freezes: new samples do not show, even on a forced refresh
        QTest::keyClick(panel.chartView(), Qt::Key_Space);
        QVERIFY(!panel.model()->isLive());
        QVERIFY(pause->isChecked());
        QCOMPARE(pause->text(), QStringLiteral("Resume"));
        QVERIFY2(window->text().startsWith(u"Paused"), qPrintable(window->text()));
        for (int s = 30; s < 40; ++s)
            feed.add(kTemperature, s, 50.0 + s);
        feed.store.flush();
        panel.model()->refresh();
        panel.redraw();
        QCOMPARE(drawnPoints(panel, kTemperature), 30);

        // WHEN Space is pressed again THEN it is live and the new samples arrive
        QTest::keyClick(panel.chartView(), Qt::Key_Space);
        QVERIFY(panel.model()->isLive());
        QVERIFY(!pause->isChecked());
        QTRY_COMPARE(drawnPoints(panel, kTemperature), 40);

        // The button does the same.
        pause->trigger();
        QVERIFY(!panel.model()->isLive());
        pause->trigger();
        QVERIFY(panel.model()->isLive());
    }

    void zoomsAndPansFromKeysAndMouse()
    {
        Feed feed;
        feed.minute();
        const Plant plant = boilerPlant();
        TrendPanel panel;
        showBoiler(panel, feed, plant);
        TrendModel* model = panel.model();
        QCOMPARE(model->spanMs(), TrendModel::kDefaultSpanMs);
        const qint64 liveEnd = model->windowEndMs();

        // + zooms in around the middle and stops following.
        QTest::keyClick(panel.chartView(), Qt::Key_Plus);
        QVERIFY(!model->isLive());
        QCOMPARE(model->spanMs(), TrendModel::kDefaultSpanMs / 2);
        // Left goes back a quarter of the window.
        const qint64 end = model->windowEndMs();
        QTest::keyClick(panel.chartView(), Qt::Key_Left);
        QCOMPARE(model->windowEndMs(), end - model->spanMs() / 4);
        QTest::keyClick(panel.chartView(), Qt::Key_Right);
        QCOMPARE(model->windowEndMs(), end);
        // End is live again, at the newest data, keeping the zoom.
        QTest::keyClick(panel.chartView(), Qt::Key_End);
        QVERIFY(model->isLive());
        QCOMPARE(model->windowEndMs(), liveEnd);
        QCOMPARE(model->spanMs(), TrendModel::kDefaultSpanMs / 2);
        QTest::keyClick(panel.chartView(), Qt::Key_Minus);
        QCOMPARE(model->spanMs(), TrendModel::kDefaultSpanMs);
        QTest::keyClick(panel.chartView(), Qt::Key_End);

        // The wheel zooms around the pointer: the time under it stays under it.
        QWidget* viewport = panel.chartView()->viewport();
        const QRectF plot = panel.chart()->plotArea();
        const QPointF at(plot.left() + plot.width() * 0.75, plot.center().y());
        const auto timeAt = [&] {
            return model->windowStartMs() + qint64((at.x() - plot.left()) / plot.width() * double(model->spanMs()));
        };
        const qint64 before = timeAt();
        QWheelEvent wheel(at, viewport->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(viewport, &wheel);
        QVERIFY(!model->isLive());
        QCOMPARE(model->spanMs(), qint64(TrendModel::kDefaultSpanMs * 0.8));
        QVERIFY2(std::abs(timeAt() - before) <= 1000, qPrintable(QString::number(timeAt() - before)));

        // A click does not stop following; a drag to the right pulls earlier data into view.
        QTest::keyClick(panel.chartView(), Qt::Key_End);
        sendMouse(viewport, QEvent::MouseButtonPress, plot.center(), Qt::LeftButton);
        sendMouse(viewport, QEvent::MouseButtonRelease, plot.center(), Qt::NoButton);
        QVERIFY(model->isLive());
        const qint64 dragEnd = model->windowEndMs();
        sendMouse(viewport, QEvent::MouseButtonPress, plot.center(), Qt::LeftButton);
        sendMouse(viewport, QEvent::MouseMove, plot.center() + QPointF(plot.width() / 4, 0), Qt::LeftButton);
        sendMouse(viewport, QEvent::MouseButtonRelease, plot.center() + QPointF(plot.width() / 4, 0), Qt::NoButton);
        QVERIFY(!model->isLive());
        const qint64 moved = dragEnd - model->windowEndMs();
        QVERIFY2(std::abs(moved - model->spanMs() / 4) <= model->spanMs() / 100, qPrintable(QString::number(moved)));
    }

    void hidesAPenThatIsTickedOff()
    {
        Feed feed;
        feed.minute();
        const Plant plant = boilerPlant();
        TrendPanel panel;
        showBoiler(panel, feed, plant);
        auto* pens = panel.findChild<QListWidget*>(QStringLiteral("trendPens"));
        QVERIFY(pens);
        QCOMPARE(pens->count(), 2);
        QCOMPARE(pens->item(1)->text(), QStringLiteral("DM-PIT01 [bar]"));

        pens->item(1)->setCheckState(Qt::Unchecked);
        QVERIFY(runLengths(panel, kPressure).isEmpty());
        QCOMPARE(panel.chart()->axes(Qt::Vertical).size(), 1);
        QVERIFY(!panel.model()->toCsv().contains(kPressure.toUtf8()));
        QCOMPARE(drawnPoints(panel, kTemperature), 50);

        pens->item(1)->setCheckState(Qt::Checked);
        QCOMPARE(runLengths(panel, kPressure), QList<int>({60}));
    }

    void exportsTheChartAndTheShownData()
    {
        Feed feed;
        feed.minute();
        const Plant plant = boilerPlant();
        TrendPanel panel;
        showBoiler(panel, feed, plant);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // PNG: the chart view's size, with the pens and the limits in it.
        const QString png = dir.filePath(QStringLiteral("trend.png"));
        const Result<bool> pngResult = panel.exportPng(png);
        QVERIFY2(pngResult.ok(), qPrintable(pngResult.ok() ? QString() : pngResult.error().message));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), panel.chartView()->size() * panel.chartView()->devicePixelRatio());
        QVERIFY2(pixelsLike(image, ui::trendPenColors().at(0), 30) > 50, "the temperature pen is not in the image");
        QVERIFY2(pixelsLike(image, ui::trendPenColors().at(1), 30) > 50, "the pressure pen is not in the image");
        QVERIFY2(pixelsLike(image, scenes::alarmColor(alarms::Priority::High), 40) > 20,
                 "the HI limit is not in the image");

        // CSV through the dialog: reads back as exactly the shown points.
        QSignalSpy finished(&panel, &TrendPanel::exportFinished);
        const QString csvPath = dir.filePath(QStringLiteral("trend.csv"));
        QFileDialog* dialog = panel.exportCsvInteractively();
        QVERIFY(dialog);
        Q_EMIT dialog->fileSelected(csvPath);
        QCOMPARE(finished.count(), 1);
        QVERIFY(finished.at(0).at(1).toBool());
        QVERIFY2(panel.statusText().contains(u"120 point"), qPrintable(panel.statusText()));
        dialog->reject();

        QFile file(csvPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.takeLast(), QByteArray()); // the last line ends too
        QCOMPARE(lines.takeFirst(), QByteArray("time,tag,value,unit,quality"));
        QCOMPARE(lines.size(), 120);
        QHash<QString, int> perTag;
        int bad = 0;
        for (int row = 0; row < lines.size(); ++row) {
            const QList<QByteArray> fields = lines.at(row).split(',');
            QCOMPARE(fields.size(), 5);
            const QString tag = QString::fromUtf8(fields.at(1));
            ++perTag[tag];
            const QDateTime time = QDateTime::fromString(QString::fromUtf8(fields.at(0)), Qt::ISODateWithMs);
            QCOMPARE(time.timeSpec(), Qt::UTC);
            const int second = int((time.toMSecsSinceEpoch() - kT0) / 1000);
            const double expected = tag == kTemperature ? 60.0 + 0.5 * second : 2.0 + 0.01 * second;
            QCOMPARE(fields.at(2).toDouble(), expected);
            QCOMPARE(QString::fromUtf8(fields.at(3)),
                     tag == kTemperature ? QStringLiteral("degC") : QStringLiteral("bar"));
            bad += fields.at(4) == "bad" ? 1 : 0;
        }
        QCOMPARE(perTag.value(kTemperature), 60);
        QCOMPARE(perTag.value(kPressure), 60);
        QCOMPARE(bad, 10);

        // A folder that does not exist: an error that names the file, nothing written.
        const QString nowhere = dir.filePath(QStringLiteral("missing/trend.csv"));
        const Result<bool> failed = panel.exportCsv(nowhere);
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, QStringLiteral("trend.export.open"));
        QVERIFY(failed.error().message.contains(nowhere));
        QVERIFY(!QFile::exists(nowhere));
    }
};

QTEST_MAIN(TestTrendPanel)
#include "tst_trendpanel.moc"
