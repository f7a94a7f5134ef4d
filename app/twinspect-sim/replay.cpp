// SPDX-License-Identifier: Apache-2.0
// twinspect-sim replay: a CSV recording (the SKAB layout) played back as live telemetry.
#include "cli.h"
#include "commands.h"
#include "options.h"
#include "telemetry/jsonpayload.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>

#include <cmath>

namespace twinspect::sim {

namespace {

struct Mapping
{
    QString column;
    QString tag;
    int index = -1;
    std::string topic;
    QString qtopic;
    bool warned = false;
};

Result<QList<Mapping>> parseMap(const QStringList& values)
{
    QList<Mapping> mappings;
    for (const QString& value : values) {
        for (const QString& entry : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const qsizetype equals = entry.lastIndexOf(QLatin1Char('='));
            Mapping m;
            m.column = entry.left(equals).trimmed();
            m.tag = entry.mid(equals + 1).trimmed();
            if (equals < 0 || m.column.isEmpty() || m.tag.isEmpty() || m.tag.contains(QLatin1Char('/')) ||
                m.tag.contains(QLatin1Char('+')) || m.tag.contains(QLatin1Char('#')))
                return usageError(
                    QStringLiteral("--map takes COLUMN=TAG[,COLUMN=TAG...] (a tag without / + #); got '%1'")
                        .arg(entry));
            mappings.append(m);
        }
    }
    if (mappings.isEmpty())
        return usageError(QStringLiteral("--map COLUMN=TAG[,COLUMN=TAG...] is required"));
    return mappings;
}

/// A CSV time: ISO 8601 ("2020-03-09 10:14:33", with T or a space, optional milliseconds and zone;
/// without a zone it is read as UTC, since only differences matter) or seconds as a plain number.
std::optional<qint64> parseTimeMs(const QString& text)
{
    bool isNumber = false;
    const double seconds = text.toDouble(&isNumber);
    if (isNumber)
        return std::isfinite(seconds) ? std::optional<qint64>(std::llround(seconds * 1000.0)) : std::nullopt;
    QString iso = text;
    if (iso.size() > 10 && iso.at(10) == QLatin1Char(' '))
        iso[10] = QLatin1Char('T');
    QDateTime time = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeSpec(Qt::UTC); // no daylight-saving jumps in the middle of a recording
    return time.toMSecsSinceEpoch();
}

QStringList splitLine(QByteArray line, char separator)
{
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    QStringList cells;
    for (const QByteArray& cell : line.split(separator))
        cells.append(QString::fromUtf8(cell).trimmed());
    return cells;
}

} // namespace

int runReplay(const QStringList& arguments)
{
    QCommandLineParser parser;
    const BrokerOptions broker(BrokerOptions::Qos::Option);
    const SigningOptions signing;
    const QCommandLineOption csvOption(QStringLiteral("csv"), QStringLiteral("The CSV file to replay."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption mapOption(QStringLiteral("map"),
                                       QStringLiteral("Columns to publish and their tags: COLUMN=TAG[,COLUMN=TAG...]."),
                                       QStringLiteral("MAP"));
    const QCommandLineOption speedOption(QStringLiteral("speed"),
                                         QStringLiteral("Playback speed, 0.001 to 100000 times real time (default 1)."),
                                         QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption timeOption(QStringLiteral("time-column"),
                                        QStringLiteral("The column with the row's time (default datetime)."),
                                        QStringLiteral("COLUMN"), QStringLiteral("datetime"));
    const QCommandLineOption separatorOption(QStringLiteral("separator"),
                                             QStringLiteral("Field separator, one character or \\t (default ;)."),
                                             QStringLiteral("CHAR"), QStringLiteral(";"));
    const QCommandLineOption prefixOption(QStringLiteral("topic-prefix"),
                                          QStringLiteral("Topics are PREFIX/<tag> (default plant/demo-boiler)."),
                                          QStringLiteral("PREFIX"));
    parser.addOptions({csvOption, mapOption, speedOption, timeOption, separatorOption, prefixOption});
    broker.addTo(parser);
    signing.addTo(parser);
    if (const std::optional<int> code = parseCommand(
            parser, arguments,
            QStringLiteral(
                "twinspect-sim replay --csv FILE --map COLUMN=TAG[,...] [--speed X] --broker mqtts://HOST:PORT "
                "--ca CA.crt [options]\n\nReplays a CSV recording as live telemetry.")))
        return *code;

    const Result<BrokerSettings> settings = broker.read(parser);
    if (!settings)
        return fail(settings.error().message, kUsage);
    Result<std::unique_ptr<Signer>> signer = signing.read(parser);
    if (!signer)
        return fail(signer.error().message, kUsage);
    if (!parser.isSet(csvOption))
        return fail(QStringLiteral("--csv FILE is required"), kUsage);
    Result<QList<Mapping>> parsedMap = parseMap(parser.values(mapOption));
    if (!parsedMap)
        return fail(parsedMap.error().message, kUsage);
    QList<Mapping> mappings = std::move(parsedMap).value();
    const Result<double> speed = numberOption(parser, speedOption, 0.001, 100000.0);
    if (!speed)
        return fail(speed.error().message, kUsage);
    const QString separatorText = parser.value(separatorOption);
    if (separatorText != u"\\t" && (separatorText.size() != 1 || separatorText.at(0).unicode() > 127))
        return fail(QStringLiteral("--separator takes one ASCII character or \\t; got '%1'").arg(separatorText),
                    kUsage);
    const char separator = separatorText == u"\\t" ? '\t' : static_cast<char>(separatorText.at(0).unicode());
    const Result<QString> prefix = topicPrefixOption(parser, prefixOption, QStringLiteral("plant/demo-boiler"));
    if (!prefix)
        return fail(prefix.error().message, kUsage);

    const QString csvPath = parser.value(csvOption);
    QFile csv(csvPath);
    if (!csv.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("--csv: cannot read %1: %2").arg(csvPath, csv.errorString()), kUsage);
    QByteArray headerLine = csv.readLine();
    if (headerLine.startsWith("\xEF\xBB\xBF"))
        headerLine.remove(0, 3); // a UTF-8 byte order mark, as spreadsheets write it
    const QStringList header = splitLine(headerLine, separator);
    const auto columnList = [&] { return header.join(QStringLiteral(", ")); };
    const QString timeColumn = parser.value(timeOption);
    const int timeIndex = static_cast<int>(header.indexOf(timeColumn));
    if (timeIndex < 0)
        return fail(QStringLiteral("--time-column: %1 has no column '%2' (its columns: %3)")
                        .arg(csvPath, timeColumn, columnList()),
                    kUsage);
    for (Mapping& m : mappings) {
        m.index = static_cast<int>(header.indexOf(m.column));
        if (m.index < 0)
            return fail(
                QStringLiteral("--map: %1 has no column '%2' (its columns: %3)").arg(csvPath, m.column, columnList()),
                kUsage);
        m.qtopic = prefix.value() + QLatin1Char('/') + m.tag;
        m.topic = m.qtopic.toStdString();
    }

    installStopHandler();
    MqttPublisher publisher(settings.value(), clientId(QStringLiteral("replay")));
    if (const QString error = publisher.connect(true); !error.isEmpty())
        return fail(error);
    QStringList described;
    for (const Mapping& m : std::as_const(mappings))
        described.append(QStringLiteral("%1 -> %2").arg(m.column, m.qtopic));
    out(QStringLiteral("replaying %1 to mqtts://%2 at %3x real time: %4")
            .arg(csvPath, settings.value().address())
            .arg(speed.value())
            .arg(described.join(QStringLiteral(", "))));

    using Clock = std::chrono::steady_clock;
    const Clock::time_point wallStart = Clock::now();
    std::optional<qint64> firstRowMs;
    qint64 startMs = 0;
    qint64 lineNumber = 1;
    quint64 rows = 0;
    quint64 sent = 0;
    quint64 skippedCells = 0;
    quint64 skippedOffline = 0;
    bool warnedTime = false;
    bool interrupted = false;
    while (!csv.atEnd()) {
        const QByteArray line = csv.readLine();
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const QStringList cells = splitLine(line, separator);
        const QString timeText = cells.value(timeIndex);
        const std::optional<qint64> rowMs = parseTimeMs(timeText);
        if (!rowMs) {
            if (!std::exchange(warnedTime, true))
                warn(QStringLiteral("warning: %1:%2: cannot read the time '%3' in column '%4'; such rows are skipped")
                         .arg(csvPath)
                         .arg(lineNumber)
                         .arg(timeText, timeColumn));
            continue;
        }
        if (!firstRowMs) {
            firstRowMs = *rowMs;
            startMs = nowMs();
        }
        // Time stamps follow the replay clock: at --speed 1 they are the CSV's times shifted so that
        // the first row is now; at other speeds the gaps are scaled too, so a value is never stamped
        // in the future (the workstation and signature checks compare time stamps with their clock).
        const double offsetMs = static_cast<double>(*rowMs - *firstRowMs) / speed.value();
        const auto due = wallStart + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double, std::milli>(std::max(0.0, offsetMs)));
        if (!sleepUntil(due)) {
            interrupted = true;
            break;
        }
        ++rows;
        const qint64 timestamp = startMs + std::llround(offsetMs);
        const bool connected = publisher.isConnected();
        for (Mapping& m : mappings) {
            const QString text = cells.value(m.index);
            bool ok = false;
            const double value = text.toDouble(&ok);
            if (!ok || !std::isfinite(value)) {
                ++skippedCells;
                if (!std::exchange(m.warned, true))
                    warn(QStringLiteral("warning: %1:%2: column '%3' holds '%4', not a number; such cells are skipped")
                             .arg(csvPath)
                             .arg(lineNumber)
                             .arg(m.column, text));
                continue;
            }
            if (!connected) {
                ++skippedOffline;
                continue;
            }
            telemetry::Sample sample;
            sample.sourceTimeMs = timestamp;
            sample.value = value;
            QByteArray payload = telemetry::encodeJsonSample(sample, false);
            if (signer.value())
                payload = signer.value()->wrap(m.qtopic, timestamp, payload);
            if (publisher.publish(m.topic, payload, settings.value().qos))
                ++sent;
            else
                ++skippedOffline;
        }
    }
    const double elapsedS = std::chrono::duration<double>(Clock::now() - wallStart).count();
    publisher.finish(std::chrono::seconds(5));
    QString summary = QStringLiteral("replayed %1 rows: sent %2 messages in %3 s (%4 msg/s)")
                          .arg(rows)
                          .arg(sent)
                          .arg(elapsedS, 0, 'f', 1)
                          .arg(elapsedS > 0 ? static_cast<double>(sent) / elapsedS : 0.0, 0, 'f', 1);
    if (skippedCells > 0)
        summary += QStringLiteral("; %1 non-numeric cells skipped").arg(skippedCells);
    if (skippedOffline > 0)
        summary += QStringLiteral("; %1 skipped while disconnected").arg(skippedOffline);
    if (interrupted)
        summary += QStringLiteral("; stopped at line %1 of %2").arg(lineNumber).arg(csvPath);
    out(summary);
    return kOk;
}

} // namespace twinspect::sim
