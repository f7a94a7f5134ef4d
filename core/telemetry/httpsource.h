// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/telemetrysource.h"

#include <memory>

namespace twinspect::telemetry {

class TrustList;

/// An HTTPS (polled) or WSS (streamed) backend, as one object in the GUI thread.
///
/// Kind https: GETs settings.url every pollIntervalMs. Kind wss: keeps a WebSocket open to settings.url
/// and reconnects with exponential backoff and jitter (reconnectMinMs..reconnectMaxMs), emitting
/// timeJumped after a reconnect. Each body or message is a JSON telemetry payload (single, batch or
/// signed envelope, docs/telemetry-format.md) decoded by MessagePipeline with the URL's path as topic.
/// Authorization: a static bearer token (secrets.token), or OAuth2 client credentials from
/// settings.tokenUrl (secrets.clientSecret), refreshed at 80 % of its lifetime and once on a 401.
///
/// TLS: the pinned CA, TLS 1.2 or later, the client certificate, host name verification. Qt has no
/// CRL support, so before the first connection and after every failure checkHttpsConnection (OpenSSL)
/// verifies the server, CRL included; a Qt connection is then accepted only if it presents a
/// certificate that check verified.
///
/// Threads: every method is called from the thread the source lives in (the GUI thread), where all
/// signals are emitted too. The blocking check runs on a thread of its own, cancelled through an
/// atomic flag and joined by stop(); its verdict comes back as a queued call.
class HttpSource : public TelemetrySource
{
    Q_OBJECT
public:
    HttpSource(BackendSettings settings, ConnectionSecrets secrets, std::shared_ptr<const TrustList> trust,
               QObject* parent = nullptr);
    ~HttpSource() override;

    QString id() const override;
    Capabilities capabilities() const override;
    void start() override;
    void stop() override;
    SourceCounters counters() const override;

    /// The settings as used: with a catch-all JSON subscription ("#") when none was configured.
    const BackendSettings& settings() const;
    /// What the last connection check found, with the server's certificate chain.
    ConnectionVerdict lastVerdict() const;
    /// How long decoded samples may wait to be handed over together (default 5 ms).
    void setDeliveryInterval(int ms);
    /// Hands over whatever is queued now (tests, and before a screenshot).
    void deliverNow();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace twinspect::telemetry
