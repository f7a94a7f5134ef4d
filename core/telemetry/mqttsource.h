// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/telemetrysource.h"

#include <memory>

class QTimer;

namespace twinspect::telemetry {

class TrustList;

/// An MQTT backend over TLS (Eclipse Paho C++), as one Qt-facing object in the GUI thread.
/// A connection thread checks, connects and reconnects (exponential backoff with jitter, its own
/// connect timeout); Paho's thread decodes messages into a bounded queue (oldest dropped and
/// counted under overload); a timer in the GUI thread hands the queue over in batches every 5 ms.
class MqttSource : public TelemetrySource
{
    Q_OBJECT
public:
    MqttSource(BackendSettings settings, ConnectionSecrets secrets, std::shared_ptr<const TrustList> trust,
               QObject* parent = nullptr);
    ~MqttSource() override;

    QString id() const override;
    Capabilities capabilities() const override;
    void start() override;
    void stop() override;
    SourceCounters counters() const override;

    const BackendSettings& settings() const { return m_settings; }
    /// What the last connection check found, with the server's certificate chain.
    ConnectionVerdict lastVerdict() const;
    /// How often queued samples are handed to the GUI thread (default 5 ms).
    void setDeliveryInterval(int ms);
    /// Hands over whatever is queued now (tests, and before a screenshot).
    void deliverNow();

private:
    struct Worker;
    void onVerdict(const ConnectionVerdict& verdict);
    void onWorkerProblem(const Problem& problem);

    BackendSettings m_settings;
    ConnectionSecrets m_secrets;
    std::shared_ptr<const TrustList> m_trust;
    std::unique_ptr<Worker> m_worker;
    QTimer* m_deliveryTimer = nullptr;
    ConnectionVerdict m_lastVerdict;
    SourceCounters m_stoppedCounters; ///< what the last run counted, readable after stop()
};

} // namespace twinspect::telemetry
