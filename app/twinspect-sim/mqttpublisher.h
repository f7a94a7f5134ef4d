// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace twinspect::sim {

/// Where and how to connect. The secrets are never printed.
struct BrokerSettings
{
    QString host;
    quint16 port = 8883;
    QString caFile;
    QString certFile;
    QString keyFile;
    QString keyPassphrase;
    QString username;
    QString password;
    int qos = 0;
    bool mqtt5 = false;
    std::chrono::seconds connectTimeout{10};

    /// "host:port", "[::1]:port" for IPv6, as people write it.
    QString address() const;
};

/// One MQTT-over-TLS publishing connection (Paho async client). Paho's exceptions stay inside:
/// every method reports failures as values. Methods are called from one thread; Paho's own threads
/// only print connection-lost / reconnected lines.
class MqttPublisher
{
public:
    MqttPublisher(const BrokerSettings& settings, const QString& clientId);
    ~MqttPublisher();
    MqttPublisher(const MqttPublisher&) = delete;
    MqttPublisher& operator=(const MqttPublisher&) = delete;

    /// Connects and waits for the CONNACK. Returns an empty string on success, otherwise a sentence
    /// that says what failed (TCP, TLS with the OpenSSL reason, or the broker's refusal).
    /// With reconnect, Paho reconnects by itself when the connection is lost later.
    QString connect(bool reconnect);
    bool isConnected() const;

    /// Queues one message. Never throws. False when it was not queued (not connected, or Paho
    /// refused it). At most maxOutstanding messages wait for the network: beyond that this call waits
    /// for the oldest, so a slow broker slows the publisher instead of filling memory.
    bool publish(const std::string& topic, const QByteArray& payload, int qos);
    void setMaxOutstanding(int count);

    /// Waits up to timeout for queued messages to be written, then disconnects.
    /// Returns false when messages were still waiting at the timeout.
    bool finish(std::chrono::milliseconds timeout);

    /// Connection losses seen so far (each one followed by Paho's automatic reconnect).
    int connectionLosses() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace twinspect::sim
