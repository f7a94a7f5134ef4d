// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <array>
#include <functional>
#include <memory>
#include <optional>

class QProcess;
class QProcessEnvironment;
class QTemporaryDir;

namespace twinspect::testing {

/// What one run of a mosquitto client tool (mosquitto_pub, mosquitto_sub, mosquitto_passwd) did.
struct ToolRun
{
    bool started = false;  ///< false: the program could not be run at all
    bool timedOut = false; ///< killed after the timeout
    int exitCode = -1;
    QString output; ///< stdout and stderr merged, as a person at a terminal would see them

    bool ok() const { return started && !timedOut && exitCode == 0; }
    /// For a failed QVERIFY2: exit code (or "timed out") and the output.
    QString describe() const;
};

/// A payload received by subscribeOnce(), or why none was.
struct Received
{
    std::optional<QByteArray> payload;
    ToolRun run; ///< the mosquitto_sub run, with -d protocol trace, for failure messages
};

/// A real mosquitto 2.0 broker on 127.0.0.1 for integration tests, with a throwaway PKI made by
/// scripts/make-test-pki.sh in a temporary directory that lives as long as this object.
///
/// Listeners (one broker, so a message published on one reaches subscribers on all):
/// - Mtls: TLS, client certificate required and checked against crl.pem; the CN is the username.
/// - Password: TLS with server.crt, no client certificate, user passwordUser() / password().
/// - WrongHost: like Mtls but the server presents wronghost.crt (DNS:wrong.example only).
/// - RogueServer: like Mtls but the server presents rogue-server.crt from an unrelated CA.
/// - Plain: plain TCP, anonymous.
///
/// Linux only (the broker gets PR_SET_PDEATHSIG). Used from the test thread only. Every call blocks, at most a few
/// seconds; none needs an event loop. Errors are returned as text, never thrown.
class MosquittoBroker
{
public:
    enum class Listener
    {
        Mtls,
        Password,
        WrongHost,
        RogueServer,
        Plain
    };
    static constexpr int listenerCount = 5;

    /// pkiScript: make-test-pki.sh; empty means TWINSPECT_SOURCE_DIR/scripts/make-test-pki.sh.
    explicit MosquittoBroker(QString pkiScript = {});
    ~MosquittoBroker();
    MosquittoBroker(const MosquittoBroker&) = delete;
    MosquittoBroker& operator=(const MosquittoBroker&) = delete;

    /// Makes the PKI (first call only), picks free ports, starts mosquitto in the foreground and
    /// waits (≤ ~5 s) until a QoS 1 publish over mTLS succeeds (an empty message on
    /// twinspect/fixture/ready, which subscribers to "#" will see). Nothing on success, else why not.
    [[nodiscard]] std::optional<QString> start();
    /// SIGTERM and wait. The port numbers are kept for restart() (not held: another process could
    /// take one meanwhile); start() after stop() picks new ones.
    void stop();
    /// stop(), then start again on the same ports, retrying while a port is still taken.
    [[nodiscard]] std::optional<QString> restart();
    bool isRunning() const;

    QString host() const;
    quint16 port(Listener listener) const;
    /// "ssl://127.0.0.1:PORT", or "tcp://…" for Plain: the form Paho takes.
    QString serverUri(Listener listener) const;
    /// Absolute path of a file made by make-test-pki.sh, e.g. pkiPath(u"client.crt"_s).
    QString pkiPath(const QString& file) const;
    QString directory() const;
    QString passwordUser() const;
    QString password() const;
    /// The broker's log file (log_type all), growing across restarts, so a test may remember its
    /// size and look at what came after. What mosquitto printed at a failed start is in start()'s error.
    QString logText() const;

    /// mosquitto_pub/mosquitto_sub arguments to reach a listener: -h, -p and, for TLS listeners,
    /// --cafile ca.crt plus --cert/--key NAME.crt/NAME.key when certName is not empty.
    QStringList clientArgs(Listener listener, const QString& certName = {}) const;
    /// Runs a tool with no user configuration (~/.config/mosquitto_pub is ignored) and waits for it.
    ToolRun runTool(const QString& program, const QStringList& arguments, int timeoutMs = 5000,
                    const QByteArray& standardInput = {}) const;

    /// Publishes one message as the simulator: publisher.crt on TLS listeners (the operator's
    /// password on Password, anonymous on Plain). Nothing on success, else why not.
    [[nodiscard]] std::optional<QString> publish(const QString& topic, const QByteArray& payload,
                                                 Listener listener = Listener::Mtls, int qos = 1) const;
    /// Subscribes with mosquitto_sub as certName (as the operator on Password, anonymously on Plain),
    /// calls whenSubscribed once the broker has sent the SUBACK (e.g. to publish), and returns the
    /// first message received within timeoutMs.
    Received subscribeOnce(const QString& topic, int timeoutMs, const std::function<void()>& whenSubscribed = {},
                           Listener listener = Listener::Mtls,
                           const QString& certName = QStringLiteral("client")) const;

private:
    enum class LaunchOutcome
    {
        Ready,
        PortBusy,
        Failed
    };
    struct Launch
    {
        LaunchOutcome outcome;
        QString error;
    };

    std::optional<QString> preparePki();
    std::optional<QString> pickPorts();
    std::optional<QString> writeConfig() const;
    Launch launch();
    QProcessEnvironment toolEnvironment() const;
    QString filePath(const QString& name) const;
    QString newOutputSince(qint64 logOffset, qint64 stdoutOffset) const;

    QString m_pkiScript;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    std::array<quint16, listenerCount> m_ports{};
    QString m_password;
    bool m_pkiReady = false;
};

} // namespace twinspect::testing
