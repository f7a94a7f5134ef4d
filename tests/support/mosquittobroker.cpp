// SPDX-License-Identifier: Apache-2.0
#include "mosquittobroker.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace twinspect::testing {

namespace {

constexpr int startTimeoutMs = 5000;
// A restart right after SIGTERM can find a port still held by the old process for a moment.
constexpr int restartPortRetryMs = 3000;
constexpr int stopTimeoutMs = 5000;
// Fresh ports are picked this many times before giving up when another process keeps taking them.
constexpr int portAttempts = 5;
constexpr auto payloadBegin = "[payload-begin]"_L1;
constexpr auto payloadEnd = "[payload-end]"_L1;

int listenerIndex(MosquittoBroker::Listener listener)
{
    return static_cast<int>(listener);
}

QString listenerName(MosquittoBroker::Listener listener)
{
    switch (listener) {
    case MosquittoBroker::Listener::Mtls:
        return u"mtls"_s;
    case MosquittoBroker::Listener::Password:
        return u"password"_s;
    case MosquittoBroker::Listener::WrongHost:
        return u"wronghost"_s;
    case MosquittoBroker::Listener::RogueServer:
        return u"rogueserver"_s;
    case MosquittoBroker::Listener::Plain:
        return u"plain"_s;
    }
    return {};
}

QString readFrom(const QString& path, qint64 offset)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    file.seek(offset);
    return QString::fromUtf8(file.readAll());
}

qint64 sizeOf(const QString& path)
{
    return QFileInfo(path).size();
}

QString lastLines(const QString& text, int count)
{
    QStringList lines = text.trimmed().split(u'\n');
    if (lines.size() > count)
        lines = lines.mid(lines.size() - count);
    return lines.join(u'\n');
}

// SIGTERM first: the mosquitto tools then flush their block-buffered -d trace, which is what
// explains a timeout. SIGKILL only if that does not end them.
void endGently(QProcess& process)
{
    process.terminate();
    if (!process.waitForFinished(1000)) {
        process.kill();
        process.waitForFinished(stopTimeoutMs);
    }
}

} // namespace

QString ToolRun::describe() const
{
    if (!started)
        return u"could not run: "_s + output;
    const QString how = timedOut ? u"timed out"_s : u"exit code %1"_s.arg(exitCode);
    return how + u", output:\n"_s + output.trimmed();
}

MosquittoBroker::MosquittoBroker(QString pkiScript)
    : m_pkiScript(std::move(pkiScript))
    , m_dir(std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/twinspect-broker-XXXXXX"_s))
{
#ifdef TWINSPECT_SOURCE_DIR
    if (m_pkiScript.isEmpty())
        m_pkiScript = QStringLiteral(TWINSPECT_SOURCE_DIR) + u"/scripts/make-test-pki.sh"_s;
#endif
    // Keeping the directory lets a person read the broker log and try the PKI by hand after a failure.
    if (qEnvironmentVariableIsSet("TWINSPECT_KEEP_BROKER_DIR"))
        m_dir->setAutoRemove(false);
}

MosquittoBroker::~MosquittoBroker()
{
    stop();
}

std::optional<QString> MosquittoBroker::start()
{
    if (isRunning())
        return std::nullopt;
    if (auto error = preparePki())
        return error;
    QString lastError;
    for (int attempt = 0; attempt < portAttempts; ++attempt) {
        if (auto error = pickPorts())
            return error;
        if (auto error = writeConfig())
            return error;
        const Launch result = launch();
        if (result.outcome == LaunchOutcome::Ready)
            return std::nullopt;
        if (result.outcome == LaunchOutcome::Failed)
            return result.error;
        lastError = result.error;
    }
    return u"mosquitto could not bind free ports after %1 attempts: %2"_s.arg(portAttempts).arg(lastError);
}

void MosquittoBroker::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(stopTimeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(stopTimeoutMs);
        }
    }
    m_process.reset();
}

std::optional<QString> MosquittoBroker::restart()
{
    if (m_ports[0] == 0)
        return u"restart() before a successful start(): there are no ports to reuse"_s;
    stop();
    const QDeadlineTimer deadline(restartPortRetryMs);
    for (;;) {
        const Launch result = launch();
        if (result.outcome == LaunchOutcome::Ready)
            return std::nullopt;
        if (result.outcome == LaunchOutcome::Failed)
            return result.error;
        if (deadline.hasExpired())
            return u"mosquitto could not rebind its ports within %1 ms: %2"_s.arg(restartPortRetryMs).arg(result.error);
        QThread::msleep(100);
    }
}

