// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/sample.h"

#include <QList>
#include <QObject>

namespace twinspect::telemetry {

/// Whether a source is delivering, as a person would describe it.
enum class Presence : quint8
{
    Stopped,
    Connecting,
    Present,
    Reconnecting,
    Error
};
QString presenceName(Presence presence);

/// Something wrong with a source, said so that a person can act on it.
struct Problem
{
    enum class Severity : quint8
    {
        Info,
        Warning,
        Error
    };
    Severity severity = Severity::Error;
    QString code;    ///< stable, for programs and the audit log: "tls.unknown-ca", "auth.bad-password", ...
    QString message; ///< a sentence naming the host, certificate or check that failed
    qint64 timeMs = 0;
};
QString severityName(Problem::Severity severity);

/// Something the audit log must hear about: an untrusted value, a refused connection.
struct SecurityEvent
{
    QString code;    ///< "telemetry.untrusted", "telemetry.connect-refused", ...
    QString subject; ///< the publisher, tag or certificate concerned
    QString reason;  ///< the specific check: "signature.replay", "tls.client-revoked", ...
    QString detail;  ///< never contains a secret
};

/// Counters a source keeps about its stream, for the Connections dock and the benchmarks.
struct SourceCounters
{
    quint64 received = 0;  ///< messages taken from the wire
    quint64 delivered = 0; ///< samples handed to the consumer
    quint64 dropped = 0;   ///< messages dropped because the queue was full (oldest first)
    quint64 rejected = 0;  ///< messages that failed to decode
    quint64 untrusted = 0; ///< samples marked untrusted by the signature check
};

/// The contract every telemetry backend implements (MQTT, HTTPS/WSS, and later replay).
/// A source lives in the GUI thread; whatever threads it uses inside, it emits samplesReady there,
/// in batches, never one signal per message.
class TelemetrySource : public QObject
{
    Q_OBJECT
public:
    enum Capability : quint8
    {
        Live = 1 << 0,           ///< values arrive as the plant produces them
        Replay = 1 << 1,         ///< values come from a recording
        Seek = 1 << 2,           ///< the consumer can move in time
        SignedPayloads = 1 << 3, ///< payloads can carry end-to-end signatures
        Rebirth = 1 << 4,        ///< the source can ask publishers to resend their state
    };
    Q_DECLARE_FLAGS(Capabilities, Capability)

    explicit TelemetrySource(QObject* parent = nullptr);
    ~TelemetrySource() override;

    virtual QString id() const = 0;
    virtual Capabilities capabilities() const = 0;
    virtual void start() = 0;
    virtual void stop() = 0;

    Presence presence() const { return m_presence; }
    /// The problems in force now; a newer problem with the same code replaces the older one.
    const QList<Problem>& problems() const { return m_problems; }
    virtual SourceCounters counters() const = 0;

Q_SIGNALS:
    void samplesReady(const twinspect::telemetry::SampleBatch& samples);
    void presenceChanged(twinspect::telemetry::Presence presence);
    void problemsChanged();
    /// The stream is discontinuous: values after this point do not follow from those before
    /// (a replay seek, a reconnect after missed data). Consumers break trend lines here.
    void timeJumped(qint64 fromMs, qint64 toMs);
    void securityEvent(const twinspect::telemetry::SecurityEvent& event);

protected:
    void setPresence(Presence presence);
    void raiseProblem(Problem problem);
    void clearProblem(const QString& code);
    void clearProblems();

private:
    Presence m_presence = Presence::Stopped;
    QList<Problem> m_problems;
};

} // namespace twinspect::telemetry

Q_DECLARE_OPERATORS_FOR_FLAGS(twinspect::telemetry::TelemetrySource::Capabilities)
