// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/sample.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <memory>
#include <optional>

namespace twinspect::telemetry::sparkplug {

/// The parts of a Sparkplug B topic. `type` is the message type as written in the topic
/// ("NBIRTH", "DDATA", ...). `device` is empty for node messages. For the host STATE topic
/// (spBv1.0/STATE/<host id>) `group` is empty and `edgeNode` holds the host application id.
struct Topic
{
    QString group;
    QString type;
    QString edgeNode;
    QString device;
};

/// Splits spBv1.0/<group>/<NBIRTH|NDATA|NDEATH|NCMD>/<edge node>,
/// spBv1.0/<group>/<DBIRTH|DDATA|DDEATH|DCMD>/<edge node>/<device> and spBv1.0/STATE/<host id>.
/// nullopt for anything else: another namespace, an unknown type, a missing or extra level, an
/// empty id, or an MQTT wildcard in an id.
std::optional<Topic> parseTopic(QStringView topic);

/// Something a person should know about a message: severity and one sentence naming the node or
/// device, what was wrong, and what happened about it.
struct Problem
{
    enum class Severity
    {
        Info,
        Warning,
        Error
    };
    Severity severity = Severity::Info;
    QString message;
};

/// A request for an edge node to publish its births again (NCMD "Node Control/Rebirth" = true).
/// The caller publishes `payload` on `topic` (QoS 0, not retained).
struct RebirthRequest
{
    QString topic;      ///< spBv1.0/<group>/NCMD/<edge node>
    QByteArray payload; ///< an encoded Sparkplug B payload
};

/// What one message produced.
struct Outcome
{
    SampleBatch samples;
    QList<Problem> problems;
    std::optional<RebirthRequest> rebirth;
};

/// The host-application side of Sparkplug B for one MQTT connection: remembers each edge node's
/// and device's births (metric names, aliases, datatypes), checks `seq` and `bdSeq`, turns
/// payloads into samples, marks tags stale on deaths, and asks for rebirths when it has lost
/// track. Not thread-safe: feed it from the thread that receives the connection's messages,
/// in arrival order. Samples carry Authenticity::Transport; end-to-end signatures are checked
/// around this class, not in it.
class Session
{
public:
    struct Options
    {
        /// false: a sample's tag is the metric name; true: "group/edge node[/device]/metric".
        bool qualifiedTagNames = false;

        // Limits against hostile or broken publishers: a message over one is refused with an
        // Error problem. The defaults are far above what real edge nodes send.
        /// Checked before decoding.
        qsizetype maxPayloadBytes = qsizetype{16} * 1024 * 1024;
        /// Counted before decoding.
        qsizetype maxMetricsPerMessage = 100'000;
        /// Protobuf fields at any depth, counted before decoding: bounds what decoding allocates.
        qsizetype maxFieldsPerMessage = 1'000'000;
        /// Metrics remembered for an edge node and its devices together; a device counts as one.
        qsizetype maxMetricsPerNode = 100'000;
        /// The same for all edge nodes together.
        qsizetype maxMetricsPerSession = 1'000'000;
        /// Memory for all births together, estimated from name lengths.
        qsizetype maxRememberedBytes = qsizetype{512} * 1024 * 1024;
        qsizetype maxNodes = 10'000;

        /// While a rebirth request to a node is unanswered, no second one is sent sooner than this.
        qint64 rebirthIntervalMs = 5'000;
    };

    Session();
    explicit Session(Options options);
    ~Session();
    /// A moved-from Session may only be destroyed or assigned to.
    Session(Session&& other) noexcept;
    Session& operator=(Session&& other) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Handles one message. `receiveTimeMs` is this workstation's clock (ms since the epoch) when
    /// it arrived; it stamps the samples and serves as the clock for rebirth requests. A sample's
    /// sourceTimeMs is the metric's time stamp, else the payload's, else `receiveTimeMs`. Deaths,
    /// and births that drop a metric or a device, yield Stale samples without a value. NCMD, DCMD
    /// and STATE are not telemetry and produce nothing. Failures come back as problems, never as
    /// exceptions (short of running out of memory).
    Outcome handle(QStringView topic, const QByteArray& payload, qint64 receiveTimeMs);

    /// Forgets every node, e.g. after the MQTT connection was re-established without a
    /// persistent session: the caller then waits for births or requests them.
    void reset();

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace twinspect::telemetry::sparkplug