bool MosquittoBroker::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString MosquittoBroker::host() const
{
    return u"127.0.0.1"_s;
}

quint16 MosquittoBroker::port(Listener listener) const
{
    return m_ports[static_cast<std::size_t>(listenerIndex(listener))];
}

QString MosquittoBroker::serverUri(Listener listener) const
{
    const QString scheme = listener == Listener::Plain ? u"tcp"_s : u"ssl"_s;
    return scheme + u"://"_s + host() + u':' + QString::number(port(listener));
}

QString MosquittoBroker::pkiPath(const QString& file) const
{
    return m_dir->filePath(u"pki/"_s + file);
}

QString MosquittoBroker::directory() const
{
    return m_dir->path();
}

QString MosquittoBroker::passwordUser() const
{
    return u"operator"_s;
}

QString MosquittoBroker::password() const
{
    return m_password;
}

QString MosquittoBroker::logText() const
{
    return readFrom(filePath(u"mosquitto.log"_s), 0);
}

QStringList MosquittoBroker::clientArgs(Listener listener, const QString& certName) const
{
    QStringList args{u"-h"_s, host(), u"-p"_s, QString::number(port(listener))};
    if (listener == Listener::Plain)
        return args;
    args << u"--cafile"_s << pkiPath(u"ca.crt"_s);
    if (!certName.isEmpty())
        args << u"--cert"_s << pkiPath(certName + u".crt"_s) << u"--key"_s << pkiPath(certName + u".key"_s);
    return args;
}

ToolRun MosquittoBroker::runTool(const QString& program, const QStringList& arguments, int timeoutMs,
                                 const QByteArray& standardInput) const
{
    ToolRun run;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setProcessEnvironment(toolEnvironment());
    process.start(program, arguments);
    if (!process.waitForStarted(timeoutMs)) {
        run.output = program + u": "_s + process.errorString();
        return run;
    }
    run.started = true;
    if (!standardInput.isEmpty())
        process.write(standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        run.timedOut = true;
        endGently(process);
    }
    run.output = QString::fromUtf8(process.readAll());
    if (!run.timedOut)
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

std::optional<QString> MosquittoBroker::publish(const QString& topic, const QByteArray& payload, Listener listener,
                                                int qos) const
{
    QStringList args = clientArgs(listener, listener == Listener::Password ? QString() : u"publisher"_s);
    if (listener == Listener::Password)
        args << u"-u"_s << passwordUser() << u"-P"_s << password();
    // -s sends stdin as one message, so any payload (binary, empty lines) arrives unchanged.
    args << u"-t"_s << topic << u"-q"_s << QString::number(qos) << u"-s"_s;
    if (payload.isEmpty())
        args.last() = u"-n"_s;
    const ToolRun run = runTool(u"mosquitto_pub"_s, args, startTimeoutMs, payload);
    if (run.ok())
        return std::nullopt;
    return u"mosquitto_pub to '%1' on the %2 listener failed: %3"_s.arg(topic, listenerName(listener), run.describe());
}

Received MosquittoBroker::subscribeOnce(const QString& topic, int timeoutMs,
                                        const std::function<void()>& whenSubscribed, Listener listener,
                                        const QString& certName) const
{
    Received received;
    QStringList args = clientArgs(listener, listener == Listener::Password ? QString() : certName);
    if (listener == Listener::Password)
        args << u"-u"_s << passwordUser() << u"-P"_s << password();
    const int timeoutSeconds = std::max(1, (timeoutMs + 999) / 1000);
    // The broker's log tells when the SUBACK went out (from then on a publish cannot be missed):
    // mosquitto_sub's own -d trace is block-buffered in a pipe and only appears at exit. The unique
    // client id finds this subscriber's line; the markers set the payload apart from the -d trace.
    const QString clientId = u"twinspect-sub-"_s + QString::number(QRandomGenerator::global()->generate64(), 36);
    args << u"-i"_s << clientId << u"-t"_s << topic << u"-q"_s << u"1"_s << u"-C"_s << u"1"_s << u"-W"_s
         << QString::number(timeoutSeconds) << u"-d"_s << u"-F"_s
         << u"\\n"_s + payloadBegin + u"%p"_s + payloadEnd + u"\\n"_s;
    const QString subackLine = u"Sending SUBACK to "_s + clientId;
    const qint64 logOffset = sizeOf(filePath(u"mosquitto.log"_s));

    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setProcessEnvironment(toolEnvironment());
    process.start(u"mosquitto_sub"_s, args);
    if (!process.waitForStarted(timeoutMs)) {
        received.run.output = u"mosquitto_sub: "_s + process.errorString();
        return received;
    }
    received.run.started = true;
    process.closeWriteChannel();

    const QDeadlineTimer deadline(timeoutMs);
    bool subscribed = false;
    while (!subscribed && process.state() == QProcess::Running && !deadline.hasExpired()) {
        // Polls the log and, through the wait, notices an early exit (e.g. a refused connection).
        process.waitForFinished(20);
        subscribed = readFrom(filePath(u"mosquitto.log"_s), logOffset).contains(subackLine);
    }
    if (subscribed && whenSubscribed)
        whenSubscribed();
    if (!process.waitForFinished(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())))) {
        received.run.timedOut = true;
        endGently(process);
    }
    const QByteArray output = process.readAll();
    received.run.output = QString::fromUtf8(output);
    if (!received.run.timedOut)
        received.run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;

    const QByteArray begin = QByteArray(payloadBegin.data(), payloadBegin.size());
    const QByteArray end = QByteArray(payloadEnd.data(), payloadEnd.size());
    const qsizetype from = output.indexOf(begin);
    const qsizetype to = output.lastIndexOf(end);
    if (from >= 0 && to >= from + begin.size())
        received.payload = output.mid(from + begin.size(), to - from - begin.size());
    return received;
}

