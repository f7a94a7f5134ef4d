// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

/// The twinspect-sim commands. Each takes the whole argument list (program name, command, options)
/// and returns the exit code: 0 done, 1 failed, 2 usage error.
namespace twinspect::sim {

int runPublish(const QStringList& arguments);
int runReplay(const QStringList& arguments);
int runKeygen(const QStringList& arguments);
int runFlood(const QStringList& arguments);

} // namespace twinspect::sim
