// SPDX-License-Identifier: Apache-2.0
// twinspect-sim flood: a paced QoS 0 load for benchmarks of the broker and the workstation.
#include "cli.h"
#include "commands.h"
#include "options.h"
#include "telemetry/jsonpayload.h"

#include <QCommandLineParser>

#include <cmath>
#include <thread>

namespace twinspect::sim {

namespace {

// Messages a connection may have queued in Paho. Enough to keep the socket busy; small because
// Paho C walks its whole queue on every publish (measured: a window of 10000 gave about half the rate
// of 200).
constexpr int kFloodWindow = 200;

struct Lane
{
    std::unique_ptr<MqttPublisher> publisher;
    std::vector<std::string> topics;
    double rate = 0.0; ///< messages per second on this connection
    quint64 sent = 0;
    quint64 failed = 0;
    double elapsedS = 0.0; ///< until the last message was written to the socket
    bool drained = true;
};

/// {"ts":MS,"v":N} padded with a "pad" string up to payloadBytes (the decoder ignores unknown fields).
QByteArray floodPayload(qint64 timestamp, double value, int payloadBytes)
{
    telemetry::Sample sample;
    sample.sourceTimeMs = timestamp;
    sample.value = value;
    QByteArray payload = telemetry::encodeJsonSample(sample, false);
    const qsizetype overhead = 9; // ,"pad":""
    if (const qsizetype pad = payloadBytes - payload.size() - overhead; pad > 0) {
        payload.chop(1);
        payload += ",\"pad\":\"" + QByteArray(pad, 'x') + "\"}";
    }
    return payload;
}

/// Publishes lane.rate messages per second until the end, in bursts of whatever is due: the
/// schedule is absolute, so a late burst catches up instead of lowering the rate.
void runLane(Lane& lane, std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point end,
             int payloadBytes)
{
    using Clock = std::chrono::steady_clock;
    sleepUntil(start);
    quint64 count = 0;
    size_t next = 0;
    while (!stopRequested()) {
        const Clock::time_point now = Clock::now();
        if (now >= end)
            break;
        const double elapsedS = std::chrono::duration<double>(now - start).count();
        const auto due = static_cast<quint64>(std::floor(elapsedS * lane.rate)) + 1;
        if (count >= due) {
            const Clock::time_point nextAt =
                start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(count) / lane.rate));
            std::this_thread::sleep_until(std::min(nextAt, end));
            continue;
        }
        const qint64 timestamp = nowMs();
        // Bounded bursts: when the broker cannot keep up, the end time and a stop request are still
        // noticed on time.
        const quint64 burstEnd = std::min(due, count + 256);
        for (; count < burstEnd; ++count) {
            const QByteArray payload = floodPayload(timestamp, static_cast<double>(count % 1000), payloadBytes);
            if (lane.publisher->publish(lane.topics[next], payload, 0))
                ++lane.sent;
            else
                ++lane.failed;
            next = (next + 1) % lane.topics.size();
        }
    }
    lane.drained = lane.publisher->finish(std::chrono::seconds(10));
    lane.elapsedS = std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

int runFlood(const QStringList& arguments)
{
    QCommandLineParser parser;
    const BrokerOptions broker(BrokerOptions::Qos::AlwaysZero);
    const QCommandLineOption rateOption(
        QStringLiteral("rate"), QStringLiteral("Messages per second in total, 1 to 10000000."), QStringLiteral("N"));
    const QCommandLineOption durationOption(QStringLiteral("duration"), QStringLiteral("Seconds to run."),
                                            QStringLiteral("S"));
    const QCommandLineOption payloadOption(
        QStringLiteral("payload-bytes"),
        QStringLiteral("Pad each payload to this size (default: no padding, ~30 bytes)."), QStringLiteral("B"),
        QStringLiteral("0"));
    const QCommandLineOption tagsOption(QStringLiteral("tags"),
                                        QStringLiteral("Number of tags T0..T<K-1> (default 100)."), QStringLiteral("K"),
                                        QStringLiteral("100"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                               QStringLiteral("Connections, each in its own thread (default 1)."),
                                               QStringLiteral("C"), QStringLiteral("1"));
    const QCommandLineOption prefixOption(QStringLiteral("topic-prefix"),
                                          QStringLiteral("Topics are PREFIX/T<i> (default bench)."),
                                          QStringLiteral("PREFIX"));
    parser.addOptions({rateOption, durationOption, payloadOption, tagsOption, connectionsOption, prefixOption});
    broker.addTo(parser);
    if (const std::optional<int> code = parseCommand(
            parser, arguments,
            QStringLiteral("twinspect-sim flood --rate N --duration S [--payload-bytes B] [--tags K] [--connections C] "
                           "--broker mqtts://HOST:PORT --ca CA.crt [options]\n\n"
                           "Publishes a paced QoS 0 load and prints the rate achieved.")))
        return *code;

    const Result<BrokerSettings> settings = broker.read(parser);
    if (!settings)
        return fail(settings.error().message, kUsage);
    for (const QCommandLineOption* required : {&rateOption, &durationOption}) {
        if (!parser.isSet(*required))
            return fail(
                QStringLiteral("--%1 %2 is required").arg(required->names().constFirst(), required->valueName()),
                kUsage);
    }
    const Result<double> rate = numberOption(parser, rateOption, 1.0, 1e7);
    if (!rate)
        return fail(rate.error().message, kUsage);
    const Result<double> duration = numberOption(parser, durationOption, 0.1, 1e6);
    if (!duration)
        return fail(duration.error().message, kUsage);
    const Result<qint64> payloadBytes = integerOption(parser, payloadOption, 0, 1 << 20);
    if (!payloadBytes)
        return fail(payloadBytes.error().message, kUsage);
    const Result<qint64> tags = integerOption(parser, tagsOption, 1, 1000000);
    if (!tags)
        return fail(tags.error().message, kUsage);
    const Result<qint64> connections = integerOption(parser, connectionsOption, 1, 64);
    if (!connections)
        return fail(connections.error().message, kUsage);
    if (tags.value() < connections.value())
        return fail(
            QStringLiteral("--tags (%1) must be at least --connections (%2): each tag is sent over one connection")
                .arg(tags.value())
                .arg(connections.value()),
            kUsage);
    const Result<QString> prefix = topicPrefixOption(parser, prefixOption, QStringLiteral("bench"));
    if (!prefix)
        return fail(prefix.error().message, kUsage);

    installStopHandler();
    const int laneCount = static_cast<int>(connections.value());
    std::vector<Lane> lanes(static_cast<size_t>(laneCount));
    for (int c = 0; c < laneCount; ++c) {
        Lane& lane = lanes[static_cast<size_t>(c)];
        lane.rate = rate.value() / laneCount;
        // Each tag on one connection only, so that a tag's messages stay in order.
        for (qint64 t = c; t < tags.value(); t += laneCount)
            lane.topics.push_back(QString(prefix.value() + QStringLiteral("/T") + QString::number(t)).toStdString());
        lane.publisher = std::make_unique<MqttPublisher>(settings.value(), clientId(QStringLiteral("flood%1").arg(c)));
        lane.publisher->setMaxOutstanding(kFloodWindow);
        if (const QString error = lane.publisher->connect(false); !error.isEmpty())
            return fail(error);
    }
    out(QStringLiteral("flooding mqtts://%1 with %2 msg/s for %3 s: %4 tags under %5/, %6 connection(s)")
            .arg(settings.value().address())
            .arg(rate.value())
            .arg(duration.value())
            .arg(tags.value())
            .arg(prefix.value())
            .arg(laneCount));

    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now() + std::chrono::milliseconds(100);
    const Clock::time_point end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration.value()));
    const int bytes = static_cast<int>(payloadBytes.value());
    {
        std::vector<std::jthread> threads;
        for (Lane& lane : lanes)
            threads.emplace_back([&lane, start, end, bytes] { runLane(lane, start, end, bytes); });
    }
    quint64 sent = 0;
    quint64 failed = 0;
    double elapsedS = 0.0;
    bool drained = true;
    QStringList perLane;
    for (const Lane& lane : lanes) {
        sent += lane.sent;
        failed += lane.failed;
        elapsedS = std::max(elapsedS, lane.elapsedS);
        drained = drained && lane.drained;
        perLane.append(
            QString::number(lane.elapsedS > 0 ? static_cast<double>(lane.sent) / lane.elapsedS : 0.0, 'f', 0));
    }
    const double achieved = elapsedS > 0 ? static_cast<double>(sent) / elapsedS : 0.0;
    const int payloadSize = static_cast<int>(floodPayload(nowMs(), 999.0, bytes).size());
    out(QStringLiteral("flood: %1 messages in %2 s over %3 connection(s), %4 tags, %5-byte payloads: %6 msg/s achieved "
                       "(requested %7)%8")
            .arg(sent)
            .arg(elapsedS, 0, 'f', 2)
            .arg(laneCount)
            .arg(tags.value())
            .arg(payloadSize)
            .arg(achieved, 0, 'f', 0)
            .arg(rate.value())
            .arg(laneCount > 1 ? QStringLiteral("; per connection %1").arg(perLane.join(QStringLiteral(", ")))
                               : QString()));
    if (failed > 0 || !drained)
        out(QStringLiteral("flood: %1 messages were not sent%2")
                .arg(failed)
                .arg(drained ? QString() : QStringLiteral(", and some were still queued at the end")));
    else if (achieved < 0.95 * rate.value())
        out(QStringLiteral("flood: below the requested rate: the publisher or the broker could not keep up"));
    return kOk;
}

} // namespace twinspect::sim
