// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/sample.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace twinspect {
struct Plant;
}

namespace twinspect::sim {

/// Plausible values for every tag bound in a plant, stepped at a fixed rate (docs/cli.md,
/// "twinspect-sim"). Pure computation: no clock, no I/O. The values depend only on the plant, the
/// seed and the step number, so two runs with the same seed publish the same values.
class PlantSimulator
{
public:
    struct Options
    {
        quint64 seed = 1;
        double rateHz = 2.0; ///< steps per second of run time
        bool faults = false; ///< the scripted fault cycle
    };

    struct TagValue
    {
        QString tagId;
        telemetry::Value value;
    };

    PlantSimulator(const Plant& plant, const Options& options);
    ~PlantSimulator();
    PlantSimulator(const PlantSimulator&) = delete;
    PlantSimulator& operator=(const PlantSimulator&) = delete;

    int tagCount() const;
    /// The tags in the order step() returns them (plant order).
    QStringList tagIds() const;
    /// What the simulator made of the plant, one sentence per line: which flow follows which pump,
    /// which tags the fault cycle uses, what it could not find.
    QStringList describe() const;

    /// Computes the values at run time stepIndex() / rate, in plant order, then moves to the next step.
    /// events receives the fault lines that start or end at this step ("fault: TAG ... at T s").
    const std::vector<TagValue>& step(QStringList& events);
    qint64 stepIndex() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace twinspect::sim
