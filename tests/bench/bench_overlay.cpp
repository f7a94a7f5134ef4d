// SPDX-License-Identifier: Apache-2.0
// Telemetry overlay benchmark (issue 6): the frame rate of a large plant while its tags change
// at a high rate, against the same plant idle, in one run; and the time from a value crossing an
// alarm limit to the asset's colour changing on screen, in frames and milliseconds. Real Qt 3D on
// llvmpipe under Xvfb, real tag store, alarm engine, overlay and labels. Values go straight into
// the tag store: the broker path was measured on its own (bench_telemetry) and cannot carry
// 50,000 msg/s on this machine. Driven by tests/bench/run-overlay.sh; results in docs/PERFORMANCE.md.
#include "alarms/alarmengine.h"
#include "labellayer.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"
#include "telemetryoverlay.h"
#include "twinview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>
#include <QWindow>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

using namespace twinspect;

namespace {

/// Runs the event loop (blocking in it, not spinning) until `done` or the timeout.
template <typename Predicate> bool waitFor(Predicate done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        const qint64 left = timeoutMs - clock.elapsed();
        if (left <= 0)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, int(std::min<qint64>(left, 20)));
    }
    return true;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption assetsOption(QStringLiteral("assets"), QStringLiteral("Synthetic plant size."),
                                          QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Value updates per second."),
                                        QStringLiteral("N"), QStringLiteral("50000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Measuring time per phase (idle, updates, twice each)."),
                                           QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption crossingsOption(QStringLiteral("crossings"),
                                             QStringLiteral("Limit crossings timed to the screen."),
                                             QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption stormOption(
        QStringLiteral("storm"),
        QStringLiteral("Values jump anywhere in 0..100 on every update (an alarm storm: a fifth of all samples are "
                       "over the limit) instead of wandering a little from where they are."));
    parser.addOptions({assetsOption, rateOption, secondsOption, crossingsOption, stormOption});
    parser.process(app);
    const int assetCount = parser.value(assetsOption).toInt();
    const int rate = parser.value(rateOption).toInt();
    const double seconds = parser.value(secondsOption).toDouble();
    const int crossings = parser.value(crossingsOption).toInt();
    const bool storm = parser.isSet(stormOption);

    PlantGeneratorOptions options;
    options.assetCount = assetCount;
    options.pipeFraction = 0;
    PlantLoadResult loaded = PlantLoader::loadBytes(generatePlantJson(options), QStringLiteral("synthetic"), QString());
    if (!loaded.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.report()));
        return 1;
    }
    auto plant = std::make_shared<const Plant>(std::move(*loaded.plant));

    // Every tag gets a HI alarm at 80 with priorities in turn. By default each value wanders by up
    // to 1 per update from where it is (a busy plant: every sample is new, a few tags cross their
    // limit); with --storm values jump anywhere in 0..100 and alarms flap all over the plant.
    QList<alarms::AlarmConfig> configs;
    QStringList tags;
    for (const Asset& asset : plant->assets) {
        for (const TagBinding& binding : asset.tags) {
            alarms::AlarmConfig config;
            config.tag = binding.tagId;
            config.unit = binding.unit;
            config.hi = alarms::AnalogLimit{80.0, static_cast<alarms::Priority>(tags.size() % alarms::kPriorityCount)};
            config.deadband = 1.0;
            configs.append(config);
            tags.append(binding.tagId);
        }
    }

    scenes::TwinView view;
    view.window()->resize(1280, 720);
    view.setPlant(plant);
    view.window()->show();
    telemetry::TagStore store;
    alarms::AlarmEngine engine;
    if (!engine.configure(configs)) {
        std::fprintf(stderr, "alarm configuration refused\n");
        return 1;
    }
    engine.follow(&store);
    scenes::TelemetryOverlay overlay(&view);
    overlay.setPlant(plant);
    overlay.setSources(&store, &engine);
    auto* labels = new ui::LabelLayer(&view); // owned by the 3D window
    labels->setSources(plant, &store, &overlay);

    // Every tag at 40, below its limit: the plant all live and normal.
    qint64 sourceTime = 0;
    const auto calmAll = [&] {
        sourceTime = QDateTime::currentMSecsSinceEpoch();
        telemetry::SampleBatch batch;
        for (const QString& tag : std::as_const(tags)) {
            telemetry::Sample s;
            s.tag = tag;
            s.sourceTimeMs = sourceTime;
            s.receiveTimeMs = sourceTime;
            s.value = 40.0;
            batch.push_back(std::move(s));
        }
        store.ingest(batch, QStringLiteral("bench"));
        store.flush();
    };
    calmAll();
    if (!waitFor([&] { return !view.grabFrame().isNull(); }, 300000)) {
        std::fprintf(stderr, "no frame\n");
        return 3;
    }
    view.fitAll(false);

    int frames = 0;
    QObject::connect(&view, &scenes::TwinView::frameTicked, &view, [&] { ++frames; });
    view.setContinuousRendering(true);

    // The update feed: every 5 ms, as many samples as the rate asks for since the last batch.
    QRandomGenerator random(11);
    std::vector<double> walk; // each tag's current value, spread over 5..85 (some start near the limit)
    walk.reserve(size_t(tags.size()));
    for (qsizetype i = 0; i < tags.size(); ++i)
        walk.push_back(5.0 + random.bounded(80.0));
    quint64 sent = 0;
    QElapsedTimer feedClock;
    QTimer feed;
    feed.setTimerType(Qt::PreciseTimer);
    feed.setInterval(5);
    QObject::connect(&feed, &QTimer::timeout, [&] {
        const quint64 due = quint64(double(feedClock.nsecsElapsed()) / 1e9 * rate);
        telemetry::SampleBatch batch;
        batch.reserve(due - sent);
        sourceTime = QDateTime::currentMSecsSinceEpoch();
        for (; sent < due; ++sent) {
            telemetry::Sample s;
            const int tag = random.bounded(int(tags.size()));
            double& value = walk[size_t(tag)];
            value = storm ? random.bounded(100.0) : std::clamp(value + random.bounded(2.0) - 1.0, 0.0, 100.0);
            s.tag = tags.at(tag);
            s.sourceTimeMs = sourceTime;
            s.receiveTimeMs = sourceTime;
            s.value = value;
            batch.push_back(std::move(s));
        }
        store.ingest(batch, QStringLiteral("bench"));
    });

    const auto measure = [&](bool updating) {
        if (updating) {
            sent = 0;
            feedClock.start();
            feed.start();
        }
        waitFor([] { return false; }, 1000); // settle
        const int applicationsBefore = overlay.applications();
        const qint64 appliedBefore = overlay.assetsApplied();
        const quint64 sentBefore = sent;
        frames = 0;
        QElapsedTimer clock;
        clock.start();
        waitFor([] { return false; }, int(seconds * 1000));
        const double elapsed = double(clock.nsecsElapsed()) / 1e9;
        QJsonObject phase{
            {QStringLiteral("updates_per_s"), double(sent - sentBefore) / elapsed},
            {QStringLiteral("fps"), frames / elapsed},
            {QStringLiteral("overlay_applications_per_s"), (overlay.applications() - applicationsBefore) / elapsed},
            {QStringLiteral("assets_restyled_per_s"), double(overlay.assetsApplied() - appliedBefore) / elapsed},
            {QStringLiteral("alarms_active"), engine.counts().active()}};
        feed.stop();
        return phase;
    };
    QJsonArray phases;
    std::vector<double> idleFps;
    std::vector<double> busyFps;
    for (int round = 0; round < 2; ++round) {
        for (const bool updating : {false, true}) {
            // Between phases everything goes back to normal, so the idle phase is truly idle.
            if (!updating) {
                calmAll();
                for (const alarms::AlarmStatus& status : engine.alarms()) {
                    if (status.isUnacknowledged())
                        engine.acknowledge(status.id, QStringLiteral("bench"), sourceTime);
                }
            }
            QJsonObject phase = measure(updating);
            phase.insert(QStringLiteral("phase"), updating ? QStringLiteral("updates") : QStringLiteral("idle"));
            (updating ? busyFps : idleFps).push_back(phase.value(QStringLiteral("fps")).toDouble());
            phases.append(phase);
        }
    }

    // Alarm to pixel: close in on one asset, push its value over the limit, count frames until
    // the screen shows its alarm colour; then back below and acknowledged, and again.
    const Asset& target = plant->assets.at(plant->assets.size() / 2);
    const QString targetTag = target.tags.first().tagId;
    const QColor alarmColour =
        scenes::alarmColor(static_cast<alarms::Priority>(tags.indexOf(targetTag) % alarms::kPriorityCount));
    // The product renders on demand (a frame when something changed): measure it that way.
    view.setContinuousRendering(false);
    view.flyTo(target.id, false);
    waitFor([] { return false; }, 1500);
    const auto showsAlarm = [&] {
        const std::optional<QPointF> at = view.projectedCenter(target.id);
        if (!at)
            return false;
        const QImage frame = view.grabFrame();
        int hits = 0;
        for (int dy = -2; dy <= 2; ++dy) {
            for (int dx = -2; dx <= 2; ++dx) {
                const QColor c(frame.pixel(at->toPoint() + QPoint(dx, dy)));
                const int diff = std::abs(c.hsvHue() - alarmColour.hsvHue());
                hits += c.hsvSaturation() > 120 && std::min(diff, 360 - diff) <= 14;
            }
        }
        return hits >= 20;
    };
    std::vector<double> latencyFrames;
    std::vector<double> latencyMs;
    std::vector<double> bufferMs;
    qint64 lastTime = sourceTime;
    for (int i = 0; i < crossings; ++i) {
        // Source times only move forward: the store ignores a sample older than the tag's last.
        lastTime = std::max(QDateTime::currentMSecsSinceEpoch(), lastTime + 1);
        telemetry::Sample calm;
        calm.tag = targetTag;
        calm.sourceTimeMs = calm.receiveTimeMs = lastTime;
        calm.value = 40.0;
        store.ingest({calm}, QStringLiteral("bench"));
        store.flush();
        if (const std::optional<alarms::AlarmStatus> status = engine.alarm(targetTag + QStringLiteral(":HI"));
            status && status->isUnacknowledged())
            engine.acknowledge(status->id, QStringLiteral("bench"), lastTime);
        if (!waitFor([&] { return !showsAlarm(); }, 5000))
            continue;
        waitFor([] { return false; }, 200);
        lastTime = std::max(QDateTime::currentMSecsSinceEpoch(), lastTime + 1);
        telemetry::Sample high = calm;
        high.sourceTimeMs = high.receiveTimeMs = lastTime;
        high.value = 95.0;
        const int frameBefore = frames;
        QElapsedTimer clock;
        clock.start();
        // The sample arrives as from a backend: through the store's normal coalescing.
        store.ingest({high}, QStringLiteral("bench"));
        // Our own path first (tag store, alarm engine, overlay, instance buffer), timed closely...
        while (view.drawnColor(target.id) != alarmColour && clock.elapsed() < 5000)
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        bufferMs.push_back(double(clock.nsecsElapsed()) / 1e6);
        // ...then Qt 3D and the X server, to the pixels.
        if (!waitFor(showsAlarm, 5000))
            continue;
        latencyMs.push_back(double(clock.nsecsElapsed()) / 1e6);
        latencyFrames.push_back(frames - frameBefore);
    }

    const auto mean = [](const std::vector<double>& v) {
        return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    };
    const double idle = mean(idleFps);
    const double busy = mean(busyFps);
    QJsonArray roundRatios;
    for (size_t k = 0; k < std::min(idleFps.size(), busyFps.size()); ++k)
        roundRatios.append(idleFps[k] > 0 ? busyFps[k] / idleFps[k] : 0);
    QJsonObject result{
        {QStringLiteral("assets"), int(plant->assets.size())},
        {QStringLiteral("tags"), int(tags.size())},
        {QStringLiteral("rate"), rate},
        {QStringLiteral("feed"), storm ? QStringLiteral("storm") : QStringLiteral("walk")},
        {QStringLiteral("phases"), phases},
        {QStringLiteral("idle_fps"), idle}, // means of the two rounds
        {QStringLiteral("updates_fps"), busy},
        {QStringLiteral("fps_ratio"), idle > 0 ? busy / idle : 0},
        {QStringLiteral("fps_ratio_per_round"), roundRatios},
        {QStringLiteral("alarm_to_buffer_ms_median"), median(bufferMs)},
        {QStringLiteral("alarm_to_pixel_frames_median"), median(latencyFrames)},
        {QStringLiteral("alarm_to_pixel_frames_max"),
         latencyFrames.empty() ? 0 : *std::max_element(latencyFrames.begin(), latencyFrames.end())},
        {QStringLiteral("alarm_to_pixel_ms_median"), median(latencyMs)},
        {QStringLiteral("alarm_to_pixel_samples"), int(latencyMs.size())},
        {QStringLiteral("entities_created"), view.entitiesCreated()},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return latencyMs.empty() ? 4 : 0;
}
