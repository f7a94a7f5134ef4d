// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

namespace twinspect::sim {

namespace {

// A lock-free atomic is async-signal-safe; a mutex or Qt call in the handler would not be.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onStopSignal(int)
{
    g_stop.store(true);
}

} // namespace

void out(const QString& text)
{
    const QByteArray line = (text + QLatin1Char('\n')).toLocal8Bit();
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
    std::fflush(stdout);
}

void warn(const QString& text)
{
    const QByteArray line = (QStringLiteral("twinspect-sim: ") + text + QLatin1Char('\n')).toLocal8Bit();
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stderr);
}

int fail(const QString& text, int code)
{
    warn(text);
    return code;
}

std::optional<int> parseCommand(QCommandLineParser& parser, const QStringList& arguments, const QString& synopsis)
{
    const QCommandLineOption help = parser.addHelpOption();
    parser.setApplicationDescription(synopsis);
    if (!parser.parse(arguments))
        return fail(parser.errorText(), kUsage);
    if (parser.isSet(help))
        parser.showHelp(kOk); // exits
    // Positional arguments: the command itself, nothing more.
    if (parser.positionalArguments().size() > 1)
        return fail(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(1)), kUsage);
    return std::nullopt;
}

Error usageError(const QString& message)
{
    return Error{QStringLiteral("usage"), message};
}

Result<double> numberOption(const QCommandLineParser& parser, const QCommandLineOption& option, double min, double max)
{
    bool ok = false;
    const QString text = parser.value(option);
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= min && value <= max))
        return usageError(QStringLiteral("--%1 takes a number from %2 to %3; got '%4'")
                              .arg(option.names().constFirst())
                              .arg(min)
                              .arg(max)
                              .arg(text));
    return value;
}

Result<qint64> integerOption(const QCommandLineParser& parser, const QCommandLineOption& option, qint64 min, qint64 max)
{
    bool ok = false;
    const QString text = parser.value(option);
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max)
        return usageError(QStringLiteral("--%1 takes an integer from %2 to %3; got '%4'")
                              .arg(option.names().constFirst())
                              .arg(min)
                              .arg(max)
                              .arg(text));
    return value;
}

Result<QString> readSecretFile(const QString& option, const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return usageError(QStringLiteral("--%1: cannot read %2: %3").arg(option, path, file.errorString()));
    QByteArray line = file.readLine(64 * 1024);
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty())
        return usageError(QStringLiteral("--%1: %2 is empty (the secret is its first line)").arg(option, path));
    return QString::fromUtf8(line);
}

void installStopHandler()
{
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool stopRequested()
{
    return g_stop.load();
}

bool sleepUntil(std::chrono::steady_clock::time_point deadline)
{
    // Short slices: a signal does not reliably interrupt std::this_thread::sleep_until.
    constexpr auto slice = std::chrono::milliseconds(50);
    while (!stopRequested()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline - now, slice));
    }
    return false;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace twinspect::sim