std::optional<QString> MosquittoBroker::preparePki()
{
    if (m_pkiReady)
        return std::nullopt;
    if (!m_dir->isValid())
        return u"could not create a temporary directory for the broker: "_s + m_dir->errorString();
    if (!QFileInfo::exists(m_pkiScript))
        return u"PKI script not found at '%1': pass the path of scripts/make-test-pki.sh to MosquittoBroker"_s.arg(
            m_pkiScript);
    if (!QDir().mkpath(filePath(u"xdg-config"_s)))
        return u"could not create %1"_s.arg(filePath(u"xdg-config"_s));

    const ToolRun pki = runTool(u"bash"_s, {m_pkiScript, filePath(u"pki"_s)}, 20000);
    if (!pki.ok())
        return u"make-test-pki.sh failed: "_s + pki.describe();

    m_password = QString::number(QRandomGenerator::system()->generate64(), 36);
    const ToolRun passwd =
        runTool(u"mosquitto_passwd"_s, {u"-b"_s, u"-c"_s, filePath(u"passwd"_s), passwordUser(), m_password});
    if (!passwd.ok())
        return u"mosquitto_passwd failed: "_s + passwd.describe();
    m_pkiReady = true;
    return std::nullopt;
}

std::optional<QString> MosquittoBroker::pickPorts()
{
    // All servers stay open until every port is read, so the five ports are distinct. Between close
    // and mosquitto's bind another process may take one: launch() reports PortBusy and start() picks again.
    std::array<QTcpServer, listenerCount> servers;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        if (!servers[i].listen(QHostAddress::LocalHost, 0))
            return u"could not reserve a free port on 127.0.0.1: "_s + servers[i].errorString();
        m_ports[i] = servers[i].serverPort();
    }
    return std::nullopt;
}

