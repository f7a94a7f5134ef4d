// SPDX-License-Identifier: Apache-2.0
#include "telemetry/mqttsource.h"

#include "telemetry/messagepipeline.h"
#include "telemetry/signedpayload.h"

#include <QDateTime>
#include <QHash>
#include <QTimer>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mqtt/async_client.h>
#include <mutex>
#include <random>
#include <thread>

namespace twinspect::telemetry {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// Connection failures that a retry cannot fix without someone changing something. The source
/// keeps retrying (the broker's side may be fixed), but shows them as errors, not as reconnecting.
bool isRefusal(const QString& code)
{
    return code.startsWith(u"tls.") || code.startsWith(u"auth.") || code.startsWith(u"config.");
}

} // namespace

struct MqttSource::Worker
{
    MqttSource* owner = nullptr;
    BackendSettings settings;
    ConnectionSecrets secrets;
    std::shared_ptr<const TrustList> trust;

    std::thread thread;
    std::mutex mutex; ///< guards the fields below, and wakes the connection thread
    std::condition_variable wake;
    bool connectionLost = false;
    std::string lostCause;
    std::string sslErrors;
    std::atomic<bool> stopping{false};

    std::mutex queueMutex;
    std::deque<Sample> queue;

    std::atomic<quint64> received{0};
    std::atomic<quint64> delivered{0};
    std::atomic<quint64> dropped{0};
    std::atomic<quint64> rejected{0};
    std::atomic<quint64> untrusted{0};

    // Only touched by Paho's callback thread: rate limits so that a flood of bad messages makes a
    // few reports, not one per message.
    QHash<QString, qint64> lastReported;
    QHash<QString, int> suppressed;

    /// Runs f on the source in the GUI thread. Queued events die with the source, and the source
    /// joins this thread before it dies, so f never sees a dangling owner.
    template <typename F> void post(F f)
    {
        QMetaObject::invokeMethod(
            owner, [o = owner, f = std::move(f)] { f(o); }, Qt::QueuedConnection);
    }

    void run();
    void runSession(MessagePipeline& pipeline, qint64& lostAtMs);
    void onMessage(MessagePipeline& pipeline, mqtt::async_client& client, const mqtt::const_message_ptr& message);
    bool rateLimited(const QString& key, qint64 intervalMs, int* suppressedCount);
    void sleepFor(int ms)
    {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
    }
};

bool MqttSource::Worker::rateLimited(const QString& key, qint64 intervalMs, int* suppressedCount)
{
    const qint64 now = nowMs();
    const auto it = lastReported.constFind(key);
    if (it != lastReported.constEnd() && now - it.value() < intervalMs) {
        ++suppressed[key];
        return true;
    }
    lastReported.insert(key, now);
    *suppressedCount = suppressed.take(key);
    return false;
}

