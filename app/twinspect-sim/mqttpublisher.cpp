// SPDX-License-Identifier: Apache-2.0
#include "mqttpublisher.h"

#include "cli.h"
#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"

#include <QStringList>
#include <QUrl>

#include <deque>
#include <mqtt/async_client.h>
#include <mutex>

namespace twinspect::sim {

namespace {

constexpr int kMaxBuffered = 1'000'000;

/// OpenSSL's error lines ("C0..:error:0A000086:SSL routines:func:certificate verify failed:file:line:")
/// carry one useful field: the reason.
QString opensslReason(const QString& line)
{
    const QStringList fields = line.split(QLatin1Char(':'));
    if (fields.size() >= 6 && fields.at(1) == u"error")
        return fields.at(5);
    return line;
}

QString connackText(int code)
{
    switch (code) {
    case 1:
        return QStringLiteral("unacceptable protocol version (try the other --mqtt-version)");
    case 2:
        return QStringLiteral("client identifier rejected");
    case 3:
        return QStringLiteral("server unavailable");
    case 4:
        return QStringLiteral("bad user name or password");
    case 5:
        return QStringLiteral("not authorised");
    default:
        return QStringLiteral("CONNACK return code %1").arg(code);
    }
}

} // namespace

QString BrokerSettings::address() const
{
    const bool v6 = host.contains(QLatin1Char(':'));
    return (v6 ? QLatin1Char('[') + host + QLatin1Char(']') : host) + QLatin1Char(':') + QString::number(port);
}

struct MqttPublisher::Impl
{
    BrokerSettings settings;
    std::mutex mutex;
    QStringList sslErrors; // guarded by mutex: written by Paho's threads during handshakes
    std::atomic<bool> lost{false};
    std::atomic<int> losses{0};
    std::deque<mqtt::delivery_token_ptr> outstanding;
    size_t maxOutstanding = 200; // Paho C scans its whole queue per publish: keep it short
    // Last, so it is destroyed first: its threads call back into the members above.
    mqtt::async_client client;

    Impl(const BrokerSettings& s, const QString& clientId)
        : settings(s)
        , client("ssl://" + s.address().toStdString(), clientId.toStdString(),
                 // Paho C refuses a publish once this many wait in its queue, connected or not;
                 // the outstanding window (setMaxOutstanding) is what limits the queue here.
                 mqtt::create_options(s.mqtt5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1, kMaxBuffered))
    {
        client.set_connection_lost_handler([this](const std::string& cause) {
            lost = true;
            ++losses;
            warn(QStringLiteral("connection to %1 lost%2; reconnecting")
                     .arg(settings.address(),
                          cause.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(cause))));
        });
        client.set_connected_handler([this](const std::string&) {
            if (lost.exchange(false))
                warn(QStringLiteral("reconnected to %1").arg(settings.address()));
        });
    }

    /// Why a connect failed, in words a person can act on. Paho says "-1" for every TCP and TLS
    /// failure (and its TLS text is OpenSSL's bare reason, if any); the workstation's own connection
    /// check repeats the attempt step by step and names the step and the certificate that failed.
    QString explain(const mqtt::exception& e)
    {
        const QString where = QStringLiteral("cannot connect to mqtts://%1: ").arg(settings.address());
        const int rc = e.get_return_code();
        // MQTT 5 reason codes (>= 0x80) arrive as the return code or as the reason code, depending on
        // where Paho noticed the refusal.
        for (const int code : {e.get_reason_code(), rc}) {
            if (settings.mqtt5 && code >= 0x80)
                return where + QStringLiteral("the broker refused the connection: %1 (reason code %2)")
                                   .arg(QString::fromStdString(mqtt::exception::reason_code_str(code)))
                                   .arg(code);
        }
        if (rc > 0)
            return where + QStringLiteral("the broker refused the connection: %1").arg(connackText(rc));
        QStringList tls;
        {
            const std::lock_guard lock(mutex);
            for (const QString& error : std::as_const(sslErrors))
                tls.append(opensslReason(error));
        }
        tls.removeDuplicates();
        const QString pahoText =
            tls.isEmpty() ? QString::fromStdString(e.what()) : QStringLiteral("TLS: ") + tls.join(QStringLiteral("; "));

        telemetry::BackendSettings backend;
        backend.id = QStringLiteral("twinspect-sim");
        // The check validates a subscriber's settings; it only connects, so this filter is never used.
        backend.subscriptions.append(telemetry::Subscription{QStringLiteral("twinspect-sim/check"), {}, {}, 0});
        backend.url = QUrl(QStringLiteral("mqtts://") + settings.address());
        backend.mqttVersion = telemetry::BackendSettings::MqttVersion::V311;
        backend.username = settings.username;
        backend.tls.caFile = settings.caFile;
        backend.tls.certFile = settings.certFile;
        backend.tls.keyFile = settings.keyFile;
        backend.tls.verifyHostname = true;
        telemetry::ConnectionSecrets secrets;
        secrets.password = settings.password;
        secrets.keyPassphrase = settings.keyPassphrase;
        const telemetry::ConnectionVerdict verdict = telemetry::checkMqttConnection(backend, secrets, 5000);
        if (!verdict.ok) {
            // The check speaks of the workstation's settings; here they are options.
            QString message = verdict.message;
            message.replace(QLatin1String("(tls.certFile)"), QLatin1String("(--cert, --key)"));
            return where + message + QStringLiteral(" (Paho: %1)").arg(pahoText);
        }
        return where + pahoText +
               QStringLiteral(" (a separate check of TLS and the MQTT 3.1.1 CONNECT passed: the failure may be "
                              "passing; with --mqtt-version 5, try 3.1.1)");
    }
};

