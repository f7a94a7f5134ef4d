// SPDX-License-Identifier: Apache-2.0
#include "telemetry/httpsource.h"

#include "telemetry/messagepipeline.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <optional>
#include <thread>
#include <utility>

namespace twinspect::telemetry {

namespace {

/// A signed envelope around a 1 MiB payload (base64 plus the envelope) fits; anything larger is
/// refused before it is buffered.
constexpr qint64 maxMessageBytes = 2 << 20;
/// A token endpoint's answer is a few hundred bytes.
constexpr qint64 maxTokenReplyBytes = 64 << 10;
/// A WebSocket session that lasted this long was a success: the backoff starts again from the bottom.
constexpr qint64 stableSessionMs = 10'000;
/// Reply properties set by our handlers before they abort a reply, read when it finishes.
constexpr char unverifiedProperty[] = "twinspect.unverifiedCertificate";
constexpr char tooLargeProperty[] = "twinspect.tooLarge";

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// How a failure shows, and what happens next.
enum class FailureKind : quint8
{
    Transport, ///< no HTTP answer at all: the OpenSSL check runs at once to say precisely why
    Refusal,   ///< someone must change something (credentials, certificates): shown as an error
    Transient, ///< the server may recover by itself (a 5xx, a lost connection): shown as reconnecting
};

/// The form CertificateInfo::sha256 has, so that Qt's peer certificate can be compared with what the
/// OpenSSL check verified.
QString fingerprint(const QSslCertificate& certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

/// A URL for messages: no user info, no query (either may hold a key), no fragment.
QString displayUrl(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

/// A bearer token goes into a header line: anything but visible ASCII could split the request.
bool isValidToken(const QByteArray& token)
{
    return !token.isEmpty() && std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

QSslKey readPrivateKey(const QString& path, const QByteArray& passphrase)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {}; // the connection check reports unreadable and undecryptable keys precisely
    const QByteArray pem = file.read(1 << 20);
    // QSslKey must be told the algorithm; the test PKI and most plants use EC, older ones RSA.
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, passphrase);
        if (!key.isNull())
            return key;
    }
    return {};
}

QSslConfiguration tlsConfiguration(const BackendSettings& s, const ConnectionSecrets& secrets)
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setPeerVerifyMode(QSslSocket::VerifyPeer);
    QList<QSslCertificate> authorities;
    if (!s.tls.caFile.isEmpty())
        authorities = QSslCertificate::fromPath(s.tls.caFile);
    else if (s.tls.useSystemStore)
        authorities = QSslConfiguration::systemCaCertificates();
    // Set even when empty: an empty list trusts nothing, while Qt's default trusts the system's CAs.
    c.setCaCertificates(authorities);
    if (!s.tls.certFile.isEmpty()) {
        c.setLocalCertificateChain(QSslCertificate::fromPath(s.tls.certFile));
        c.setPrivateKey(readPrivateKey(s.tls.keyFile, secrets.keyPassphrase.toUtf8()));
    }
    return c;
}

/// The host name is the only check that settings may waive (tls.verifyHostname = false).
bool onlyHostNameMismatch(const QList<QSslError>& errors)
{
    return !errors.isEmpty() && std::all_of(errors.begin(), errors.end(), [](const QSslError& e) {
        return e.error() == QSslError::HostNameMismatch;
    });
}

struct CheckResult
{
    ConnectionVerdict verdict;
    QStringList verifiedLeaves; ///< SHA-256 fingerprints of the server certificates that passed
};

/// Runs in the check thread: the data URL, and the token endpoint when it is another server (the
/// client secret goes there, so its certificate and revocation matter as much).
CheckResult runCheck(const BackendSettings& s, const ConnectionSecrets& secrets, const std::atomic<bool>* cancel)
{
    CheckResult result;
    result.verdict = checkHttpsConnection(s, secrets, s.connectTimeoutMs, cancel);
    if (!result.verdict.ok)
        return result;
    result.verifiedLeaves.append(result.verdict.serverChain.value(0).sha256);
    if (s.tokenUrl.isEmpty())
        return result;
    BackendSettings endpoint = s;
    endpoint.kind = BackendSettings::Kind::Https;
    endpoint.url = QUrl(s.tokenUrl);
    if (endpoint.host() == s.host() && endpoint.port() == s.port())
        return result;
    ConnectionVerdict token = checkHttpsConnection(endpoint, secrets, s.connectTimeoutMs, cancel);
    if (!token.ok) {
        token.message = QStringLiteral("OAuth2 token endpoint: %1").arg(token.message);
        result.verdict = std::move(token);
        result.verifiedLeaves.clear();
        return result;
    }
    result.verifiedLeaves.append(token.serverChain.value(0).sha256);
    return result;
}

/// Qt 6.4's QWebSocket reports a refused upgrade only as text ("… Unhandled http status code: 401
/// (Unauthorized)."), translated; the number survives translation.
int upgradeStatus(const QString& errorText)
{
    static const QRegularExpression status(QStringLiteral(":\\s*([1-5][0-9][0-9])\\s*\\("));
    const QRegularExpressionMatch match = status.match(errorText);
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

} // namespace

struct HttpSource::Private
{
    explicit Private(HttpSource* owner)
        : q(owner)
    {}

