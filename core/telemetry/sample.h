// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QtGlobal>

#include <variant>
#include <vector>

namespace twinspect::telemetry {

/// How far a value can be believed. Ordered from best to worst so that "the worst of two" is max().
/// Untrusted means the origin could not be proven (bad or missing signature, unknown publisher,
/// replay): such a value is never shown as good, whatever its publisher claimed.
enum class Quality : quint8
{
    Good,
    Uncertain,
    Stale,
    Bad,
    Untrusted
};

/// How the origin of a value was authenticated.
enum class Authenticity : quint8
{
    Transport, ///< only the hop to the broker or gateway was authenticated (TLS); the broker is trusted
    Signed,    ///< the publisher signed the payload (end to end); verified against the trust list
};

/// A sample's value. monostate: no value (a death certificate, a bad reading without a value).
using Value = std::variant<std::monostate, double, bool, QString>;

/// One value of one tag as it arrived. Times are milliseconds since the Unix epoch, UTC.
struct Sample
{
    QString tag;
    qint64 sourceTimeMs = 0;  ///< the publisher's time stamp; 0 when a JSON payload had none (Sparkplug
                              ///< falls back to the payload's time, then to the receive time)
    qint64 receiveTimeMs = 0; ///< this workstation's clock when the message arrived
    Value value;
    Quality quality = Quality::Good;
    Authenticity authenticity = Authenticity::Transport;
};

using SampleBatch = std::vector<Sample>;

/// Stable lower-case names used in documents, the CLI and the audit log.
QString qualityName(Quality quality);
QString authenticityName(Authenticity authenticity);
/// Human text of a value ("12.5", "true", "OPEN", "—" for none).
QString valueText(const Value& value);

} // namespace twinspect::telemetry