void MqttSource::Worker::onMessage(MessagePipeline& pipeline, mqtt::async_client& client,
                                   const mqtt::const_message_ptr& message)
{
    received.fetch_add(1, std::memory_order_relaxed);
    const qint64 receiveTime = nowMs();
    const std::string& topicBytes = message->get_topic();
    const std::string& payloadBytes = message->get_payload_ref().str();
    const QString topic = QString::fromUtf8(topicBytes.data(), static_cast<qsizetype>(topicBytes.size()));
    const QByteArray payload(payloadBytes.data(), static_cast<qsizetype>(payloadBytes.size()));
    MessagePipeline::Outcome outcome = pipeline.handle(topic, payload, receiveTime);
    if (outcome.decodeFailed)
        rejected.fetch_add(1, std::memory_order_relaxed);
    if (outcome.untrustedSamples > 0)
        untrusted.fetch_add(static_cast<quint64>(outcome.untrustedSamples), std::memory_order_relaxed);
    for (Problem& problem : outcome.problems) {
        int more = 0;
        if (rateLimited(QStringLiteral("p:") + problem.code, 1000, &more))
            continue;
        if (more > 0)
            problem.message += QStringLiteral(" (and %1 similar in the last second)").arg(more);
        post([problem](MqttSource* source) { source->onWorkerProblem(problem); });
    }
    for (SecurityEvent& event : outcome.securityEvents) {
        int more = 0;
        if (rateLimited(QStringLiteral("s:") + event.code + u'/' + event.reason + u'/' + event.subject, 10'000, &more))
            continue;
        if (more > 0)
            event.detail += QStringLiteral(" (%1 more like it in the last 10 s, not logged one by one)").arg(more);
        post([event](MqttSource* source) { Q_EMIT source->securityEvent(event); });
    }
    if (outcome.reply) {
        try {
            client.publish(outcome.reply->first.toStdString(), outcome.reply->second.constData(),
                           static_cast<size_t>(outcome.reply->second.size()), 0, false);
        } catch (const mqtt::exception&) {
            // The connection is going away; the next birth after reconnecting resynchronises anyway.
        }
    }
    if (outcome.samples.empty())
        return;
    const auto limit = static_cast<size_t>(settings.queueLimit);
    std::lock_guard lock(queueMutex);
    for (Sample& sample : outcome.samples)
        queue.push_back(std::move(sample));
    if (queue.size() > limit) {
        const size_t excess = queue.size() - limit;
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(excess));
        dropped.fetch_add(excess, std::memory_order_relaxed);
    }
}

void MqttSource::Worker::runSession(MessagePipeline& pipeline, qint64& lostAtMs)
{
    const std::string uri = "ssl://" + settings.host().toStdString() + ':' + std::to_string(settings.port());
    const bool v5 = settings.mqttVersion == BackendSettings::MqttVersion::V5;
    const std::string clientId =
        settings.clientId.isEmpty() ? ("twinspect-" + settings.id.toStdString()) : settings.clientId.toStdString();
    mqtt::async_client client(uri, clientId, mqtt::create_options(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
    client.set_message_callback([&](mqtt::const_message_ptr message) { onMessage(pipeline, client, message); });
    client.set_connection_lost_handler([this](const std::string& cause) {
        std::lock_guard lock(mutex);
        connectionLost = true;
        lostCause = cause;
        wake.notify_all();
    });

    mqtt::ssl_options ssl;
    if (!settings.tls.caFile.isEmpty())
        ssl.set_trust_store(settings.tls.caFile.toStdString());
    if (!settings.tls.certFile.isEmpty()) {
        ssl.set_key_store(settings.tls.certFile.toStdString());
        ssl.set_private_key(settings.tls.keyFile.toStdString());
    }
    if (!secrets.keyPassphrase.isEmpty())
        ssl.set_private_key_password(secrets.keyPassphrase.toStdString());
    ssl.set_enable_server_cert_auth(true);
    ssl.set_verify(settings.tls.verifyHostname);
    ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_2);
    ssl.set_error_handler([this](const std::string& text) {
        std::lock_guard lock(mutex);
        sslErrors = text;
    });

    mqtt::connect_options options;
    options.set_mqtt_version(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    if (v5)
        options.set_clean_start(true);
    else
        options.set_clean_session(true);
    options.set_keep_alive_interval(settings.keepAliveSeconds);
    options.set_connect_timeout(std::max(1, (settings.connectTimeoutMs + 999) / 1000));
    if (!settings.username.isEmpty())
        options.set_user_name(settings.username.toStdString());
    if (!secrets.password.isEmpty())
        options.set_password(secrets.password.toStdString());
    options.set_ssl(std::move(ssl));

    const auto timeout = std::chrono::milliseconds(settings.connectTimeoutMs);
    const auto fail = [this](const QString& code, const QString& message) {
        post([code, message](MqttSource* source) {
            source->onWorkerProblem({Problem::Severity::Error, code, message, 0});
            source->setPresence(Presence::Reconnecting);
        });
    };
    try {
        if (!client.connect(options)->wait_for(timeout)) {
            fail(QStringLiteral("mqtt.timeout"),
                 QStringLiteral("MQTT connection to %1:%2 did not complete within %3 ms")
                     .arg(settings.host())
                     .arg(settings.port())
                     .arg(settings.connectTimeoutMs));
            return;
        }
        for (const Subscription& subscription : std::as_const(settings.subscriptions)) {
            if (!client.subscribe(subscription.filter.toStdString(), subscription.qos)->wait_for(timeout)) {
                fail(QStringLiteral("mqtt.subscribe"),
                     QStringLiteral("the broker did not confirm the subscription to %1").arg(subscription.filter));
                return;
            }
        }
    } catch (const mqtt::exception& e) {
        std::string ssl;
        {
            std::lock_guard lock(mutex);
            ssl.swap(sslErrors);
        }
        fail(QStringLiteral("mqtt.connect-failed"),
             QStringLiteral("MQTT connection to %1:%2 failed after the check passed: %3%4")
                 .arg(settings.host())
                 .arg(settings.port())
                 .arg(QString::fromStdString(e.what()),
                      ssl.empty() ? QString() : QStringLiteral(" (TLS: %1)").arg(QString::fromStdString(ssl))));
        return;
    }
    const qint64 connectedAt = nowMs();
    const qint64 lostBefore = lostAtMs;
    post([lostBefore, connectedAt](MqttSource* source) {
        source->clearProblems();
        source->setPresence(Presence::Present);
        // Values published while we were away are gone: tell consumers the stream has a hole.
        if (lostBefore > 0)
            Q_EMIT source->timeJumped(lostBefore, connectedAt);
    });

    std::unique_lock lock(mutex);
    wake.wait(lock, [this] { return stopping.load() || connectionLost; });
    if (stopping) {
        lock.unlock();
        try {
            client.disconnect()->wait_for(std::chrono::seconds(2));
        } catch (const mqtt::exception&) {
        }
        return;
    }
    connectionLost = false;
    const QString cause = QString::fromStdString(lostCause);
    lock.unlock();
    lostAtMs = nowMs();
    post([cause, host = settings.host(), port = settings.port()](MqttSource* source) {
        source->onWorkerProblem({Problem::Severity::Warning, QStringLiteral("net.connection-lost"),
                                 QStringLiteral("connection to %1:%2 lost%3; reconnecting")
                                     .arg(host)
                                     .arg(port)
                                     .arg(cause.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(cause)),
                                 0});
        source->setPresence(Presence::Reconnecting);
    });
}

void MqttSource::Worker::run()
{
    std::mt19937 random(std::random_device{}());
    int failures = 0;
    qint64 lostAtMs = 0;
    while (!stopping) {
        ConnectionVerdict verdict = checkMqttConnection(settings, secrets, settings.connectTimeoutMs, &stopping);
        if (stopping)
            break;
        post([verdict](MqttSource* source) { source->onVerdict(verdict); });
        if (verdict.code == u"config.invalid")
            return; // nothing will change until the settings do
        if (verdict.ok) {
            const qint64 before = nowMs();
            // The pipeline lives for one connection: Sparkplug state must be rebuilt from births.
            MessagePipeline pipeline(settings, trust);
            runSession(pipeline, lostAtMs);
            // A session that lasted is a success: start the backoff again from the bottom.
            if (nowMs() - before > 10'000)
                failures = 0;
        }
        if (stopping)
            break;
        // Exponential backoff with "equal jitter": half fixed, half random, so that many
        // workstations do not hammer a restarted broker in lockstep.
        const double ceiling =
            std::min<double>(settings.reconnectMaxMs, settings.reconnectMinMs * std::pow(2.0, std::min(failures, 20)));
        std::uniform_real_distribution<double> jitter(ceiling / 2, ceiling);
        ++failures;
        sleepFor(static_cast<int>(jitter(random)));
    }
}

MqttSource::MqttSource(BackendSettings settings, ConnectionSecrets secrets, std::shared_ptr<const TrustList> trust,
                       QObject* parent)
    : TelemetrySource(parent)
    , m_settings(std::move(settings))
    , m_secrets(std::move(secrets))
    , m_trust(std::move(trust))
    , m_deliveryTimer(new QTimer(this))
{
    // Every 5 ms: batches stay large under load (hundreds of samples at 50k msg/s), while the
    // wait a sample spends in the queue stays well inside a frame (p99 latency target: 20 ms).
    m_deliveryTimer->setInterval(5);
    connect(m_deliveryTimer, &QTimer::timeout, this, &MqttSource::deliverNow);
}

MqttSource::~MqttSource()
{
    stop();
}

QString MqttSource::id() const
{
    return m_settings.id;
}

TelemetrySource::Capabilities MqttSource::capabilities() const
{
    Capabilities caps = Live | Rebirth;
    if (m_trust)
        caps |= SignedPayloads;
    return caps;
}

void MqttSource::start()
{
    if (m_worker)
        return;
    m_worker = std::make_unique<Worker>();
    m_worker->owner = this;
    m_worker->settings = m_settings;
    m_worker->secrets = m_secrets;
    m_worker->trust = m_trust;
    setPresence(Presence::Connecting);
    m_worker->thread = std::thread([w = m_worker.get()] { w->run(); });
    m_deliveryTimer->start();
}

void MqttSource::stop()
{
    if (!m_worker)
        return;
    {
        std::lock_guard lock(m_worker->mutex);
        m_worker->stopping = true;
    }
    m_worker->wake.notify_all();
    m_worker->thread.join();
    deliverNow();
    m_stoppedCounters = counters();
    m_worker.reset();
    m_deliveryTimer->stop();
    setPresence(Presence::Stopped);
}

SourceCounters MqttSource::counters() const
{
    if (!m_worker)
        return m_stoppedCounters;
    SourceCounters c;
    c.received = m_worker->received.load();
    c.delivered = m_worker->delivered.load();
    c.dropped = m_worker->dropped.load();
    c.rejected = m_worker->rejected.load();
    c.untrusted = m_worker->untrusted.load();
    return c;
}

ConnectionVerdict MqttSource::lastVerdict() const
{
    return m_lastVerdict;
}

void MqttSource::setDeliveryInterval(int ms)
{
    m_deliveryTimer->setInterval(ms);
}

void MqttSource::deliverNow()
{
    if (!m_worker)
        return;
    SampleBatch batch;
    {
        std::lock_guard lock(m_worker->queueMutex);
        if (m_worker->queue.empty())
            return;
        batch.reserve(m_worker->queue.size());
        std::move(m_worker->queue.begin(), m_worker->queue.end(), std::back_inserter(batch));
        m_worker->queue.clear();
    }
    m_worker->delivered.fetch_add(batch.size(), std::memory_order_relaxed);
    Q_EMIT samplesReady(batch);
}

void MqttSource::onVerdict(const ConnectionVerdict& verdict)
{
    const QString previousCode = m_lastVerdict.code;
    m_lastVerdict = verdict;
    if (verdict.ok) {
        clearProblem(previousCode);
        if (previousCode != u"ok") {
            const CertificateInfo server = verdict.serverChain.value(0);
            Q_EMIT securityEvent({QStringLiteral("telemetry.connected"), m_settings.id, verdict.code,
                                  QStringLiteral("%1; server certificate %2, SHA-256 %3")
                                      .arg(verdict.message, server.subject, server.sha256)});
        }
        return;
    }
    raiseProblem({Problem::Severity::Error, verdict.code, verdict.message, 0});
    setPresence(isRefusal(verdict.code) ? Presence::Error : Presence::Reconnecting);
    // Each distinct refusal is a security-relevant event; a retry failing the same way is not news.
    if (verdict.code != previousCode)
        Q_EMIT securityEvent({isRefusal(verdict.code) ? QStringLiteral("telemetry.connect_refused")
                                                      : QStringLiteral("telemetry.connect_failed"),
                              m_settings.id, verdict.code, verdict.message});
}

void MqttSource::onWorkerProblem(const Problem& problem)
{
    raiseProblem(problem);
}

} // namespace twinspect::telemetry