    HttpSource* q;
    BackendSettings settings;
    ConnectionSecrets secrets;
    std::shared_ptr<const TrustList> trust;
    QString topic; ///< what the pipeline sees as the MQTT topic: the URL's path
    QSslConfiguration tls;

    QNetworkAccessManager* manager = nullptr; ///< this source's own: Qt pools connections per manager
    QTimer* pollTimer = nullptr;
    QTimer* retryTimer = nullptr;
    QTimer* refreshTimer = nullptr;
    QTimer* deliveryTimer = nullptr;
    QTimer* pingTimer = nullptr;
    QTimer* openTimer = nullptr; ///< QWebSocket has no timeout of its own for the upgrade

    bool running = false;
    quint64 generation = 0; ///< grows at start and stop: a late verdict of an earlier run is ignored
    std::thread checkThread;
    std::atomic<bool> cancelCheck{false};
    bool checking = false;
    QSet<QString> verifiedLeaves;
    ConnectionVerdict lastVerdict;
    std::optional<std::pair<Problem, FailureKind>> pendingFailure; ///< waits for the check to explain it
    QString lastFailureCode;
    int failures = 0;
    int unverifiedStreak = 0;
    qint64 lostAtMs = 0;
    qint64 sessionStartMs = 0;

    QPointer<QNetworkReply> pollReply;
    QPointer<QNetworkReply> tokenReply;
    QByteArray accessToken;
    qint64 tokenExpiresAtMs = 0;
    bool refreshedAfterUnauthorized = false;
    bool proceedAfterToken = false;

    enum class SocketState : quint8
    {
        Idle,
        Opening,
        Open
    };
    QPointer<QWebSocket> socket;
    SocketState socketState = SocketState::Idle;
    bool awaitingPong = false;
    QString lostReason;

    std::unique_ptr<MessagePipeline> pipeline;
    QByteArray lastSignedBody;
    std::deque<Sample> queue;
    SourceCounters counters;
    QHash<QString, qint64> lastReported;
    QHash<QString, int> suppressed;

    QString where() const { return displayUrl(settings.url); }
    QString tokenEndpoint() const { return displayUrl(QUrl(settings.tokenUrl)); }
    bool usesOAuth() const { return !settings.tokenUrl.isEmpty(); }
    bool tokenValid() const { return !accessToken.isEmpty() && (tokenExpiresAtMs == 0 || nowMs() < tokenExpiresAtMs); }
    QNetworkRequest request(const QUrl& url, bool authorize) const;
    void watchReply(QNetworkReply* reply, qint64 maxBytes);
    bool verified(const QSslCertificate& leaf) const { return verifiedLeaves.contains(fingerprint(leaf)); }

