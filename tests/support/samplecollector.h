// SPDX-License-Identifier: Apache-2.0
// What the telemetry tests need to watch a source: every sample it delivered, and the last one of
// a tag; the signal types registered for QSignalSpy.
#pragma once

#include "telemetry/telemetrysource.h"

#include <QMetaType>

Q_DECLARE_METATYPE(twinspect::telemetry::SampleBatch)
Q_DECLARE_METATYPE(twinspect::telemetry::SecurityEvent)

namespace twinspect::testing {

/// Collects every sample a source delivers.
struct SampleCollector
{
    telemetry::SampleBatch samples;

    void attach(telemetry::TelemetrySource& source)
    {
        QObject::connect(
            &source, &telemetry::TelemetrySource::samplesReady, &source,
            [this](const telemetry::SampleBatch& batch) { samples.insert(samples.end(), batch.begin(), batch.end()); });
    }

    /// The newest sample of a tag, or nullptr.
    const telemetry::Sample* last(const QString& tag) const
    {
        for (auto it = samples.rbegin(); it != samples.rend(); ++it) {
            if (it->tag == tag)
                return &*it;
        }
        return nullptr;
    }
};

} // namespace twinspect::testing
