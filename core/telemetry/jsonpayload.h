// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/sample.h"

#include <QByteArray>
#include <QStringList>

namespace twinspect::telemetry {

/// The result of decoding one message: the samples, or a sentence saying what was wrong with it
/// (naming the field: "samples[3].v: expected a number, boolean, string or null").
struct DecodeResult
{
    SampleBatch samples;
    QString error;
    bool ok() const { return error.isEmpty(); }
};

/// Decodes a JSON telemetry payload (docs/telemetry-format.md): a single sample object, a batch
/// {"samples": [...]}, or a bare scalar. topicTag is the tag the topic mapping gave (may be empty:
/// then every sample must name its tag). Never throws, never crashes on hostile input.
DecodeResult decodeJsonPayload(const QByteArray& payload, const QString& topicTag, qint64 receiveTimeMs);

/// Encodes one sample in the single-sample form (for the simulator and tests).
QByteArray encodeJsonSample(const Sample& sample, bool includeTag);

/// MQTT topic filter matching ("+" one level, "#" the rest). captures gets what each wildcard
/// matched, in order ("#" as the remaining levels joined with "/").
bool topicMatches(QStringView filter, QStringView topic, QStringList* captures = nullptr);

/// Expands a tag template: {1}, {2}, ... the wildcard captures, {topic} the whole topic.
/// An empty template gives an empty tag (the payload names it).
QString expandTagTemplate(const QString& tagTemplate, QStringView topic, const QStringList& captures);

} // namespace twinspect::telemetry