    void beginCheck();
    void joinCheck();
    void onChecked(const CheckResult& result);
    void onVerdict(const ConnectionVerdict& verdict);
    void proceed();
    void poll();
    void onPollFinished(QNetworkReply* reply);
    void unauthorized();
    void requestToken(bool thenProceed);
    void onTokenFinished(QNetworkReply* reply);
    void openSocket();
    void closeSocket();
    void onSocketConnected();
    void onSocketFailedWhileOpening();
    void onSocketDisconnected();
    void onPingTimer();
    void unverifiedCertificate();
    void arrived();
    void fail(Problem problem, FailureKind kind);
    void report(const Problem& problem, FailureKind kind);
    void scheduleRetry();
    void handleMessage(const QByteArray& payload);
    bool rateLimited(const QString& key, qint64 intervalMs, int* suppressedCount);
    void deliverNow();
    Problem statusProblem(int status, const QString& reason, FailureKind* kind) const;
    Problem replyFailure(QNetworkReply* reply) const;
};

QNetworkRequest HttpSource::Private::request(const QUrl& url, bool authorize) const
{
    QNetworkRequest r(url);
    r.setSslConfiguration(tls);
    // A redirect could carry the bearer token to another host: it is reported, never followed.
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setTransferTimeout(settings.connectTimeoutMs);
    // HTTP/1.1 keep-alive is plenty for one request a second, and it is the path the tests cover.
    r.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    r.setRawHeader("Accept", "application/json");
    if (authorize) {
        const QByteArray token = usesOAuth() ? accessToken : secrets.token.toUtf8();
        if (!token.isEmpty())
            r.setRawHeader("Authorization", "Bearer " + token);
    }
    return r;
}

void HttpSource::Private::watchReply(QNetworkReply* reply, qint64 maxBytes)
{
    QObject::connect(reply, &QNetworkReply::sslErrors, reply, [this, reply](const QList<QSslError>& errors) {
        if (!settings.tls.verifyHostname && onlyHostNameMismatch(errors))
            reply->ignoreSslErrors(errors);
    });
    // Emitted once per new TLS connection, before the request (and its token) is sent.
    QObject::connect(reply, &QNetworkReply::encrypted, reply, [this, reply] {
        if (!verified(reply->sslConfiguration().peerCertificate())) {
            reply->setProperty(unverifiedProperty, true);
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply, maxBytes](qint64 received, qint64) {
        if (received > maxBytes) {
            reply->setProperty(tooLargeProperty, true);
            reply->abort();
        }
    });
}

void HttpSource::Private::joinCheck()
{
    if (checkThread.joinable())
        checkThread.join();
}

void HttpSource::Private::beginCheck()
{
    if (!running || checking)
        return;
    checking = true;
    retryTimer->stop();
    pollTimer->stop();
    if (QNetworkReply* reply = tokenReply.data()) {
        tokenReply = nullptr;
        reply->abort();
    }
    // Qt must not reuse a connection made before this check: the next request opens a new one, whose
    // certificate is then compared with what this check verified.
    manager->clearConnectionCache();
    joinCheck(); // the previous check has delivered its verdict, its thread is ending
    cancelCheck = false;
    const quint64 run = generation;
    checkThread = std::thread([this, run, s = settings, c = secrets] {
        CheckResult result = runCheck(s, c, &cancelCheck);
        // Queued to the source: stop() joins this thread first, and a destroyed source drops the call.
        QMetaObject::invokeMethod(
            q,
            [this, run, result = std::move(result)] {
                if (run == generation && running)
                    onChecked(result);
            },
            Qt::QueuedConnection);
    });
}

void HttpSource::Private::onChecked(const CheckResult& result)
{
    checking = false;
    joinCheck();
    for (const QString& leaf : result.verifiedLeaves)
        verifiedLeaves.insert(leaf);
    std::optional<std::pair<Problem, FailureKind>> pending = std::exchange(pendingFailure, std::nullopt);
    onVerdict(result.verdict);
    if (result.verdict.code == u"config.invalid")
        return; // nothing will change until the settings do
    if (!result.verdict.ok) {
        scheduleRetry();
        return;
    }
    // Read the files again, so that Qt uses the certificates and key the check has just used.
    tls = tlsConfiguration(settings, secrets);
    if (pending) {
        // The server passes the TLS check, so the failure was not about certificates: say what Qt saw.
        report(pending->first, pending->second);
        scheduleRetry();
        return;
    }
    proceed();
}

void HttpSource::Private::onVerdict(const ConnectionVerdict& verdict)
{
    const QString previousCode = lastVerdict.code;
    lastVerdict = verdict;
    if (verdict.ok) {
        q->clearProblem(previousCode);
        if (previousCode != u"ok") {
            const CertificateInfo server = verdict.serverChain.value(0);
            Q_EMIT q->securityEvent({QStringLiteral("telemetry.connected"), settings.id, verdict.code,
                                     QStringLiteral("%1; server certificate %2, SHA-256 %3")
                                         .arg(verdict.message, server.subject, server.sha256)});
        }
        return;
    }
    const bool refusal = verdict.code.startsWith(u"tls.") || verdict.code.startsWith(u"config.");
    report({Problem::Severity::Error, verdict.code, verdict.message, 0},
           refusal ? FailureKind::Refusal : FailureKind::Transient);
}

void HttpSource::Private::proceed()
{
    if (!running)
        return;
    if (usesOAuth() && !tokenValid()) {
        requestToken(true);
        return;
    }
    if (settings.kind == BackendSettings::Kind::Wss)
        openSocket();
    else
        poll();
}

void HttpSource::Private::poll()
{
    if (pollReply)
        return;
    QNetworkReply* reply = manager->get(request(settings.url, true));
    pollReply = reply;
    watchReply(reply, maxMessageBytes);
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply] { onPollFinished(reply); });
}

void HttpSource::Private::onPollFinished(QNetworkReply* reply)
{
    reply->deleteLater();
    if (reply != pollReply.data() || !running)
        return; // aborted by stop() or by a new check
    pollReply = nullptr;
    if (reply->property(unverifiedProperty).toBool()) {
        unverifiedCertificate();
        return;
    }
    if (reply->property(tooLargeProperty).toBool()) {
        fail({Problem::Severity::Error, QStringLiteral("http.too-large"),
              QStringLiteral("%1 answered with more than %2 MiB; a telemetry payload is at most 1 MiB")
                  .arg(where())
                  .arg(maxMessageBytes >> 20),
              0},
             FailureKind::Transient);
        return;
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid()) {
        fail(replyFailure(reply), FailureKind::Transport);
        return;
    }
    // Should Qt ever have answered over a connection that escaped the check in encrypted(), its
    // answer is not used either.
    if (!verified(reply->sslConfiguration().peerCertificate())) {
        unverifiedCertificate();
        return;
    }
    if (status.toInt() == 401) {
        unauthorized();
        return;
    }
    if (status.toInt() < 200 || status.toInt() > 299) {
        FailureKind kind = FailureKind::Refusal;
        Problem problem = statusProblem(status.toInt(),
                                        reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(), &kind);
        if (status.toInt() >= 300 && status.toInt() < 400) {
            const QUrl target =
                reply->url().resolved(reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl());
            problem.message += QStringLiteral(": a redirect to %1, which is not followed (it could carry the token "
                                              "elsewhere); set the backend's url to the final address")
                                   .arg(displayUrl(target));
        }
        fail(problem, kind);
        return;
    }
    const QByteArray body = reply->readAll();
    refreshedAfterUnauthorized = false;
    failures = 0;
    arrived();
    handleMessage(body);
    pollTimer->start(settings.pollIntervalMs);
}

