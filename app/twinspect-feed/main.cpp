// SPDX-License-Identifier: Apache-2.0
// twinspect-feed: connect to a telemetry backend the way the workstation does, and either print a
// verdict on the connection (check) or the samples as they arrive (tail). docs/cli.md.
#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/mqttsource.h"
#include "telemetry/secretstore.h"
#include "telemetry/signedpayload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <variant>

using namespace twinspect;
using namespace twinspect::telemetry;

namespace {

constexpr int exitOk = 0;
constexpr int exitFailed = 1;
constexpr int exitUsage = 2;

void out(const QString& text)
{
    std::fputs(qPrintable(text + u'\n'), stdout);
    std::fflush(stdout);
}

int fail(const QString& text, int code = exitFailed)
{
    std::fputs(qPrintable(QStringLiteral("twinspect-feed: ") + text + u'\n'), stderr);
    return code;
}

struct Backend
{
    BackendSettings settings;
    ConnectionSecrets secrets;
    std::shared_ptr<const TrustList> trust;
};

/// Loads the chosen backend, its secrets and its trust list; an error text on failure.
std::variant<Backend, QString> loadBackend(const QCommandLineParser& args)
{
    const QString path = args.value(QStringLiteral("backend"));
    auto all = loadBackendSettings(path);
    if (!all)
        return all.error().message;
    const QString id = args.value(QStringLiteral("id"));
    const QList<BackendSettings>& list = all.value();
    const auto it = std::find_if(list.cbegin(), list.cend(),
                                 [&](const BackendSettings& b) { return id.isEmpty() ? b.enabled : b.id == id; });
    if (it == list.cend())
        return id.isEmpty() ? QStringLiteral("%1 has no enabled backend").arg(path)
                            : QStringLiteral("%1 has no backend \"%2\"").arg(path, id);
    Backend backend;
    backend.settings = *it;
    const QString secretsPath = args.isSet(QStringLiteral("secrets"))
                                    ? args.value(QStringLiteral("secrets"))
                                    : QFileInfo(path).absoluteDir().filePath(QStringLiteral("secrets.json"));
    auto secrets = SecretStore::open(secretsPath);
    if (!secrets)
        return secrets.error().message;
    backend.secrets.password = secrets.value().value(backend.settings.secretKey(u"password"));
    backend.secrets.keyPassphrase = secrets.value().value(backend.settings.secretKey(u"key-passphrase"));
    if (!backend.settings.signatures.trustFile.isEmpty()) {
        auto trust = TrustList::load(backend.settings.signatures.trustFile);
        if (!trust)
            return trust.error().message;
        backend.trust = std::make_shared<const TrustList>(std::move(trust).value());
    }
    return backend;
}

void printChain(const QList<CertificateInfo>& chain)
{
    for (int i = 0; i < chain.size(); ++i) {
        const CertificateInfo& c = chain.at(i);
        out(QStringLiteral("  certificate %1: %2").arg(i).arg(c.subject));
        out(QStringLiteral("    issuer:   %1").arg(c.issuer));
        out(QStringLiteral("    valid:    %1 to %2").arg(c.notBefore, c.notAfter));
        if (!c.names.isEmpty())
            out(QStringLiteral("    names:    %1").arg(c.names.join(QStringLiteral(", "))));
        out(QStringLiteral("    SHA-256:  %1").arg(c.sha256));
    }
}

int runCheck(const QCommandLineParser& args, const Backend& backend)
{
    const int timeout = args.value(QStringLiteral("timeout")).toInt();
    const ConnectionVerdict verdict = checkMqttConnection(backend.settings, backend.secrets, timeout);
    if (args.isSet(QStringLiteral("json"))) {
        QJsonObject o;
        o.insert(QLatin1String("backend"), backend.settings.id);
        o.insert(QLatin1String("ok"), verdict.ok);
        o.insert(QLatin1String("code"), verdict.code);
        o.insert(QLatin1String("message"), verdict.message);
        out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    } else {
        out(QStringLiteral("%1: %2 [%3] %4")
                .arg(backend.settings.id, verdict.ok ? QStringLiteral("OK") : QStringLiteral("REFUSED"), verdict.code,
                     verdict.message));
        if (args.isSet(QStringLiteral("verbose")))
            printChain(verdict.serverChain);
    }
    return verdict.ok ? exitOk : exitFailed;
}

volatile std::sig_atomic_t interrupted = 0;

int runTail(QCoreApplication& app, const QCommandLineParser& args, const Backend& backend)
{
    const bool json = args.isSet(QStringLiteral("json"));
    const qint64 wanted = args.value(QStringLiteral("count")).toLongLong();
    const int seconds = args.value(QStringLiteral("duration")).toInt();
    MqttSource source(backend.settings, backend.secrets, backend.trust);
    qint64 printed = 0;
    int exitCode = exitOk;
    QObject::connect(&source, &TelemetrySource::samplesReady, &app, [&](const SampleBatch& batch) {
        for (const Sample& s : batch) {
            if (wanted > 0 && printed >= wanted)
                break;
            ++printed;
            if (json) {
                QJsonObject o;
                o.insert(QLatin1String("tag"), s.tag);
                o.insert(QLatin1String("value"), valueText(s.value));
                o.insert(QLatin1String("quality"), qualityName(s.quality));
                o.insert(QLatin1String("trust"), authenticityName(s.authenticity));
                o.insert(QLatin1String("sourceTime"), static_cast<double>(s.sourceTimeMs));
                o.insert(QLatin1String("receiveTime"), static_cast<double>(s.receiveTimeMs));
                out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
            } else {
                out(QStringLiteral("%1\t%2\t%3\t%4\t%5")
                        .arg(s.tag, valueText(s.value), qualityName(s.quality), authenticityName(s.authenticity),
                             s.sourceTimeMs
                                 ? QDateTime::fromMSecsSinceEpoch(s.sourceTimeMs, Qt::UTC).toString(Qt::ISODateWithMs)
                                 : QStringLiteral("-")));
            }
        }
        if (wanted > 0 && printed >= wanted)
            app.quit();
    });
    QObject::connect(&source, &TelemetrySource::problemsChanged, &app, [&] {
        for (const Problem& p : source.problems())
            fail(QStringLiteral("%1 [%2] %3").arg(severityName(p.severity), p.code, p.message), 0);
    });
    QObject::connect(&source, &TelemetrySource::securityEvent, &app, [](const SecurityEvent& e) {
        fail(QStringLiteral("security: %1 %2: %3").arg(e.code, e.subject, e.detail), 0);
    });
    QObject::connect(&source, &TelemetrySource::presenceChanged, &app, [&](Presence presence) {
        // tail is for people and scripts watching a feed: a refused connection ends it at once
        // (a person must change something), a dropped one is retried.
        if (presence == Presence::Error && !args.isSet(QStringLiteral("keep-trying"))) {
            exitCode = exitFailed;
            app.quit();
        }
    });
    if (seconds > 0)
        QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &app, [&] {
        if (interrupted)
            app.quit();
    });
    poll.start(100);
    std::signal(SIGINT, [](int) { interrupted = 1; });
    std::signal(SIGTERM, [](int) { interrupted = 1; });
    source.start();
    app.exec();
    source.stop();
    const SourceCounters c = source.counters();
    fail(QStringLiteral("%1 samples printed; received %2 messages, dropped %3, rejected %4, untrusted %5")
             .arg(printed)
             .arg(c.received)
             .arg(c.dropped)
             .arg(c.rejected)
             .arg(c.untrusted),
         0);
    if (exitCode == exitOk && wanted > 0 && printed < wanted)
        exitCode = exitFailed; // asked for N samples and did not get them in time
    return exitCode;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinspect-feed"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWINSPECT_VERSION));
    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral("Check a telemetry backend, or print its samples as they arrive."));
    args.addHelpOption();
    args.addVersionOption();
    args.addPositionalArgument(QStringLiteral("command"), QStringLiteral("check | tail"));
    args.addOptions({
        {QStringLiteral("backend"), QStringLiteral("The backend settings file (backends.json)."),
         QStringLiteral("FILE")},
        {QStringLiteral("id"), QStringLiteral("Which backend in it (default: the first enabled one)."),
         QStringLiteral("ID")},
        {QStringLiteral("secrets"), QStringLiteral("The secret store (default: secrets.json beside the settings)."),
         QStringLiteral("FILE")},
        {QStringLiteral("timeout"), QStringLiteral("check: give up after this many milliseconds (default 10000)."),
         QStringLiteral("MS"), QStringLiteral("10000")},
        {QStringLiteral("count"), QStringLiteral("tail: stop after N samples (exit 1 if fewer arrived)."),
         QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("duration"), QStringLiteral("tail: stop after this many seconds."), QStringLiteral("S"),
         QStringLiteral("0")},
        {QStringLiteral("keep-trying"), QStringLiteral("tail: keep retrying a refused connection instead of exiting.")},
        {QStringLiteral("json"), QStringLiteral("One JSON object per line.")},
        {QStringLiteral("verbose"), QStringLiteral("check: print the server's certificate chain.")},
    });
    args.process(app);
    const QStringList positional = args.positionalArguments();
    if (positional.size() != 1 || (positional.at(0) != u"check" && positional.at(0) != u"tail"))
        return fail(QStringLiteral("expected a command: check or tail (see --help)"), exitUsage);
    if (!args.isSet(QStringLiteral("backend")))
        return fail(QStringLiteral("--backend FILE is required"), exitUsage);
    bool numbersOk = true;
    for (const char* option : {"timeout", "count", "duration"}) {
        bool ok = false;
        const qint64 v = args.value(QLatin1String(option)).toLongLong(&ok);
        numbersOk = numbersOk && ok && v >= 0;
        if (!numbersOk)
            return fail(QStringLiteral("--%1 expects a whole number").arg(QLatin1String(option)), exitUsage);
    }
    auto loaded = loadBackend(args);
    if (const auto* error = std::get_if<QString>(&loaded))
        return fail(*error, exitUsage);
    const Backend& backend = std::get<Backend>(loaded);
    if (backend.settings.kind != BackendSettings::Kind::Mqtt)
        return fail(QStringLiteral("backend \"%1\" is %2; twinspect-feed speaks MQTT only so far")
                        .arg(backend.settings.id, kindName(backend.settings.kind)),
                    exitUsage);
    if (positional.at(0) == u"check")
        return runCheck(args, backend);
    return runTail(app, args, backend);
}
