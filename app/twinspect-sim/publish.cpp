// SPDX-License-Identifier: Apache-2.0
// twinspect-sim publish: the plant's tags with plausible dynamics and an optional fault cycle.
#include "cli.h"
#include "commands.h"
#include "options.h"
#include "plant/plantloader.h"
#include "plantsimulator.h"
#include "telemetry/jsonpayload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace twinspect::sim {

namespace {

constexpr auto kDemoPlantName = "demo-boiler.plant.json";

/// The demo plant: $TWINSPECT_DEMO_PLANT, the installed copy (BINDIR/../share/twinspect/plants), or
/// the source tree this binary was built from. Returns the candidates tried when none exists.
Result<QString> demoPlant()
{
    QStringList tried;
    if (const QString fromEnvironment = qEnvironmentVariable("TWINSPECT_DEMO_PLANT"); !fromEnvironment.isEmpty()) {
        if (QFileInfo(fromEnvironment).isFile())
            return fromEnvironment;
        tried.append(fromEnvironment + QStringLiteral(" ($TWINSPECT_DEMO_PLANT)"));
    }
    const QString installed =
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../share/twinspect/plants/") + QLatin1String(kDemoPlantName));
    if (QFileInfo(installed).isFile())
        return QDir::cleanPath(installed);
    tried.append(QDir::cleanPath(installed));
    const QString source = QStringLiteral(TWINSPECT_SOURCE_PLANTS_DIR "/") + QLatin1String(kDemoPlantName);
    if (QFileInfo(source).isFile())
        return source;
    tried.append(source);
    return Error{QStringLiteral("no-demo"),
                 QStringLiteral("the demo plant was not found (looked at %1); give --plant FILE")
                     .arg(tried.join(QStringLiteral(", ")))};
}

/// plant/<file name without .plant.json>: plant/demo-boiler for the demo.
QString defaultPrefix(const QString& plantPath)
{
    QString name = QFileInfo(plantPath).fileName();
    for (const QLatin1String suffix : {QLatin1String(".plant.json"), QLatin1String(".json")}) {
        if (name.endsWith(suffix)) {
            name.chop(suffix.size());
            break;
        }
    }
    return QStringLiteral("plant/") + name;
}

} // namespace