void HttpSource::Private::unauthorized()
{
    if (usesOAuth() && !refreshedAfterUnauthorized) {
        // The token may have been revoked or may have expired early: fetch a new one, once.
        refreshedAfterUnauthorized = true;
        accessToken.clear();
        tokenExpiresAtMs = 0;
        requestToken(true);
        return;
    }
    QString message;
    if (usesOAuth())
        message = QStringLiteral("%1 refused the access token from %2 even after a new one was fetched (401 "
                                 "Unauthorized): is the client \"%3\" allowed to read it?")
                      .arg(where(), tokenEndpoint(), settings.oauthClientId);
    else if (secrets.token.isEmpty())
        message = QStringLiteral("%1 requires authorization (401 Unauthorized) and no token is stored under %2")
                      .arg(where(), settings.secretKey(u"token"));
    else
        message = QStringLiteral("%1 refused the bearer token stored under %2 (401 Unauthorized): store a valid one")
                      .arg(where(), settings.secretKey(u"token"));
    fail({Problem::Severity::Error, QStringLiteral("http.unauthorized"), message, 0}, FailureKind::Refusal);
}

void HttpSource::Private::requestToken(bool thenProceed)
{
    proceedAfterToken = proceedAfterToken || thenProceed;
    if (tokenReply)
        return;
    if (secrets.clientSecret.isEmpty()) {
        proceedAfterToken = false;
        fail({Problem::Severity::Error, QStringLiteral("oauth.failed"),
              QStringLiteral("no OAuth2 client secret for the token endpoint %1 is stored under %2")
                  .arg(tokenEndpoint(), settings.secretKey(u"client-secret")),
              0},
             FailureKind::Refusal);
        return;
    }
    QNetworkRequest r = request(QUrl(settings.tokenUrl), false);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    // toPercentEncoding leaves only unreserved characters: a '+' or '&' in the secret stays intact.
    const QByteArray form =
        "grant_type=client_credentials&client_id=" + QUrl::toPercentEncoding(settings.oauthClientId) +
        "&client_secret=" + QUrl::toPercentEncoding(secrets.clientSecret);
    QNetworkReply* reply = manager->post(r, form);
    tokenReply = reply;
    watchReply(reply, maxTokenReplyBytes);
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply] { onTokenFinished(reply); });
}

