// SPDX-License-Identifier: Apache-2.0
// The telemetry overlay as an operator sees it: a row of assets, one per condition (normal, each
// alarm priority, stale, bad, untrusted), fed through a real tag store and alarm engine and drawn
// by real Qt 3D on llvmpipe under Xvfb; the test reads the pixels at each asset's projected centre.
#include "alarms/alarmengine.h"
#include "guitest.h"
#include "labellayer.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"
#include "telemetryoverlay.h"
#include "twinview.h"

#include <QGuiApplication>
#include <QScreen>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QWidget>
#include <QWindow>

using namespace twinspect;
using namespace twinspect::scenes;
using namespace twinspect::test;

namespace {

const QString kRowPlant = QStringLiteral(TWINSPECT_TEST_DATA "/plants/overlay-row.plant.json");
constexpr int kRenderTimeoutMs = 20000;
constexpr int kWindow = 6; ///< half-size of the pixel square read around a centre

struct Pixels
{
    int total = 0;
    int dark = 0;   ///< every channel below 60
    int bright = 0; ///< every channel above 170, unsaturated (white checks)
    int saturated = 0;
    double meanValue = 0; ///< mean HSV value
};

Pixels sample(const QImage& frame, QPointF centre)
{
    Pixels p;
    double sum = 0;
    for (int y = int(centre.y()) - kWindow; y <= int(centre.y()) + kWindow; ++y) {
        for (int x = int(centre.x()) - kWindow; x <= int(centre.x()) + kWindow; ++x) {
            if (!frame.rect().contains(x, y))
                continue;
            const QColor c(frame.pixel(x, y));
            ++p.total;
            sum += c.value();
            if (c.red() < 60 && c.green() < 60 && c.blue() < 60)
                ++p.dark;
            if (c.red() > 170 && c.green() > 170 && c.blue() > 170 && c.hsvSaturation() < 40)
                ++p.bright;
            if (c.hsvSaturation() > 120)
                ++p.saturated;
        }
    }
    p.meanValue = p.total ? sum / p.total : 0;
    return p;
}

/// Pixels whose hue is within 14 degrees of `color`'s and clearly coloured: lighting scales the
/// channels, which keeps hue and saturation.
int countHue(const QImage& frame, QPointF centre, const QColor& color)
{
    return countAround(frame, centre, kWindow, [&](QRgb pixel) {
        const QColor c(pixel);
        if (c.hsvSaturation() < 120 || c.value() < 40)
            return false;
        const int diff = std::abs(c.hsvHue() - color.hsvHue());
        return std::min(diff, 360 - diff) <= 14;
    });
}

telemetry::Sample sample(const QString& tag, qint64 timeMs, double value,
                         telemetry::Quality quality = telemetry::Quality::Good)
{
    telemetry::Sample s;
    s.tag = tag;
    s.sourceTimeMs = timeMs;
    s.receiveTimeMs = timeMs;
    s.value = value;
    s.quality = quality;
    return s;
}

} // namespace