int runPublish(const QStringList& arguments)
{
    QCommandLineParser parser;
    const BrokerOptions broker(BrokerOptions::Qos::Option);
    const SigningOptions signing;
    const QCommandLineOption plantOption(
        QStringLiteral("plant"), QStringLiteral("Plant file whose tags are published (default: the demo plant)."),
        QStringLiteral("FILE"));
    const QCommandLineOption prefixOption(
        QStringLiteral("topic-prefix"),
        QStringLiteral(
            "Topics are PREFIX/<tag id> (default: plant/<plant file name>, plant/demo-boiler for the demo)."),
        QStringLiteral("PREFIX"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("Samples per second per tag, 0.01 to 1000 (default 2)."),
                                        QStringLiteral("HZ"), QStringLiteral("2"));
    const QCommandLineOption durationOption(
        QStringLiteral("duration"), QStringLiteral("Stop after this many seconds (default: at SIGINT or SIGTERM)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption faultsOption(
        QStringLiteral("faults"),
        QStringLiteral("Scripted faults every 60 s from 20 s on: a pump trips for 15 s, a temperature overshoots "
                       "for 10 s."));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Random seed: the same seed gives the same values (default 1)."),
                                        QStringLiteral("N"), QStringLiteral("1"));
    parser.addOptions({plantOption, prefixOption, rateOption, durationOption, faultsOption, seedOption});
    broker.addTo(parser);
    signing.addTo(parser);
    if (const std::optional<int> code = parseCommand(
            parser, arguments,
            QStringLiteral("twinspect-sim publish --broker mqtts://HOST:PORT --ca CA.crt --cert CLIENT.crt --key "
                           "CLIENT.key [options]\n\nPublishes every tag of a plant with plausible values.")))
        return *code;

    const Result<BrokerSettings> settings = broker.read(parser);
    if (!settings)
        return fail(settings.error().message, kUsage);
    Result<std::unique_ptr<Signer>> signer = signing.read(parser);
    if (!signer)
        return fail(signer.error().message, kUsage);
    const Result<double> rate = numberOption(parser, rateOption, 0.01, 1000.0);
    if (!rate)
        return fail(rate.error().message, kUsage);
    std::optional<double> durationS;
    if (parser.isSet(durationOption)) {
        const Result<double> duration = numberOption(parser, durationOption, 0.001, 1e9);
        if (!duration)
            return fail(duration.error().message, kUsage);
        durationS = duration.value();
    }
    const Result<qint64> seed = integerOption(parser, seedOption, 0, std::numeric_limits<qint64>::max());
    if (!seed)
        return fail(seed.error().message, kUsage);
    const Result<QString> plantPath =
        parser.isSet(plantOption) ? Result<QString>(parser.value(plantOption)) : demoPlant();
    if (!plantPath)
        return fail(plantPath.error().message);
    const Result<QString> prefix = topicPrefixOption(parser, prefixOption, defaultPrefix(plantPath.value()));
    if (!prefix)
        return fail(prefix.error().message, kUsage);

    // Only the tags matter here: meshes are not read.
    PlantLoadOptions loadOptions;
    loadOptions.probeMeshes = false;
    const PlantLoadResult loaded = PlantLoader::loadFile(plantPath.value(), loadOptions);
    if (!loaded.ok())
        return fail(QStringLiteral("%1 was not loaded:\n%2").arg(plantPath.value(), loaded.report()));
    PlantSimulator simulator(*loaded.plant, PlantSimulator::Options{static_cast<quint64>(seed.value()), rate.value(),
                                                                    parser.isSet(faultsOption)});
    if (simulator.tagCount() == 0)
        return fail(QStringLiteral("no tags are bound in %1: nothing to publish").arg(plantPath.value()));

    // The topics of every tag, once: per message only the payload is built.
    std::vector<std::string> topics;
    QStringList qtopics;
    for (const QString& tagId : simulator.tagIds()) {
        qtopics.append(prefix.value() + QLatin1Char('/') + tagId);
        topics.push_back(qtopics.constLast().toStdString());
    }

    installStopHandler();
    MqttPublisher publisher(settings.value(), clientId(QStringLiteral("publish")));
    if (const QString error = publisher.connect(true); !error.isEmpty())
        return fail(error);
    const int qos = settings.value().qos;
    out(QStringLiteral("publishing %1 tags of %2 to mqtts://%3 as %4/<tag>: %5 Hz per tag (%6 msg/s), QoS %7, %8")
            .arg(simulator.tagCount())
            .arg(plantPath.value(), settings.value().address(), prefix.value())
            .arg(rate.value())
            .arg(rate.value() * simulator.tagCount())
            .arg(qos)
            .arg(signer.value() ? QStringLiteral("signed as %1").arg(signer.value()->publisher())
                                : QStringLiteral("unsigned")));
    // The fault lines come last in describe(); a generated plant can have thousands of flows before them.
    const QStringList model = simulator.describe();
    constexpr qsizetype kModelLines = 30;
    for (qsizetype i = 0; i < model.size(); ++i) {
        const bool fault = model.at(i).startsWith(u"faults:");
        if (i < kModelLines || fault)
            out(QStringLiteral("model: ") + model.at(i));
        else if (i == kModelLines)
            out(QStringLiteral("model: ... (%1 more lines about flows and pressures)")
                    .arg(std::count_if(model.cbegin() + i, model.cend(),
                                       [](const QString& line) { return !line.startsWith(u"faults:"); })));
    }

    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::duration<double>(1.0 / rate.value());
    const Clock::time_point start = Clock::now();
    // Without --duration the run ends at a signal only.
    const Clock::time_point end =
        durationS ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*durationS))
                  : Clock::time_point::max();
    quint64 sent = 0;
    quint64 skipped = 0;
    QStringList events;
    for (qint64 tick = 0;; ++tick) {
        const Clock::time_point due =
            start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(tick));
        if (due >= end) {
            sleepUntil(end);
            break;
        }
        if (!sleepUntil(due))
            break;
        events.clear();
        const std::vector<PlantSimulator::TagValue>& values = simulator.step(events);
        for (const QString& event : std::as_const(events))
            out(event);
        // While Paho reconnects the values are dropped, not queued: late telemetry would show an old
        // state as current. The simulation itself keeps running, so the values stay deterministic.
        if (!publisher.isConnected()) {
            skipped += values.size();
            continue;
        }
        const qint64 timestamp = nowMs();
        for (size_t i = 0; i < values.size(); ++i) {
            telemetry::Sample sample;
            sample.sourceTimeMs = timestamp;
            sample.value = values[i].value;
            QByteArray payload = telemetry::encodeJsonSample(sample, false);
            if (signer.value())
                payload = signer.value()->wrap(qtopics.at(static_cast<qsizetype>(i)), timestamp, payload);
            if (publisher.publish(topics[i], payload, qos))
                ++sent;
            else
                ++skipped;
        }
    }
    const double elapsedS = std::chrono::duration<double>(Clock::now() - start).count();
    publisher.finish(std::chrono::seconds(5));
    out(QStringLiteral("sent %1 messages in %2 s (%3 msg/s)%4")
            .arg(sent)
            .arg(elapsedS, 0, 'f', 1)
            .arg(elapsedS > 0 ? static_cast<double>(sent) / elapsedS : 0.0, 0, 'f', 1)
            .arg(skipped == 0 ? QString()
                              : QStringLiteral("; %1 skipped while disconnected (connection lost %2)")
                                    .arg(skipped)
                                    .arg(publisher.connectionLosses() == 1
                                             ? QStringLiteral("once")
                                             : QStringLiteral("%1 times").arg(publisher.connectionLosses()))));
    return kOk;
}

} // namespace twinspect::sim
