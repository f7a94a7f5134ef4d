// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

class QCommandLineOption;
class QCommandLineParser;

/// Small helpers every twinspect-sim command shares: output, exit codes, option parsing, stop signal.
namespace twinspect::sim {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

/// One line on stdout, flushed at once: the fault lines are read by scripts through a pipe.
void out(const QString& text);
/// "twinspect-sim: TEXT" on stderr.
void warn(const QString& text);
/// warn(text) and return code.
int fail(const QString& text, int code = kFailed);

/// Parses the arguments of one command. Unlike QCommandLineParser::process(), an unknown option is
/// a usage error (exit 2, not Qt's 1); --help prints the command's options and exits 0.
/// Returns the exit code to leave with, or nothing when the command should run.
std::optional<int> parseCommand(QCommandLineParser& parser, const QStringList& arguments, const QString& synopsis);

/// Reads a number option. The error names the option and the accepted range.
Result<double> numberOption(const QCommandLineParser& parser, const QCommandLineOption& option, double min, double max);
Result<qint64> integerOption(const QCommandLineParser& parser, const QCommandLineOption& option, qint64 min,
                             qint64 max);

/// The first line of a secret file (password, passphrase), without its line break. The content is
/// never printed, also not in errors.
Result<QString> readSecretFile(const QString& option, const QString& path);

/// An Error with code "usage" (exit 2).
Error usageError(const QString& message);

/// SIGINT and SIGTERM set a flag instead of killing the process, so that a run ends with its summary
/// and a clean MQTT disconnect.
void installStopHandler();
bool stopRequested();
/// Sleeps until the deadline or a stop request, whichever comes first. Returns false on a stop request.
bool sleepUntil(std::chrono::steady_clock::time_point deadline);

qint64 nowMs();

} // namespace twinspect::sim