class TestOverlay : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = 1'800'000'000'000;
    std::shared_ptr<const Plant> m_plant;
    std::unique_ptr<TwinView> m_view;
    std::unique_ptr<telemetry::TagStore> m_store;
    std::unique_ptr<alarms::AlarmEngine> m_engine;
    std::unique_ptr<TelemetryOverlay> m_overlay;
    std::unique_ptr<QWidget> m_host; ///< embeds the 3D window, as the workstation does
    twinspect::ui::LabelLayer* m_labels = nullptr;

    QPointF centre(const QString& id) const
    {
        const std::optional<QPointF> c = m_view->projectedCenter(id);
        return c ? *c : QPointF(-1, -1);
    }

    void feed(const telemetry::SampleBatch& batch)
    {
        m_store->ingest(batch, QStringLiteral("test"));
        m_store->flush();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        PlantLoadResult loaded = PlantLoader::loadFile(kRowPlant);
        QVERIFY2(loaded.ok(), qPrintable(loaded.report()));
        m_plant = std::make_shared<const Plant>(std::move(*loaded.plant));

        m_view = std::make_unique<TwinView>();
        m_host = std::make_unique<QWidget>();
        QWidget* container = QWidget::createWindowContainer(m_view->window(), m_host.get());
        container->setGeometry(0, 0, 1880, 400);
        m_host->resize(1880, 400);
        m_labels = new twinspect::ui::LabelLayer(m_view.get());
        m_host->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_host.get()));
        QVERIFY(QTest::qWaitForWindowExposed(m_view->window()));
        m_view->setPlant(m_plant);
        m_view->orbit(-25, -25); // face the row from the front, a little above: every box alike
        m_view->fitAll(false);

        m_store = std::make_unique<telemetry::TagStore>();
        m_store->setClock([this] { return m_now; });
        m_engine = std::make_unique<alarms::AlarmEngine>([this] { return m_now; });
        QVERIFY(m_engine->configure(alarms::alarmConfigs(*m_plant)));
        m_engine->follow(m_store.get());
        m_overlay = std::make_unique<TelemetryOverlay>(m_view.get());
        m_overlay->setBlinkIntervalMs(0); // steady colours first; blinking has its own test
        m_overlay->setPlant(m_plant);
        m_overlay->setSources(m_store.get(), m_engine.get());
        m_labels->setSources(m_plant, m_store.get(), m_overlay.get());

        m_store->setExpectedPeriod(QStringLiteral("T-STALE"), 1000);
        feed({sample(QStringLiteral("T-NORMAL"), m_now, 20), sample(QStringLiteral("T-LOW"), m_now, 80),
              sample(QStringLiteral("T-MEDIUM"), m_now, 80), sample(QStringLiteral("T-HIGH"), m_now, 80),
              sample(QStringLiteral("T-URGENT"), m_now, 80), sample(QStringLiteral("T-STALE"), m_now, 20),
              sample(QStringLiteral("T-BAD"), m_now, 20, telemetry::Quality::Bad),
              sample(QStringLiteral("T-UNTRUSTED"), m_now, 20, telemetry::Quality::Untrusted)});
        m_now += 5000; // T-STALE expected a value every second
        m_store->checkStaleness();
        // Values that keep coming keep the other tags fresh.
        feed({sample(QStringLiteral("T-NORMAL"), m_now, 21)});
        QTRY_VERIFY(m_overlay->condition(QStringLiteral("STALE")).stale);
    }

    void conditionsFollowTagsAndAlarms()
    {
        QCOMPARE(m_overlay->condition(QStringLiteral("NORMAL")), AssetCondition{});
        const AssetCondition high = m_overlay->condition(QStringLiteral("HIGH"));
        QVERIFY(high.alarmed);
        QVERIFY(high.unacknowledged);
        QCOMPARE(high.priority, alarms::Priority::High);
        QCOMPARE(high.alarmTag, QStringLiteral("T-HIGH")); // labels show this tag's value
        QVERIFY(m_overlay->condition(QStringLiteral("BAD")).bad);
        QVERIFY(m_overlay->condition(QStringLiteral("UNTRUSTED")).untrusted);
        // A tag that never reported is not shown as good.
        QVERIFY(!m_overlay->condition(QStringLiteral("NOTAG")).stale); // no tags: nothing to say
        QCOMPARE(m_overlay->alarmedAssets(), QStringList({QStringLiteral("URGENT"), QStringLiteral("HIGH"),
                                                          QStringLiteral("MEDIUM"), QStringLiteral("LOW")}));
    }

    void drawnLookMatchesTheStyle()
    {
        const QColor grey = m_view->neutralColor(QStringLiteral("NORMAL"));
        QCOMPARE(m_view->drawnColor(QStringLiteral("NORMAL")), grey);
        QCOMPARE(m_view->drawnColor(QStringLiteral("URGENT")), alarmColor(alarms::Priority::Urgent));
        QCOMPARE(m_view->drawnColor(QStringLiteral("HIGH")), alarmColor(alarms::Priority::High));
        QCOMPARE(m_view->drawnColor(QStringLiteral("MEDIUM")), alarmColor(alarms::Priority::Medium));
        QCOMPARE(m_view->drawnColor(QStringLiteral("LOW")), alarmColor(alarms::Priority::Low));
        QCOMPARE(m_view->drawnColor(QStringLiteral("STALE")), fadedColor(grey));
        QCOMPARE(m_view->drawnPattern(QStringLiteral("BAD")), SurfacePattern::Hatched);
        QCOMPARE(m_view->drawnPattern(QStringLiteral("UNTRUSTED")), SurfacePattern::Checkered);
        QCOMPARE(m_view->drawnColor(QStringLiteral("UNTRUSTED")), untrustedColor());
        QCOMPARE(m_view->drawnPattern(QStringLiteral("NORMAL")), SurfacePattern::Solid);
    }

    void pixelsShowEachCondition_data()
    {
        QTest::addColumn<QString>("asset");
        QTest::addColumn<int>("priority");
        QTest::newRow("low") << QStringLiteral("LOW") << int(alarms::Priority::Low);
        QTest::newRow("medium") << QStringLiteral("MEDIUM") << int(alarms::Priority::Medium);
        QTest::newRow("high") << QStringLiteral("HIGH") << int(alarms::Priority::High);
        QTest::newRow("urgent") << QStringLiteral("URGENT") << int(alarms::Priority::Urgent);
    }

    void pixelsShowEachCondition()
    {
        QFETCH(QString, asset);
        QFETCH(int, priority);
        const int area = (2 * kWindow + 1) * (2 * kWindow + 1);
        const QColor expected = alarmColor(static_cast<alarms::Priority>(priority));
        // The renderer draws on its own thread: wait for a frame that shows the asset's colour.
        QImage frame;
        const auto coloured = [&] {
            frame = m_view->grabFrame();
            return countHue(frame, centre(asset), expected) > area * 8 / 10;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(coloured(), qPrintable(asset), kRenderTimeoutMs);
        const QPointF at = centre(asset);
        // ... and no other priority's colour is there.
        for (int other = 0; other < alarms::kPriorityCount; ++other) {
            if (other != priority)
                QCOMPARE(countHue(frame, at, alarmColor(static_cast<alarms::Priority>(other))), 0);
        }
        // The normal asset has no alarm colour at all.
        QCOMPARE(sample(frame, centre(QStringLiteral("NORMAL"))).saturated, 0);
    }

    void pixelsShowDataQuality()
    {
        QImage frame;
        const auto neutral = [&] {
            frame = m_view->grabFrame();
            const QPointF at = centre(QStringLiteral("NORMAL"));
            return countAround(frame, at, kWindow, looksNeutral) == sample(frame, at).total;
        };
        QTRY_VERIFY_WITH_TIMEOUT(neutral(), kRenderTimeoutMs);
        if (qEnvironmentVariableIsSet("TWINSPECT_SAVE_FRAME"))
            frame.save(qEnvironmentVariable("TWINSPECT_SAVE_FRAME"));
        const Pixels normal = sample(frame, centre(QStringLiteral("NORMAL")));
        QCOMPARE(countAround(frame, centre(QStringLiteral("NORMAL")), kWindow, looksNeutral), normal.total);

        // Stale: faded towards the background, still grey.
        const Pixels stale = sample(frame, centre(QStringLiteral("STALE")));
        QVERIFY2(stale.meanValue < normal.meanValue * 0.7,
                 qPrintable(QStringLiteral("%1 vs %2").arg(stale.meanValue).arg(normal.meanValue)));
        QVERIFY(stale.meanValue > 20);
        QCOMPARE(stale.saturated, 0);

        // Bad: dark stripes over the grey; about 3 pixels in 8 are stripe.
        const Pixels bad = sample(frame, centre(QStringLiteral("BAD")));
        QVERIFY2(bad.dark > bad.total / 5 && bad.dark < bad.total / 2, qPrintable(QString::number(bad.dark)));
        QCOMPARE(bad.saturated, 0);

        // Untrusted: black and white checks, half each, and nothing an alarm could be taken for.
        const Pixels untrusted = sample(frame, centre(QStringLiteral("UNTRUSTED")));
        QVERIFY2(untrusted.dark > untrusted.total / 3, qPrintable(QString::number(untrusted.dark)));
        QVERIFY2(untrusted.bright > untrusted.total / 3, qPrintable(QString::number(untrusted.bright)));
        QCOMPARE(untrusted.saturated, 0);
        QCOMPARE(normal.dark, 0);
    }

    void labelsShowAlarmedAssetsAndTheSelection()
    {
        // Alarmed assets are labelled with value, unit and priority; the rest only on demand.
        // From afar the four alarmed boxes' labels would overlap: the most urgent wins, the others
        // that would touch it wait; closer in, all four fit.
        QTRY_VERIFY(!m_labels->shownAssets().isEmpty());
        QCOMPARE(m_labels->shownAssets().first(), QStringLiteral("URGENT"));
        QVERIFY(m_labels->shownAssets().size() < 4);
        QCOMPARE(m_labels->labelText(QStringLiteral("URGENT")), QStringLiteral("URGENT  80.00 % URGENT unack"));
        m_view->zoom(0.6f);
        QTRY_COMPARE(m_labels->shownAssets().size(), 4);
        for (const QString& id : m_overlay->alarmedAssets())
            QVERIFY(m_labels->shownAssets().contains(id));
        m_view->fitAll(false);
        m_labels->setSelectedAsset(QStringLiteral("BAD"));
        QTRY_COMPARE(m_labels->shownAssets().first(), QStringLiteral("BAD"));
        QCOMPARE(m_labels->labelText(QStringLiteral("BAD")), QStringLiteral("BAD  20.00 % bad"));
        // The label sits above its asset and is really on screen, over the 3D window.
        const QRect rect = m_labels->labelRect(QStringLiteral("BAD"));
        const QPointF asset = centre(QStringLiteral("BAD"));
        QVERIFY(rect.bottom() < asset.y());
        QVERIFY(std::abs(rect.center().x() - m_view->projectedTop(QStringLiteral("BAD"))->x()) < 4);
        QVERIFY(std::abs(rect.center().x() - asset.x()) < rect.width() / 2);
        QImage screen;
        const QPoint origin = m_view->window()->mapToGlobal(rect.topLeft());
        const auto labelDrawn = [&] {
            screen = QGuiApplication::primaryScreen()
                         ->grabWindow(0, origin.x(), origin.y(), rect.width(), rect.height())
                         .toImage();
            int dark = 0;
            int text = 0;
            for (int y = 0; y < screen.height(); ++y) {
                for (int x = 0; x < screen.width(); ++x) {
                    const QColor c(screen.pixel(x, y));
                    dark += c.red() < 0x20 && c.green() < 0x20 && c.blue() < 0x20;
                    text += c.red() > 0xc0 && c.green() > 0xc0;
                }
            }
            return dark > screen.width() * screen.height() / 2 && text > 10;
        };
        QTRY_VERIFY_WITH_TIMEOUT(labelDrawn(), kRenderTimeoutMs);
        m_labels->setSelectedAsset({});
    }

    void labelsForAllNeverOverlap()
    {
        m_labels->setShowAll(true);
        QTRY_VERIFY(m_labels->shownAssets().size() > 4);
        const QStringList shown = m_labels->shownAssets();
        for (qsizetype a = 0; a < shown.size(); ++a) {
            for (qsizetype b = a + 1; b < shown.size(); ++b)
                QVERIFY(!m_labels->labelRect(shown.at(a)).intersects(m_labels->labelRect(shown.at(b))));
        }
        QVERIFY(shown.contains(QStringLiteral("NORMAL")) || shown.contains(QStringLiteral("NOTAG")));
        m_labels->setShowAll(false);
        QTRY_VERIFY(!m_labels->shownAssets().contains(QStringLiteral("NORMAL")));
    }

    void unacknowledgedAlarmsBlinkUntilAcknowledged()
    {
        m_overlay->setBlinkIntervalMs(300);
        const QColor orange = alarmColor(alarms::Priority::High);
        const QPointF at = centre(QStringLiteral("HIGH"));
        const int area = (2 * kWindow + 1) * (2 * kWindow + 1);
        const auto lit = [&] { return countHue(m_view->grabFrame(), at, orange) > area * 8 / 10; };
        const auto dark = [&] { return countAround(m_view->grabFrame(), at, kWindow, looksNeutral) > area * 8 / 10; };
        // On, off, on again: the screen alternates.
        QTRY_VERIFY_WITH_TIMEOUT(lit(), kRenderTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(dark(), kRenderTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(lit(), kRenderTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(dark(), kRenderTimeoutMs);

        QVERIFY(m_engine->acknowledge(QStringLiteral("T-HIGH:HI"), QStringLiteral("alice"), m_now));
        QTRY_VERIFY_WITH_TIMEOUT(lit(), kRenderTimeoutMs);
        // Acknowledged: steady for several blink periods.
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(150);
            QCOMPARE(m_view->drawnColor(QStringLiteral("HIGH")), orange);
        }
        QVERIFY(!m_overlay->condition(QStringLiteral("HIGH")).unacknowledged);
        m_overlay->setBlinkIntervalMs(0);
    }

    void returnToNormalRestoresTheNeutralLook()
    {
        QVERIFY(m_engine->acknowledge(QStringLiteral("T-LOW:HI"), QStringLiteral("alice"), m_now));
        m_now += 100;
        feed({sample(QStringLiteral("T-LOW"), m_now, 10)});
        QTRY_COMPARE(m_view->drawnColor(QStringLiteral("LOW")), m_view->neutralColor(QStringLiteral("LOW")));
        QVERIFY(!m_overlay->alarmedAssets().contains(QStringLiteral("LOW")));
    }

    void manyUpdatesAreAppliedOncePerFrameWithoutNewEntities()
    {
        const int entities = m_view->entityCount();
        const int created = m_view->entitiesCreated();
        QTest::qWait(50);
        const int before = m_overlay->applications();
        // 2,000 samples in one go (as a burst from the broker would come): one application.
        // Ends with T-MEDIUM back under its limit (returned, unacknowledged): one change of look.
        for (int i = 1; i <= 1000; ++i) {
            m_now += 1;
            telemetry::SampleBatch batch{sample(QStringLiteral("T-NORMAL"), m_now, 20 + i % 7),
                                         sample(QStringLiteral("T-MEDIUM"), m_now, i % 2 ? 80 : 20)};
            m_store->ingest(batch, QStringLiteral("test"));
        }
        m_store->flush();
        QTRY_VERIFY(m_overlay->applications() > before);
        QTest::qWait(100);
        QCOMPARE(m_overlay->applications(), before + 1);
        // Values that change nothing on screen (T-NORMAL stays good, below its limit) cost no application.
        for (int i = 0; i < 100; ++i) {
            m_now += 1;
            m_store->ingest({sample(QStringLiteral("T-NORMAL"), m_now, 30 + i % 5)}, QStringLiteral("test"));
        }
        m_store->flush();
        QTest::qWait(100);
        QCOMPARE(m_overlay->applications(), before + 1);
        QCOMPARE(m_view->entityCount(), entities);
        QCOMPARE(m_view->entitiesCreated(), created);
    }

    void cleanupTestCase()
    {
        m_overlay.reset();
        m_engine.reset();
        m_store.reset();
        m_host.reset();
        m_view.reset();
    }
};

QTEST_MAIN(TestOverlay)
#include "tst_overlay.moc"