std::optional<QString> MosquittoBroker::writeConfig() const
{
    const auto pki = [this](const QString& file) { return pkiPath(file); };
    const auto listenerLine = [this](Listener listener) {
        return u"\n# %1\nlistener %2 127.0.0.1\n"_s.arg(listenerName(listener)).arg(port(listener));
    };
    const auto tlsServer = [&](const QString& certName) {
        return u"cafile %1\ncertfile %2\nkeyfile %3\ntls_version tlsv1.2\n"_s.arg(
            pki(u"ca.crt"_s), pki(certName + u".crt"_s), pki(certName + u".key"_s));
    };
    // In mosquitto 2.0.11 allow_anonymous false and use_identity_as_username true work together:
    // the certificate's CN is the username, so a verified client is not anonymous.
    const QString mtlsClients = u"crlfile %1\nrequire_certificate true\nuse_identity_as_username true\n"
                                u"allow_anonymous false\n"_s.arg(pki(u"crl.pem"_s));

    QString conf = u"# Written by twinspect::testing::MosquittoBroker\n"
                   u"per_listener_settings true\n"
                   u"persistence false\n"
                   u"set_tcp_nodelay true\n"
                   u"log_dest file %1\n"
                   u"log_type all\n"_s.arg(filePath(u"mosquitto.log"_s));
    // As root mosquitto drops to user "mosquitto", which cannot read the 0600 keys made by root.
    if (::geteuid() == 0)
        conf += u"user root\n"_s;

    conf += listenerLine(Listener::Mtls) + tlsServer(u"server"_s) + mtlsClients;
    conf += listenerLine(Listener::Password) + tlsServer(u"server"_s) +
            u"require_certificate false\nallow_anonymous false\npassword_file %1\n"_s.arg(filePath(u"passwd"_s));
    conf += listenerLine(Listener::WrongHost) + tlsServer(u"wronghost"_s) + mtlsClients;
    conf += listenerLine(Listener::RogueServer) + tlsServer(u"rogue-server"_s) + mtlsClients;
    conf += listenerLine(Listener::Plain) + u"allow_anonymous true\n"_s;

    QFile file(filePath(u"mosquitto.conf"_s));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(conf.toUtf8()) < 0)
        return u"could not write %1: %2"_s.arg(file.fileName(), file.errorString());
    return std::nullopt;
}

MosquittoBroker::Launch MosquittoBroker::launch()
{
    const QString logPath = filePath(u"mosquitto.log"_s);
    const QString stdoutPath = filePath(u"mosquitto.stdout"_s);
    const qint64 logOffset = sizeOf(logPath);
    const qint64 stdoutOffset = sizeOf(stdoutPath);

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    // Into a file, not a pipe: nobody reads a pipe while the test runs, and startup errors that
    // come before the log file is opened must survive.
    m_process->setStandardOutputFile(stdoutPath, QIODevice::Append);
    // If the test process dies (crash, ctest timeout) the kernel ends the broker too, instead of
    // leaving it running and bound to its ports.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process->start(u"mosquitto"_s, {u"-c"_s, filePath(u"mosquitto.conf"_s)});
    if (!m_process->waitForStarted(startTimeoutMs)) {
        const QString error = u"could not run mosquitto: "_s + m_process->errorString();
        m_process.reset();
        return {LaunchOutcome::Failed, error};
    }

    QStringList probe = clientArgs(Listener::Mtls, u"client"_s);
    probe << u"-t"_s << u"twinspect/fixture/ready"_s << u"-q"_s << u"1"_s << u"-n"_s;
    const QDeadlineTimer deadline(startTimeoutMs);
    ToolRun lastProbe;
    while (!deadline.hasExpired()) {
        // Doubles as the poll interval and as the check that mosquitto is still alive.
        if (m_process->waitForFinished(50)) {
            const QString printed = newOutputSince(logOffset, stdoutOffset);
            m_process.reset();
            if (printed.contains(u"Address already in use"_s))
                return {LaunchOutcome::PortBusy, lastLines(printed, 3)};
            return {LaunchOutcome::Failed, u"mosquitto exited at startup:\n"_s + lastLines(printed, 15)};
        }
        lastProbe =
            runTool(u"mosquitto_pub"_s, probe, static_cast<int>(std::max<qint64>(100, deadline.remainingTime())));
        if (lastProbe.ok())
            return {LaunchOutcome::Ready, {}};
    }
    const QString printed = newOutputSince(logOffset, stdoutOffset);
    stop();
    return {LaunchOutcome::Failed,
            u"mosquitto did not accept a TLS publish within %1 ms; last probe: %2\nlog:\n%3"_s.arg(
                QString::number(startTimeoutMs), lastProbe.describe(), lastLines(printed, 15))};
}

QProcessEnvironment MosquittoBroker::toolEnvironment() const
{
    // mosquitto_pub/sub read default options from $XDG_CONFIG_HOME/<tool> (else ~/.config/<tool>);
    // an engineer's own file must not change what a test proves.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, filePath(u"xdg-config"_s));
    return env;
}

QString MosquittoBroker::filePath(const QString& name) const
{
    return m_dir->filePath(name);
}

QString MosquittoBroker::newOutputSince(qint64 logOffset, qint64 stdoutOffset) const
{
    return readFrom(filePath(u"mosquitto.log"_s), logOffset) + readFrom(filePath(u"mosquitto.stdout"_s), stdoutOffset);
}

} // namespace twinspect::testing