void HttpSource::Private::onTokenFinished(QNetworkReply* reply)
{
    reply->deleteLater();
    if (reply != tokenReply.data() || !running)
        return;
    tokenReply = nullptr;
    const bool waiting = std::exchange(proceedAfterToken, false);
    const auto failed = [&](const QString& message, FailureKind kind) {
        Problem problem{Problem::Severity::Error, QStringLiteral("oauth.failed"), message, 0};
        if (waiting) {
            fail(problem, kind);
            return;
        }
        // A refresh ahead of time: the current token still works for a while, so retry before it ends.
        problem.severity = Problem::Severity::Warning;
        q->raiseProblem(problem);
        const qint64 left = tokenExpiresAtMs - nowMs();
        if (tokenExpiresAtMs > 0 && left > 0)
            refreshTimer->start(static_cast<int>(std::clamp<qint64>(left / 2, 1, settings.reconnectMaxMs)));
    };
    if (reply->property(unverifiedProperty).toBool()) {
        proceedAfterToken = waiting;
        unverifiedCertificate();
        return;
    }
    if (reply->property(tooLargeProperty).toBool()) {
        failed(QStringLiteral("the OAuth2 token endpoint %1 answered with more than %2 KiB")
                   .arg(tokenEndpoint())
                   .arg(maxTokenReplyBytes >> 10),
               FailureKind::Refusal);
        return;
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid()) {
        const Problem transport = replyFailure(reply);
        failed(QStringLiteral("the OAuth2 token endpoint %1 could not be reached: %2 (%3)")
                   .arg(tokenEndpoint(), transport.message, transport.code),
               FailureKind::Transport);
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    if (status.toInt() < 200 || status.toInt() > 299) {
        // RFC 6749 error codes ("invalid_client") are safe to show; free text from the server is not shown.
        const QString error = answer.value(QLatin1String("error")).toString();
        static const QRegularExpression errorCode(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
        failed(QStringLiteral("the OAuth2 token endpoint %1 answered HTTP %2%3: check the client id \"%4\" and the "
                              "secret stored under %5")
                   .arg(tokenEndpoint())
                   .arg(status.toInt())
                   .arg(errorCode.match(error).hasMatch() ? QStringLiteral(" (%1)").arg(error) : QString(),
                        settings.oauthClientId, settings.secretKey(u"client-secret")),
               status.toInt() >= 500 ? FailureKind::Transient : FailureKind::Refusal);
        return;
    }
    const QByteArray token = answer.value(QLatin1String("access_token")).toString().toUtf8();
    const QString type = answer.value(QLatin1String("token_type")).toString(QStringLiteral("Bearer"));
    if (!isValidToken(token) || type.compare(u"bearer", Qt::CaseInsensitive) != 0) {
        failed(QStringLiteral("the OAuth2 token endpoint %1 answered HTTP %2 without a usable bearer access_token")
                   .arg(tokenEndpoint())
                   .arg(status.toInt()),
               FailureKind::Refusal);
        return;
    }
    const QJsonValue lifetime = answer.value(QLatin1String("expires_in"));
    const qint64 expiresIn = lifetime.isString() ? lifetime.toString().toLongLong() : lifetime.toInteger();
    accessToken = token;
    if (expiresIn > 0) {
        tokenExpiresAtMs = nowMs() + expiresIn * 1000;
        // Refresh at 80 % of the lifetime, so that a slow endpoint still answers before the token ends.
        refreshTimer->start(static_cast<int>(std::clamp<qint64>(expiresIn * 800, 500, 24 * 3600 * 1000)));
    } else {
        tokenExpiresAtMs = 0; // no lifetime given: used until refused
        refreshTimer->stop();
    }
    q->clearProblem(QStringLiteral("oauth.failed"));
    if (waiting)
        proceed();
}

void HttpSource::Private::openSocket()
{
    if (socketState != SocketState::Idle)
        return;
    closeSocket();
    auto* ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    socket = ws;
    socketState = SocketState::Opening;
    ws->setSslConfiguration(tls);
    ws->setMaxAllowedIncomingMessageSize(maxMessageBytes);
    ws->setMaxAllowedIncomingFrameSize(maxMessageBytes);
    // Signals of a socket that has since been replaced are ignored: closeSocket() disconnects it.
    QObject::connect(ws, &QWebSocket::connected, q, [this] { onSocketConnected(); });
    QObject::connect(ws, &QWebSocket::disconnected, q, [this] { onSocketDisconnected(); });
    QObject::connect(ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q, [this] {
        // An open socket reports its end through disconnected(), with the close code.
        if (socketState == SocketState::Opening)
            onSocketFailedWhileOpening();
    });
    QObject::connect(ws, &QWebSocket::sslErrors, q, [this, ws](const QList<QSslError>& errors) {
        if (!settings.tls.verifyHostname && onlyHostNameMismatch(errors))
            ws->ignoreSslErrors(errors);
    });
    QObject::connect(ws, &QWebSocket::textMessageReceived, q,
                     [this](const QString& message) { handleMessage(message.toUtf8()); });
    QObject::connect(ws, &QWebSocket::binaryMessageReceived, q,
                     [this](const QByteArray& message) { handleMessage(message); });
    QObject::connect(ws, &QWebSocket::pong, q, [this] { awaitingPong = false; });
    openTimer->start(settings.connectTimeoutMs);
    ws->open(request(settings.url, true));
}

void HttpSource::Private::closeSocket()
{
    pingTimer->stop();
    openTimer->stop();
    socketState = SocketState::Idle;
    QWebSocket* ws = socket.data();
    socket = nullptr;
    if (!ws)
        return;
    QObject::disconnect(ws, nullptr, q, nullptr);
    ws->abort();
    ws->deleteLater();
}

void HttpSource::Private::onSocketConnected()
{
    QWebSocket* ws = socket.data();
    if (!ws)
        return;
    if (!verified(ws->sslConfiguration().peerCertificate())) {
        closeSocket();
        unverifiedCertificate();
        return;
    }
    openTimer->stop();
    socketState = SocketState::Open;
    sessionStartMs = nowMs();
    refreshedAfterUnauthorized = false;
    awaitingPong = false;
    if (settings.keepAliveSeconds > 0)
        pingTimer->start(settings.keepAliveSeconds * 1000);
    arrived();
}

void HttpSource::Private::onSocketFailedWhileOpening()
{
    QWebSocket* ws = socket.data();
    if (!ws)
        return;
    const QAbstractSocket::SocketError error = ws->error();
    const QString text = ws->errorString();
    closeSocket();
    const int status = upgradeStatus(text);
    if (status == 401) {
        unauthorized();
        return;
    }
    if (status > 0) {
        FailureKind kind = FailureKind::Refusal;
        Problem problem = statusProblem(status, {}, &kind);
        problem.message += QStringLiteral(" instead of accepting the WebSocket");
        fail(problem, kind);
        return;
    }
    Problem problem{Problem::Severity::Error, QStringLiteral("net.failed"),
                    QStringLiteral("WebSocket connection to %1 failed: %2").arg(where(), text), 0};
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        problem.code = QStringLiteral("net.refused");
        break;
    case QAbstractSocket::HostNotFoundError:
        problem.code = QStringLiteral("net.unknown-host");
        break;
    case QAbstractSocket::SocketTimeoutError:
        problem.code = QStringLiteral("net.timeout");
        break;
    case QAbstractSocket::RemoteHostClosedError:
        problem.code = QStringLiteral("net.connection-lost");
        break;
    case QAbstractSocket::SslHandshakeFailedError:
        problem.code = QStringLiteral("tls.handshake-failed");
        break;
    default:
        break;
    }
    fail(problem, FailureKind::Transport);
}

void HttpSource::Private::onSocketDisconnected()
{
    QWebSocket* ws = socket.data();
    if (!ws)
        return;
    if (socketState == SocketState::Opening) {
        onSocketFailedWhileOpening();
        return;
    }
    QString why = std::exchange(lostReason, QString());
    if (why.isEmpty() && ws->closeCode() != QWebSocketProtocol::CloseCodeNormal)
        why = QStringLiteral(" (close code %1)").arg(int(ws->closeCode()));
    else if (why.isEmpty())
        why = QStringLiteral(" (closed by the server)");
    closeSocket();
    if (nowMs() - sessionStartMs > stableSessionMs)
        failures = 0;
    fail({Problem::Severity::Warning, QStringLiteral("net.connection-lost"),
          QStringLiteral("WebSocket connection to %1 lost%2; reconnecting").arg(where(), why), 0},
         FailureKind::Transport);
}

void HttpSource::Private::onPingTimer()
{
    QWebSocket* ws = socket.data();
    if (!ws || socketState != SocketState::Open)
        return;
    if (awaitingPong) {
        // A connection a firewall dropped silently never reports its end: a ping unanswered for a
        // keep-alive period does.
        lostReason = QStringLiteral(" (no answer to a ping within %1 s)").arg(settings.keepAliveSeconds);
        ws->abort();
        return;
    }
    awaitingPong = true;
    ws->ping();
}

void HttpSource::Private::unverifiedCertificate()
{
    // Qt opened a connection whose certificate the OpenSSL check has not verified (the server changed
    // it, or there is something in between): check again before anything more is sent. Twice in a row
    // means the check and Qt reach different servers.
    if (++unverifiedStreak > 1) {
        unverifiedStreak = 0;
        fail({Problem::Severity::Error, QStringLiteral("tls.unverified"),
              QStringLiteral("%1 presented a certificate the connection check did not see (CRL not checked for it): "
                             "a proxy or load balancer with several certificates?")
                  .arg(where()),
              0},
             FailureKind::Refusal);
        return;
    }
    beginCheck();
}

void HttpSource::Private::arrived()
{
    unverifiedStreak = 0;
    if (q->presence() == Presence::Present)
        return;
    q->clearProblems();
    lastFailureCode.clear();
    q->setPresence(Presence::Present);
    // Values sent while we were away are gone: tell consumers the stream has a hole.
    if (lostAtMs > 0)
        Q_EMIT q->timeJumped(std::exchange(lostAtMs, 0), nowMs());
}

void HttpSource::Private::fail(Problem problem, FailureKind kind)
{
    if (!running)
        return;
    pollTimer->stop();
    if (q->presence() == Presence::Present) {
        lostAtMs = nowMs();
        q->setPresence(Presence::Reconnecting);
    }
    if (kind == FailureKind::Transport) {
        // Qt says little about TLS and nothing about revocation: let the check say what is wrong.
        const FailureKind shown = problem.code.startsWith(u"tls.") ? FailureKind::Refusal : FailureKind::Transient;
        pendingFailure = std::make_pair(std::move(problem), shown);
        beginCheck();
        return;
    }
    report(problem, kind);
    scheduleRetry();
}

void HttpSource::Private::report(const Problem& problem, FailureKind kind)
{
    const bool refusal = kind == FailureKind::Refusal;
    q->raiseProblem(problem);
    q->setPresence(refusal ? Presence::Error : Presence::Reconnecting);
    // Each distinct failure is a security-relevant event; a retry failing the same way is not news.
    if (problem.severity == Problem::Severity::Error && problem.code != lastFailureCode)
        Q_EMIT q->securityEvent(
            {refusal ? QStringLiteral("telemetry.connect_refused") : QStringLiteral("telemetry.connect_failed"),
             settings.id, problem.code, problem.message});
    lastFailureCode = problem.code;
}

void HttpSource::Private::scheduleRetry()
{
    if (!running)
        return;
    pollTimer->stop();
    // Exponential backoff with "equal jitter": half fixed, half random, so that many workstations do
    // not hammer a restarted server in lockstep.
    const double ceiling =
        std::min<double>(settings.reconnectMaxMs, settings.reconnectMinMs * std::pow(2.0, std::min(failures, 20)));
    ++failures;
    const double delay = ceiling / 2 + QRandomGenerator::global()->generateDouble() * ceiling / 2;
    retryTimer->start(static_cast<int>(delay));
}

bool HttpSource::Private::rateLimited(const QString& key, qint64 intervalMs, int* suppressedCount)
{
    const qint64 now = nowMs();
    const auto it = lastReported.constFind(key);
    if (it != lastReported.constEnd() && now - it.value() < intervalMs) {
        ++suppressed[key];
        return true;
    }
    lastReported.insert(key, now);
    *suppressedCount = suppressed.take(key);
    return false;
}

void HttpSource::Private::handleMessage(const QByteArray& payload)
{
    if (!pipeline)
        return;
    ++counters.received;
    awaitingPong = false; // a message proves the connection as well as a pong does
    if (settings.kind == BackendSettings::Kind::Https) {
        // An endpoint serves the same signed envelope until its publisher signs a new one: decoding it
        // again would report a replay on every poll.
        const bool isSigned = payload.contains("\"twinspect-signed\"");
        if (isSigned && payload == lastSignedBody)
            return;
        lastSignedBody = isSigned ? payload : QByteArray();
    }
    MessagePipeline::Outcome outcome = pipeline->handle(topic, payload, nowMs());
    if (outcome.decodeFailed)
        ++counters.rejected;
    counters.untrusted += static_cast<quint64>(outcome.untrustedSamples);
    for (Problem& problem : outcome.problems) {
        int more = 0;
        if (rateLimited(QStringLiteral("p:") + problem.code, 1000, &more))
            continue;
        if (more > 0)
            problem.message += QStringLiteral(" (and %1 similar in the last second)").arg(more);
        q->raiseProblem(problem);
    }
    for (SecurityEvent& event : outcome.securityEvents) {
        int more = 0;
        if (rateLimited(QStringLiteral("s:") + event.code + u'/' + event.reason + u'/' + event.subject, 10'000, &more))
            continue;
        if (more > 0)
            event.detail += QStringLiteral(" (%1 more like it in the last 10 s, not logged one by one)").arg(more);
        Q_EMIT q->securityEvent(event);
    }
    // outcome.reply (a Sparkplug rebirth request) has nowhere to go: these transports only listen.
    if (outcome.samples.empty())
        return;
    for (Sample& sample : outcome.samples)
        queue.push_back(std::move(sample));
    const auto limit = static_cast<size_t>(std::max(1, settings.queueLimit));
    if (queue.size() > limit) {
        const size_t excess = queue.size() - limit;
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(excess));
        counters.dropped += excess;
    }
    if (!deliveryTimer->isActive())
        deliveryTimer->start();
}

void HttpSource::Private::deliverNow()
{
    deliveryTimer->stop();
    if (queue.empty())
        return;
    SampleBatch batch;
    batch.reserve(queue.size());
    std::move(queue.begin(), queue.end(), std::back_inserter(batch));
    queue.clear();
    counters.delivered += batch.size();
    Q_EMIT q->samplesReady(batch);
}

Problem HttpSource::Private::statusProblem(int status, const QString& reason, FailureKind* kind) const
{
    // A server error or "too many requests" may pass by itself; any other status needs someone.
    *kind = status >= 500 || status == 429 ? FailureKind::Transient : FailureKind::Refusal;
    QString hint;
    if (status == 403)
        hint = QStringLiteral(" (the credentials were accepted but do not allow reading this resource)");
    else if (status == 404)
        hint = QStringLiteral(" (check the backend's url)");
    return {Problem::Severity::Error, QStringLiteral("http.status"),
            QStringLiteral("%1 answered HTTP %2%3%4")
                .arg(where())
                .arg(status)
                .arg(reason.isEmpty() ? QString() : QString(u' ' + reason.left(80)), hint),
            0};
}

Problem HttpSource::Private::replyFailure(QNetworkReply* reply) const
{
    const QString target =
        reply->url().host() + u':' + QString::number(reply->url().port(reply->url().scheme() == u"https" ? 443 : 80));
    // Qt's text may quote the whole URL, query included: show the safe form instead.
    QString text = reply->errorString();
    text.replace(reply->url().toString(), displayUrl(reply->url()));
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return {Problem::Severity::Error, QStringLiteral("net.refused"),
                QStringLiteral("nothing accepts connections on %1 (connection refused)").arg(target), 0};
    case QNetworkReply::HostNotFoundError:
        return {Problem::Severity::Error, QStringLiteral("net.unknown-host"),
                QStringLiteral("cannot resolve host \"%1\"").arg(reply->url().host()), 0};
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // our transfer timeout
        return {Problem::Severity::Error, QStringLiteral("net.timeout"),
                QStringLiteral("no answer from %1 within %2 s")
                    .arg(target)
                    .arg(settings.connectTimeoutMs / 1000.0, 0, 'g', 3),
                0};
    case QNetworkReply::RemoteHostClosedError:
        return {Problem::Severity::Error, QStringLiteral("net.connection-lost"),
                QStringLiteral("%1 closed the connection before answering").arg(target), 0};
    case QNetworkReply::SslHandshakeFailedError:
        return {Problem::Severity::Error, QStringLiteral("tls.handshake-failed"),
                QStringLiteral("TLS with %1 failed: %2").arg(target, text), 0};
    default:
        return {Problem::Severity::Error, QStringLiteral("net.failed"),
                QStringLiteral("request to %1 failed: %2").arg(displayUrl(reply->url()), text), 0};
    }
}

HttpSource::HttpSource(BackendSettings settings, ConnectionSecrets secrets, std::shared_ptr<const TrustList> trust,
                       QObject* parent)
    : TelemetrySource(parent)
    , d(std::make_unique<Private>(this))
{
    d->settings = std::move(settings);
    if (d->settings.subscriptions.isEmpty()) {
        // No topics to tell payloads apart: every path is taken, and the payload names its tags.
        d->settings.subscriptions.append({QStringLiteral("#"), PayloadFormat::Json, QString(), 0});
    }
    d->secrets = std::move(secrets);
    d->trust = std::move(trust);
    d->topic = d->settings.url.path().isEmpty() ? QStringLiteral("/") : d->settings.url.path();
    d->manager = new QNetworkAccessManager(this);
    d->pollTimer = new QTimer(this);
    d->retryTimer = new QTimer(this);
    d->refreshTimer = new QTimer(this);
    d->deliveryTimer = new QTimer(this);
    d->pingTimer = new QTimer(this);
    d->openTimer = new QTimer(this);
    for (QTimer* timer : {d->pollTimer, d->retryTimer, d->refreshTimer, d->deliveryTimer, d->openTimer})
        timer->setSingleShot(true);
    // 5 ms: messages of one burst go out together, and the wait stays well inside a frame.
    d->deliveryTimer->setInterval(5);
    connect(d->pollTimer, &QTimer::timeout, this, [this] { d->proceed(); });
    connect(d->retryTimer, &QTimer::timeout, this, [this] { d->beginCheck(); });
    connect(d->refreshTimer, &QTimer::timeout, this, [this] { d->requestToken(false); });
    connect(d->deliveryTimer, &QTimer::timeout, this, [this] { d->deliverNow(); });
    connect(d->pingTimer, &QTimer::timeout, this, [this] { d->onPingTimer(); });
    connect(d->openTimer, &QTimer::timeout, this, [this] {
        if (d->socketState != Private::SocketState::Opening)
            return;
        d->closeSocket();
        d->fail({Problem::Severity::Error, QStringLiteral("net.timeout"),
                 QStringLiteral("WebSocket connection to %1 was not accepted within %2 s")
                     .arg(d->where())
                     .arg(d->settings.connectTimeoutMs / 1000.0, 0, 'g', 3),
                 0},
                FailureKind::Transport);
    });
}

HttpSource::~HttpSource()
{
    stop();
}

QString HttpSource::id() const
{
    return d->settings.id;
}

TelemetrySource::Capabilities HttpSource::capabilities() const
{
    Capabilities caps = Live;
    if (d->trust)
        caps |= SignedPayloads;
    return caps;
}

void HttpSource::start()
{
    if (d->running)
        return;
    const auto refuse = [this](const QString& code, const QString& message) {
        raiseProblem({Problem::Severity::Error, code, message, 0});
        setPresence(Presence::Error);
    };
    if (d->settings.kind == BackendSettings::Kind::Mqtt) {
        refuse(QStringLiteral("config.invalid"),
               QStringLiteral("backend \"%1\" is an MQTT backend, not HTTPS or WSS").arg(d->settings.id));
        return;
    }
    if (!QSslSocket::supportsSsl()) {
        refuse(QStringLiteral("config.no-tls"),
               QStringLiteral("Qt has no TLS backend (found: %1): install Qt's OpenSSL plugin")
                   .arg(QSslSocket::availableBackends().join(QStringLiteral(", "))));
        return;
    }
    if (!d->usesOAuth() && !d->secrets.token.isEmpty() && !isValidToken(d->secrets.token.toUtf8())) {
        refuse(QStringLiteral("config.token-invalid"),
               QStringLiteral("the token stored under %1 has characters a bearer token cannot have (spaces, line "
                              "breaks, non-ASCII): store it again")
                   .arg(d->settings.secretKey(u"token")));
        return;
    }
    d->running = true;
    ++d->generation;
    d->counters = {};
    d->failures = 0;
    d->unverifiedStreak = 0;
    d->lostAtMs = 0;
    d->lastFailureCode.clear();
    d->pendingFailure.reset();
    d->verifiedLeaves.clear();
    d->lastVerdict = {};
    d->accessToken.clear();
    d->tokenExpiresAtMs = 0;
    d->refreshedAfterUnauthorized = false;
    d->proceedAfterToken = false;
    d->lastSignedBody.clear();
    // One pipeline per run, not per connection: the replay window of signed payloads must survive
    // reconnects and polls.
    d->pipeline = std::make_unique<MessagePipeline>(d->settings, d->trust);
    d->tls = tlsConfiguration(d->settings, d->secrets);
    setPresence(Presence::Connecting);
    d->beginCheck();
}

void HttpSource::stop()
{
    if (!d->running)
        return;
    d->running = false;
    ++d->generation;
    d->cancelCheck = true;
    d->joinCheck();
    d->checking = false;
    for (QTimer* timer : {d->pollTimer, d->retryTimer, d->refreshTimer, d->pingTimer, d->openTimer})
        timer->stop();
    for (QPointer<QNetworkReply>* slot : {&d->pollReply, &d->tokenReply}) {
        if (QNetworkReply* reply = slot->data()) {
            *slot = nullptr;
            reply->abort();
        }
    }
    d->closeSocket();
    d->deliverNow();
    d->manager->clearConnectionCache();
    d->accessToken.clear();
    d->pipeline.reset();
    setPresence(Presence::Stopped);
}

SourceCounters HttpSource::counters() const
{
    return d->counters;
}

const BackendSettings& HttpSource::settings() const
{
    return d->settings;
}

ConnectionVerdict HttpSource::lastVerdict() const
{
    return d->lastVerdict;
}

void HttpSource::setDeliveryInterval(int ms)
{
    d->deliveryTimer->setInterval(ms);
}

void HttpSource::deliverNow()
{
    d->deliverNow();
}

} // namespace twinspect::telemetry
