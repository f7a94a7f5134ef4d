// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/backendsettings.h"
#include "telemetry/telemetrysource.h"

#include <QByteArray>

#include <memory>
#include <optional>

namespace twinspect::telemetry {

class SignatureVerifier;
class TrustList;
namespace sparkplug {
class Session;
}

/// Turns one backend's raw messages into samples: finds the subscription a topic belongs to, checks
/// the end-to-end signature, decodes JSON or Sparkplug B, and marks what could not be proven.
/// Transport-independent (MQTT today; the HTTPS/WSS backend feeds it too) and not thread-safe: a
/// backend calls it from its one receiving thread.
class MessagePipeline
{
public:
    struct Outcome
    {
        SampleBatch samples;
        QList<Problem> problems;
        QList<SecurityEvent> securityEvents;
        bool decodeFailed = false;
        int untrustedSamples = 0;
        /// A message to publish in reply (a Sparkplug rebirth request): topic and payload.
        std::optional<std::pair<QString, QByteArray>> reply;
    };

    /// trust may be null when the backend has no trust file: then signed envelopes cannot be
    /// verified and, if signatures are required, everything is untrusted.
    MessagePipeline(const BackendSettings& settings, std::shared_ptr<const TrustList> trust);
    ~MessagePipeline();
    MessagePipeline(const MessagePipeline&) = delete;
    MessagePipeline& operator=(const MessagePipeline&) = delete;

    Outcome handle(const QString& topic, const QByteArray& message, qint64 receiveTimeMs);

private:
    const Subscription* subscriptionFor(const QString& topic, QStringList* captures) const;

    QList<Subscription> m_subscriptions;
    QString m_backendId;
    bool m_signaturesRequired = false;
    std::unique_ptr<SignatureVerifier> m_verifier;
    std::unique_ptr<sparkplug::Session> m_sparkplug;
};

} // namespace twinspect::telemetry
