// SPDX-License-Identifier: Apache-2.0
// Telemetry benchmark: sustained samples per second from a real mosquitto (TLS, client
// certificates) into the tag store, end-to-end latency (publisher -> tag store, and -> the next
// rendered frame), and the 3D view's frame rate with and without the load, in one run.
// Publishers are Paho clients in this process, paced in 1 ms steps; each message carries its
// send time in microseconds as its value, so latency is measured to the microsecond on one clock.
// Driven by tests/bench/run-telemetry.sh; results in docs/PERFORMANCE.md.
#include "mainwindow.h"
#include "mosquittobroker.h"
#include "plant/plantloader.h"
#include "telemetry/mqttsource.h"
#include "telemetry/tagstore.h"
#include "twinview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace twinspect;
using twinspect::testing::MosquittoBroker;
using Listener = MosquittoBroker::Listener;

namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point g_epoch = Clock::now();

double nowMicros()
{
    return double(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - g_epoch).count());
}

/// Runs the event loop until `done` or the timeout. It sleeps between events: a loop that polls
/// without blocking would burn a core that the broker and the receiving threads need.
template <typename Predicate>
bool waitFor(Predicate done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QTimer wake;
    wake.start(20);
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return -1;
    const auto k = static_cast<size_t>(p * double(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

/// One publishing connection, paced: sends `rate` messages per second over `tags` topics until stopped.
class Publisher
{
public:
    Publisher(const MosquittoBroker& broker, int index, double rate, int tags)
        : m_topicPrefix("bench/c" + std::to_string(index) + "/T"), m_rate(rate), m_tags(tags),
          m_client(broker.serverUri(Listener::Mtls).toStdString(), "bench-pub-" + std::to_string(index))
    {
        mqtt::ssl_options ssl;
        ssl.set_trust_store(broker.pkiPath(QStringLiteral("ca.crt")).toStdString());
        ssl.set_key_store(broker.pkiPath(QStringLiteral("publisher.crt")).toStdString());
        ssl.set_private_key(broker.pkiPath(QStringLiteral("publisher.key")).toStdString());
        mqtt::connect_options options;
        options.set_mqtt_version(MQTTVERSION_3_1_1);
        options.set_clean_session(true);
        options.set_ssl(std::move(ssl));
        m_client.connect(options)->wait();
    }
    ~Publisher()
    {
        stop();
        try {
            m_client.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    void start()
    {
        m_stop = false;
        m_thread = std::thread([this] { run(); });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    quint64 sent() const { return m_sent; }

private:
    void run()
    {
        const auto start = Clock::now();
        quint64 count = 0;
        while (!m_stop) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            const auto due = static_cast<quint64>(elapsed * m_rate);
            while (count < due && !m_stop) {
                const std::string topic = m_topicPrefix + std::to_string(count % static_cast<quint64>(m_tags));
                char payload[64];
                const int n = std::snprintf(payload, sizeof payload, "{\"v\":%.0f}", nowMicros());
                try {
                    m_client.publish(topic, payload, static_cast<size_t>(n), 0, false);
                } catch (const mqtt::exception&) {
                    // Paho's own buffer is full: the broker is the bottleneck. Count what went out.
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                    continue;
                }
                ++count;
                m_sent = count;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    }

    std::string m_topicPrefix;
    double m_rate;
    int m_tags;
    mqtt::async_client m_client;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<quint64> m_sent{0};
};

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Messages per second in total."),
                                        QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"), QStringLiteral("Backends (connections)."),
                                               QStringLiteral("C"), QStringLiteral("1"));
    const QCommandLineOption tagsOption(QStringLiteral("tags"), QStringLiteral("Tags per connection."), QStringLiteral("K"),
                                        QStringLiteral("1000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Seconds per phase."), QStringLiteral("S"),
                                           QStringLiteral("10"));
    const QCommandLineOption guiOption(QStringLiteral("gui"),
                                       QStringLiteral("Run the main window with the demo plant, rendering continuously."));
    const QCommandLineOption plantOption(QStringLiteral("plant"), QStringLiteral("Plant for --gui."), QStringLiteral("FILE"),
                                         QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json"));
    parser.addOptions({rateOption, connectionsOption, tagsOption, secondsOption, guiOption, plantOption});
    parser.process(app);
    const double rate = parser.value(rateOption).toDouble();
    const int connections = std::max(1, parser.value(connectionsOption).toInt());
    const int tags = std::max(1, parser.value(tagsOption).toInt());
    const double seconds = parser.value(secondsOption).toDouble();
    const bool gui = parser.isSet(guiOption);

    MosquittoBroker broker;
    if (const auto error = broker.start()) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(*error));
        return 2;
    }

    std::unique_ptr<ui::MainWindow> window;
    scenes::TwinView* view = nullptr;
    if (gui) {
        window = std::make_unique<ui::MainWindow>(nullptr);
        const PlantLoadResult plant = PlantLoader::loadFile(parser.value(plantOption));
        if (!plant.ok())
            return 2;
        window->setPlant(std::make_shared<const Plant>(*plant.plant), plant.diagnostics);
        window->resize(1600, 900);
        window->show();
        view = window->twinView();
        waitFor([] { return false; }, 3000); // first frames, shader compilation
    }

    telemetry::TagStore store;
    std::vector<std::unique_ptr<telemetry::MqttSource>> sources;
    std::vector<double> toStore;
    std::vector<double> toScreen;
    std::vector<double> pendingFrame; // send times ingested since the last frame
    bool measuring = false;
    for (int c = 0; c < connections; ++c) {
        telemetry::BackendSettings s;
        s.id = QStringLiteral("bench%1").arg(c);
        s.url = QUrl(QStringLiteral("mqtts://localhost:%1").arg(broker.port(Listener::Mtls)));
        s.tls.caFile = broker.pkiPath(QStringLiteral("ca.crt"));
        s.tls.certFile = broker.pkiPath(QStringLiteral("client.crt"));
        s.tls.keyFile = broker.pkiPath(QStringLiteral("client.key"));
        s.subscriptions.append({QStringLiteral("bench/c%1/+").arg(c), telemetry::PayloadFormat::Json, QStringLiteral("{1}"), 0});
        auto source = std::make_unique<telemetry::MqttSource>(s, telemetry::ConnectionSecrets{}, nullptr);
        QObject::connect(source.get(), &telemetry::TelemetrySource::samplesReady, &store,
                         [&](const telemetry::SampleBatch& batch) {
                             store.ingest(batch, {});
                             if (!measuring)
                                 return;
                             const double now = nowMicros();
                             for (const telemetry::Sample& sample : batch) {
                                 const double sent = std::get<double>(sample.value);
                                 toStore.push_back((now - sent) / 1000.0);
                                 if (view)
                                     pendingFrame.push_back(sent);
                             }
                         });
        source->start();
        sources.push_back(std::move(source));
    }
    if (!waitFor([&] {
            return std::all_of(sources.begin(), sources.end(),
                               [](const auto& s) { return s->presence() == telemetry::Presence::Present; });
        },
                 20'000)) {
        std::fprintf(stderr, "sources did not connect\n");
        return 3;
    }

    int frames = 0;
    if (view) {
        QObject::connect(view, &scenes::TwinView::frameTicked, view, [&] {
            ++frames;
            view->orbit(0.5f, 0);
            const double now = nowMicros();
            for (const double sent : pendingFrame)
                toScreen.push_back((now - sent) / 1000.0);
            pendingFrame.clear();
        });
        view->setContinuousRendering(true);
    }

    // Phase 1: idle (no telemetry), for the frame-rate baseline.
    QElapsedTimer clock;
    double idleFps = 0;
    if (view) {
        waitFor([] { return false; }, 1000);
        frames = 0;
        clock.start();
        waitFor([] { return false; }, int(seconds * 1000));
        idleFps = frames / (double(clock.nsecsElapsed()) / 1e9);
    }

    // Phase 2: the load.
    std::vector<std::unique_ptr<Publisher>> publishers;
    for (int c = 0; c < connections; ++c)
        publishers.push_back(std::make_unique<Publisher>(broker, c, rate / connections, tags));
    for (auto& p : publishers)
        p->start();
    waitFor([] { return false; }, 1500); // warm-up: queues fill to their steady state
    const quint64 ingestedBefore = store.samplesIngested();
    quint64 sentBefore = 0;
    for (auto& p : publishers)
        sentBefore += p->sent();
    measuring = true;
    frames = 0;
    clock.restart();
    waitFor([] { return false; }, int(seconds * 1000));
    const double elapsed = double(clock.nsecsElapsed()) / 1e9;
    measuring = false;
    const double loadFps = frames / elapsed;
    const double ingestedPerSecond = double(store.samplesIngested() - ingestedBefore) / elapsed;
    quint64 sentAfter = 0;
    for (auto& p : publishers)
        sentAfter += p->sent();
    const double sentPerSecond = double(sentAfter - sentBefore) / elapsed;
    for (auto& p : publishers)
        p->stop();
    quint64 dropped = 0;
    for (auto& s : sources)
        dropped += s->counters().dropped;
    if (view)
        view->setContinuousRendering(false);
    for (auto& s : sources)
        s->stop();

    QJsonObject result{
        {QStringLiteral("rate_target"), rate},
        {QStringLiteral("connections"), connections},
        {QStringLiteral("tags"), tags * connections},
        {QStringLiteral("sent_per_s"), std::round(sentPerSecond)},
        {QStringLiteral("ingested_per_s"), std::round(ingestedPerSecond)},
        {QStringLiteral("dropped"), double(dropped)},
        {QStringLiteral("latency_store_p50_ms"), percentile(toStore, 0.50)},
        {QStringLiteral("latency_store_p99_ms"), percentile(toStore, 0.99)},
        {QStringLiteral("gui"), gui},
    };
    if (view) {
        result.insert(QStringLiteral("latency_screen_p50_ms"), percentile(toScreen, 0.50));
        result.insert(QStringLiteral("latency_screen_p99_ms"), percentile(toScreen, 0.99));
        result.insert(QStringLiteral("fps_idle"), idleFps);
        result.insert(QStringLiteral("fps_load"), loadFps);
        result.insert(QStringLiteral("fps_ratio"), idleFps > 0 ? loadFps / idleFps : 0);
    }
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