MqttPublisher::MqttPublisher(const BrokerSettings& settings, const QString& clientId)
    : d(std::make_unique<Impl>(settings, clientId))
{}

MqttPublisher::~MqttPublisher()
{
    d->outstanding.clear();
    try {
        if (d->client.is_connected())
            d->client.disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
        // Leaving anyway; the broker notices the closed socket.
    }
}

QString MqttPublisher::connect(bool reconnect)
{
    const BrokerSettings& s = d->settings;
    mqtt::ssl_options ssl;
    ssl.set_trust_store(s.caFile.toStdString());
    if (!s.certFile.isEmpty()) {
        ssl.set_key_store(s.certFile.toStdString());
        ssl.set_private_key(s.keyFile.toStdString());
    }
    if (!s.keyPassphrase.isEmpty())
        ssl.set_private_key_password(s.keyPassphrase.toStdString());
    ssl.set_enable_server_cert_auth(true);
    ssl.set_verify(true); // the host name in --broker must be in the server certificate
    ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_2);
    ssl.set_error_handler([impl = d.get()](const std::string& text) {
        const std::lock_guard lock(impl->mutex);
        // Automatic reconnects report here too: keep the first few, they explain the first failure.
        if (impl->sslErrors.size() < 20)
            impl->sslErrors.append(QString::fromStdString(text).trimmed());
    });

    mqtt::connect_options options;
    // Explicit: Paho's default tries 3.1.1, then 3.1, doubling the time of every failing attempt.
    options.set_mqtt_version(s.mqtt5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    if (s.mqtt5)
        options.set_clean_start(true);
    else
        options.set_clean_session(true);
    options.set_keep_alive_interval(30);
    options.set_connect_timeout(static_cast<int>(s.connectTimeout.count()));
    if (!s.username.isEmpty())
        options.set_user_name(s.username.toStdString());
    if (!s.password.isEmpty())
        options.set_password(s.password.toStdString());
    if (reconnect)
        options.set_automatic_reconnect(1, 30);
    options.set_ssl(std::move(ssl));

    try {
        if (!d->client.connect(options)->wait_for(s.connectTimeout + std::chrono::seconds(2)))
            return QStringLiteral("cannot connect to mqtts://%1: no answer within %2 s")
                .arg(s.address())
                .arg(s.connectTimeout.count());
    } catch (const mqtt::exception& e) {
        return d->explain(e);
    }
    return {};
}

bool MqttPublisher::isConnected() const
{
    return d->client.is_connected();
}

bool MqttPublisher::publish(const std::string& topic, const QByteArray& payload, int qos)
{
    while (d->outstanding.size() >= d->maxOutstanding) {
        const mqtt::delivery_token_ptr oldest = std::move(d->outstanding.front());
        d->outstanding.pop_front();
        try {
            oldest->wait_for(std::chrono::seconds(5));
        } catch (const mqtt::exception&) {
            // That message was lost with a connection; it was counted as sent when it was queued.
        }
    }
    try {
        d->outstanding.push_back(
            d->client.publish(topic, payload.constData(), static_cast<size_t>(payload.size()), qos, false));
    } catch (const mqtt::exception&) {
        // Not connected (Paho is reconnecting): the caller counts it as skipped. Telemetry is not
        // worth sending late.
        return false;
    }
    // Completed tokens need no waiting; dropping them keeps the window cheap.
    while (!d->outstanding.empty() && d->outstanding.front()->is_complete())
        d->outstanding.pop_front();
    return true;
}

void MqttPublisher::setMaxOutstanding(int count)
{
    d->maxOutstanding = static_cast<size_t>(std::clamp(count, 1, kMaxBuffered / 2));
}

bool MqttPublisher::finish(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool complete = true;
    for (const mqtt::delivery_token_ptr& token : d->outstanding) {
        try {
            const auto left =
                std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{});
            if (!token->wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(left)))
                complete = false;
        } catch (const mqtt::exception&) {
            complete = false;
        }
    }
    d->outstanding.clear();
    try {
        if (d->client.is_connected())
            d->client.disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
        complete = false;
    }
    return complete;
}

int MqttPublisher::connectionLosses() const
{
    return d->losses.load();
}

} // namespace twinspect::sim
