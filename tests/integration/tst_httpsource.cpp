// SPDX-License-Identifier: Apache-2.0
// The HTTPS/WSS backend against real TLS servers in this process (QSslServer, QWebSocketServer in
// secure mode) with a PKI made at test time by scripts/make-test-pki.sh: values arrive with a static
// token and with OAuth2 client credentials (refreshed on time and after a 401); each way the server's
// certificate can be wrong is refused before a request (and its token) is sent; WSS reconnects after
// the server closes and says the stream has a hole.
//
// Not covered: a revoked *client* certificate over HTTPS. QSslServer cannot check CRLs, so the test
// server would accept it; revocation of the server's certificate is covered (our OpenSSL check).
#include "samplecollector.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/httpsource.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>
#include <QWebSocketServer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

using namespace twinspect;
using namespace twinspect::telemetry;

using Collector = twinspect::testing::SampleCollector;

namespace {

const QString dataPath = QStringLiteral("/plant/telemetry");

struct HttpRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; ///< names in lower case
    QByteArray body;
};

struct HttpResponse
{
    int status = 200;
    QByteArray body;
};

/// A minimal HTTP/1.1 server over QSslServer (keep-alive, Content-Length bodies), enough to play a
/// telemetry gateway and an OAuth2 token endpoint.
class HttpsServer
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    HttpsServer(const QSslConfiguration& tls, Handler handler)
        : m_handler(std::move(handler))
    {
        m_server.setSslConfiguration(tls);
        QObject::connect(&m_server, &QSslServer::pendingConnectionAvailable, &m_server, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                ++m_connections;
                serve(socket);
            }
        });
        m_listening = m_server.listen(QHostAddress::LocalHost, 0);
    }

    bool isListening() const { return m_listening; }
    quint16 port() const { return m_server.serverPort(); }
    /// Presents these configurations to successive connections, in turn (a server whose certificate
    /// changes between our check and Qt's connection).
    void rotate(QList<QSslConfiguration> configurations)
    {
        m_rotation = std::move(configurations);
        m_server.setSslConfiguration(m_rotation.value(0));
        QObject::connect(&m_server, &QSslServer::startedEncryptionHandshake, &m_server, [this] {
            // The socket has taken its configuration: set up the next connection's.
            m_server.setSslConfiguration(m_rotation.value(++m_connection % m_rotation.size()));
        });
    }
    /// Requests answered, of any kind.
    int requests() const { return m_requests; }
    /// TLS connections accepted, including those of the connection check.
    int connections() const { return m_connections; }

private:
    void serve(QTcpSocket* socket)
    {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            QByteArray& buffer = m_buffers[socket];
            buffer += socket->readAll();
            while (true) {
                const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
                HttpRequest request;
                const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
                request.method = requestLine.value(0);
                request.path = requestLine.value(1);
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines[i].indexOf(':');
                    if (colon > 0)
                        request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                               lines[i].mid(colon + 1).trimmed());
                }
                const qsizetype length = request.headers.value("content-length", "0").toLongLong();
                if (buffer.size() < headerEnd + 4 + length)
                    return;
                request.body = buffer.mid(headerEnd + 4, length);
                buffer.remove(0, headerEnd + 4 + length);
                ++m_requests;
                const HttpResponse response = m_handler(request);
                QByteArray out =
                    "HTTP/1.1 " + QByteArray::number(response.status) + " Status\r\n" +
                    "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(response.body.size()) +
                    "\r\n";
                if (response.status == 401)
                    out += "WWW-Authenticate: Bearer\r\n";
                out += "\r\n" + response.body;
                socket->write(out);
            }
        });
        QObject::connect(socket, &QObject::destroyed, &m_server, [this, socket] { m_buffers.remove(socket); });
    }

    QSslServer m_server;
    QList<QSslConfiguration> m_rotation;
    qsizetype m_connection = 0;
    Handler m_handler;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    bool m_listening = false;
    int m_requests = 0;
    int m_connections = 0;
};

/// A WSS server that records the clients' upgrade requests and pushes what a test tells it to.
class WssServer
{
public:
    explicit WssServer(const QSslConfiguration& tls)
        : m_server(QStringLiteral("tst_httpsource"), QWebSocketServer::SecureMode)
    {
        m_server.setSslConfiguration(tls);
        QObject::connect(&m_server, &QWebSocketServer::newConnection, &m_server, [this] {
            while (QWebSocket* client = m_server.nextPendingConnection()) {
                ++m_connections;
                m_authorization = client->request().rawHeader("Authorization");
                m_clients.append(client);
                QObject::connect(client, &QWebSocket::disconnected, client, &QObject::deleteLater);
            }
        });
        m_listening = m_server.listen(QHostAddress::LocalHost, 0);
    }

    bool isListening() const { return m_listening; }
    quint16 port() const { return m_server.serverPort(); }
    /// Answers every upgrade request with 403 (QWebSocketServer's refusal of an origin).
    void refuseUpgrades()
    {
        QObject::connect(&m_server, &QWebSocketServer::originAuthenticationRequired, &m_server,
                         [](QWebSocketCorsAuthenticator* authenticator) { authenticator->setAllowed(false); });
    }
    int connections() const { return m_connections; }
    QByteArray lastAuthorization() const { return m_authorization; }
    int openClients() const
    {
        return static_cast<int>(std::count_if(m_clients.begin(), m_clients.end(), [](const QPointer<QWebSocket>& c) {
            return c && c->state() == QAbstractSocket::ConnectedState;
        }));
    }
    void sendText(const QString& message)
    {
        for (const QPointer<QWebSocket>& client : std::as_const(m_clients)) {
            if (client && client->state() == QAbstractSocket::ConnectedState)
                client->sendTextMessage(message);
        }
    }
    void sendBinary(const QByteArray& message)
    {
        for (const QPointer<QWebSocket>& client : std::as_const(m_clients)) {
            if (client && client->state() == QAbstractSocket::ConnectedState)
                client->sendBinaryMessage(message);
        }
    }
    /// A server going away (a restart, a deployment): every client is closed with "going away".
    void closeClients()
    {
        for (const QPointer<QWebSocket>& client : std::as_const(m_clients)) {
            if (client)
                client->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("restarting"));
        }
        m_clients.clear();
    }

private:
    QWebSocketServer m_server;
    QList<QPointer<QWebSocket>> m_clients;
    QByteArray m_authorization;
    int m_connections = 0;
    bool m_listening = false;
};

QByteArray batch(int n)
{
    return "{\"samples\":[{\"tag\":\"HTTP-FT01\",\"ts\":1764100000000,\"v\":" + QByteArray::number(n) +
           "},{\"tag\":\"HTTP-PP01\",\"v\":true}]}";
}

bool containsSecret(const TelemetrySource& source, const QSignalSpy& events, const QString& secret)
{
    for (const Problem& problem : source.problems()) {
        if (problem.message.contains(secret))
            return true;
    }
    for (const QList<QVariant>& args : events) {
        const auto event = args.at(0).value<SecurityEvent>();
        if (event.detail.contains(secret) || event.reason.contains(secret) || event.subject.contains(secret))
            return true;
    }
    return false;
}

/// Runs the blocking check on a thread of its own: the server it talks to lives in this thread's
/// event loop, which must keep running.
ConnectionVerdict checkInBackground(const BackendSettings& settings)
{
    std::atomic<bool> done{false};
    ConnectionVerdict verdict;
    std::thread worker([&] {
        verdict = checkHttpsConnection(settings, {}, 5000);
        done = true;
    });
    // On a timeout the join below still ends: the check has its own 5 s limit.
    (void)QTest::qWaitFor([&] { return done.load(); }, 10'000);
    worker.join();
    return verdict;
}

QString problemCodes(const TelemetrySource& source)
{
    QStringList codes;
    for (const Problem& problem : source.problems())
        codes.append(problem.code + QStringLiteral(": ") + problem.message);
    return codes.join(u'\n');
}

} // namespace

class TestHttpSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<SampleBatch>();
        qRegisterMetaType<SecurityEvent>();
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend");
        QVERIFY(m_pki.isValid());
        run(QStringLiteral("bash"), {QStringLiteral(TWINSPECT_SOURCE_DIR "/scripts/make-test-pki.sh"), m_pki.path()});
        // A server certificate that is fine in every way except that the CRL revokes it: only our
        // OpenSSL check can refuse it, Qt's TLS has no CRL support.
        const QString cnf = pki(QStringLiteral("ca-db/ca.cnf"));
        run(QStringLiteral("openssl"),
            {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-config"), cnf, QStringLiteral("-newkey"),
             QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
             QStringLiteral("-noenc"), QStringLiteral("-keyout"), pki(QStringLiteral("revoked-server.key")),
             QStringLiteral("-subj"), QStringLiteral("/O=Twinspect Test/CN=localhost"), QStringLiteral("-addext"),
             QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-out"),
             pki(QStringLiteral("revoked-server.csr"))});
        run(QStringLiteral("openssl"),
            {QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-notext"), QStringLiteral("-config"), cnf,
             QStringLiteral("-extensions"), QStringLiteral("v3_server"), QStringLiteral("-out"),
             pki(QStringLiteral("revoked-server.crt")), QStringLiteral("-infiles"),
             pki(QStringLiteral("revoked-server.csr"))});
        run(QStringLiteral("openssl"), {QStringLiteral("ca"), QStringLiteral("-config"), cnf, QStringLiteral("-revoke"),
                                        pki(QStringLiteral("revoked-server.crt"))});
        run(QStringLiteral("openssl"), {QStringLiteral("ca"), QStringLiteral("-config"), cnf, QStringLiteral("-gencrl"),
                                        QStringLiteral("-crldays"), QStringLiteral("30"), QStringLiteral("-out"),
                                        pki(QStringLiteral("crl-server.pem"))});
    }

    void valuesArriveWithStaticToken()
    {
        const QByteArray token = "static-token-7Hq2";
        HttpsServer server(serverTls(QStringLiteral("server")), [&](const HttpRequest& r) -> HttpResponse {
            if (r.method != "GET" || r.path != dataPath.toUtf8())
                return {404, {}};
            if (r.headers.value("authorization") != "Bearer " + token)
                return {401, {}};
            return {200, batch(m_counter++)};
        });
        QVERIFY(server.isListening());
        HttpSource source(settings(BackendSettings::Kind::Https, server.port()), tokenSecrets(token), nullptr);
        Collector collector;
        collector.attach(source);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_VERIFY2_WITH_TIMEOUT(collector.last(QStringLiteral("HTTP-PP01")), qPrintable(problemCodes(source)),
                                  10'000);
        QCOMPARE(source.presence(), Presence::Present);
        const Sample* flag = collector.last(QStringLiteral("HTTP-PP01"));
        QCOMPARE(std::get<bool>(flag->value), true);
        QCOMPARE(flag->authenticity, Authenticity::Transport);
        QCOMPARE(collector.last(QStringLiteral("HTTP-FT01"))->sourceTimeMs, 1764100000000);
        QVERIFY(source.lastVerdict().ok);
        QVERIFY(source.lastVerdict().serverChain.value(0).subject.contains(u"CN=localhost"));
        QVERIFY2(source.problems().isEmpty(), qPrintable(problemCodes(source)));
        // It keeps polling, over one kept-alive connection after one check.
        QTRY_VERIFY_WITH_TIMEOUT(source.counters().received >= 4, 10'000);
        QCOMPARE(server.connections(), 2);
        QCOMPARE(events.at(0).at(0).value<SecurityEvent>().code, QStringLiteral("telemetry.connected"));
        QVERIFY(!containsSecret(source, events, QString::fromUtf8(token)));
    }

    void wrongTokenIsUnauthorized()
    {
        const QString wrong = QStringLiteral("not-the-token-Zx81");
        HttpsServer server(serverTls(QStringLiteral("server")), [](const HttpRequest&) -> HttpResponse {
            return {401, "{\"error\":\"invalid_token\"}"};
        });
        HttpSource source(settings(BackendSettings::Kind::Https, server.port()), tokenSecrets(wrong.toUtf8()), nullptr);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        QCOMPARE(source.problems().value(0).code, QStringLiteral("http.unauthorized"));
        QVERIFY(source.problems().value(0).message.contains(u"test/token"));
        QTRY_VERIFY_WITH_TIMEOUT(events.count() >= 2, 5000); // connected (TLS), then refused
        const auto refused = events.at(1).at(0).value<SecurityEvent>();
        QCOMPARE(refused.code, QStringLiteral("telemetry.connect_refused"));
        QCOMPARE(refused.reason, QStringLiteral("http.unauthorized"));
        QVERIFY(!containsSecret(source, events, wrong));
    }

    void valuesArriveWithOAuth2AndTheTokenIsRefreshed()
    {
        // GIVEN a token endpoint whose tokens live 1 s (refreshed after 0.8 s) and a gateway that
        // accepts only tokens it issued and that have not expired
        const QString secret = QStringLiteral("s3cr3t+&=/x");
        int issued = 0;
        QHash<QByteArray, qint64> expiry;
        QSet<QByteArray> used;
        HttpsServer server(serverTls(QStringLiteral("server")), [&](const HttpRequest& r) -> HttpResponse {
            if (r.path == "/oauth/token") {
                const QUrlQuery form(QString::fromUtf8(r.body));
                if (r.method != "POST" || r.headers.value("content-type") != "application/x-www-form-urlencoded" ||
                    form.queryItemValue(QStringLiteral("grant_type")) != u"client_credentials" ||
                    form.queryItemValue(QStringLiteral("client_id")) != u"ws-7" ||
                    form.queryItemValue(QStringLiteral("client_secret"), QUrl::FullyDecoded) != secret)
                    return {401, "{\"error\":\"invalid_client\"}"};
                const QByteArray token = "tok-" + QByteArray::number(++issued);
                expiry.insert(token, QDateTime::currentMSecsSinceEpoch() + 1000);
                return {200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":1}"};
            }
            const QByteArray token = r.headers.value("authorization").mid(7);
            if (QDateTime::currentMSecsSinceEpoch() >= expiry.value(token, 0))
                return {401, {}};
            used.insert(token);
            return {200, batch(m_counter++)};
        });
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port());
        s.tokenUrl = QStringLiteral("https://localhost:%1/oauth/token").arg(server.port());
        s.oauthClientId = QStringLiteral("ws-7");
        ConnectionSecrets secrets;
        secrets.clientSecret = secret;
        HttpSource source(s, secrets, nullptr);
        Collector collector;
        collector.attach(source);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        // WHEN it runs for a few token lifetimes
        source.start();
        QTRY_VERIFY2_WITH_TIMEOUT(collector.last(QStringLiteral("HTTP-FT01")), qPrintable(problemCodes(source)),
                                  10'000);
        // THEN values keep arriving with fresh tokens
        QTRY_VERIFY2_WITH_TIMEOUT(used.size() >= 3, qPrintable(problemCodes(source)), 15'000);
        QCOMPARE(source.presence(), Presence::Present);
        QVERIFY2(source.problems().isEmpty(), qPrintable(problemCodes(source)));
        QVERIFY(!containsSecret(source, events, secret));
    }

    void unauthorizedFetchesANewTokenOnce()
    {
        // GIVEN long-lived tokens that the gateway can revoke
        int issued = 0;
        int refusals = 0;
        QSet<QByteArray> valid;
        HttpsServer server(serverTls(QStringLiteral("server")), [&](const HttpRequest& r) -> HttpResponse {
            if (r.path == "/oauth/token") {
                const QByteArray token = "long-" + QByteArray::number(++issued);
                valid.insert(token);
                return {200, "{\"access_token\":\"" + token + "\",\"expires_in\":3600}"};
            }
            if (!valid.contains(r.headers.value("authorization").mid(7))) {
                ++refusals;
                return {401, {}};
            }
            return {200, batch(m_counter++)};
        });
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port());
        s.tokenUrl = QStringLiteral("https://localhost:%1/oauth/token").arg(server.port());
        s.oauthClientId = QStringLiteral("ws-7");
        ConnectionSecrets secrets;
        secrets.clientSecret = QStringLiteral("secret");
        HttpSource source(s, secrets, nullptr);
        QSignalSpy problems(&source, &TelemetrySource::problemsChanged);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(source.counters().received >= 1, 10'000);
        QCOMPARE(issued, 1);
        // WHEN the gateway revokes the token
        valid.clear();
        const quint64 before = source.counters().received;
        // THEN the source fetches a new one on the 401 and carries on, without raising a problem
        QTRY_VERIFY_WITH_TIMEOUT(source.counters().received > before + 1, 10'000);
        QCOMPARE(issued, 2);
        QCOMPARE(refusals, 1);
        QCOMPARE(source.presence(), Presence::Present);
        QCOMPARE(problems.count(), 0);
    }

    void oauthFailureNamesTheEndpointNotTheSecret()
    {
        const QString secret = QStringLiteral("wrong-secret-Kk3");
        int dataRequests = 0;
        HttpsServer server(serverTls(QStringLiteral("server")), [&](const HttpRequest& r) -> HttpResponse {
            if (!r.path.startsWith("/oauth/token"))
                ++dataRequests;
            return {401, "{\"error\":\"invalid_client\",\"error_description\":\"bad\"}"};
        });
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port());
        s.tokenUrl = QStringLiteral("https://localhost:%1/oauth/token?tenant=x").arg(server.port());
        s.oauthClientId = QStringLiteral("ws-7");
        ConnectionSecrets secrets;
        secrets.clientSecret = secret;
        HttpSource source(s, secrets, nullptr);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        const Problem problem = source.problems().value(0);
        QCOMPARE(problem.code, QStringLiteral("oauth.failed"));
        QVERIFY2(problem.message.contains(QStringLiteral("https://localhost:%1/oauth/token").arg(server.port())),
                 qPrintable(problem.message));
        QVERIFY2(problem.message.contains(u"401") && problem.message.contains(u"invalid_client"),
                 qPrintable(problem.message));
        QVERIFY(!problem.message.contains(u"tenant")); // the query is not shown
        QVERIFY(!containsSecret(source, events, secret));
        QCOMPARE(dataRequests, 0); // no data request without a token
    }

    void refusalsSayWhatIsWrong_data()
    {
        QTest::addColumn<QString>("serverCert");
        QTest::addColumn<bool>("requireClient");
        QTest::addColumn<QString>("clientCert");
        QTest::addColumn<QString>("crl");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("rogue CA (server)") << QStringLiteral("rogue-server") << false << QString() << QString()
                                           << QStringLiteral("tls.unknown-ca") << QStringLiteral("ca.crt");
        QTest::newRow("wrong host") << QStringLiteral("wronghost") << false << QString() << QString()
                                    << QStringLiteral("tls.wrong-host") << QStringLiteral("wrong.example");
        QTest::newRow("server revoked by the CRL")
            << QStringLiteral("revoked-server") << false << QString() << QStringLiteral("crl-server.pem")
            << QStringLiteral("tls.server-revoked") << QStringLiteral("crl-server.pem");
        QTest::newRow("no client certificate")
            << QStringLiteral("server") << true << QString() << QString() << QStringLiteral("tls.no-client-certificate")
            << QStringLiteral("tls.certFile");
        QTest::newRow("rogue client") << QStringLiteral("server") << true << QStringLiteral("rogue-client") << QString()
                                      << QStringLiteral("tls.client-refused") << QStringLiteral("rogue-client.crt");
    }

    void refusalsSayWhatIsWrong()
    {
        QFETCH(QString, serverCert);
        QFETCH(bool, requireClient);
        QFETCH(QString, clientCert);
        QFETCH(QString, crl);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        HttpsServer server(serverTls(serverCert, requireClient), [](const HttpRequest&) -> HttpResponse {
            return {200, batch(1)};
        });
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port(), clientCert);
        if (!crl.isEmpty())
            s.tls.crlFile = pki(crl);
        HttpSource source(s, tokenSecrets("token-that-must-not-leave"), nullptr);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        const Problem problem = source.problems().value(0);
        QVERIFY2(problem.code == code, qPrintable(problemCodes(source)));
        QVERIFY2(problem.message.contains(mentions), qPrintable(problem.message));
        QVERIFY2(problem.message.contains(QString::number(server.port())), qPrintable(problem.message));
        QCOMPARE(events.value(0).value(0).value<SecurityEvent>().code, QStringLiteral("telemetry.connect_refused"));
        QCOMPARE(events.value(0).value(0).value<SecurityEvent>().reason, code);
        QCOMPARE(server.requests(), 0); // refused before any request, so the token never left
        // The same check, called directly, gives the same answer.
        QCOMPARE(checkInBackground(s).code, code);
    }

    void certificateTheCheckDidNotSeeIsRefused()
    {
        // GIVEN a server that shows our check a good certificate and Qt's connection a revoked one
        // (Qt would accept it: it cannot read the CRL)
        HttpsServer server(serverTls(QStringLiteral("server")), [](const HttpRequest&) -> HttpResponse {
            return {200, batch(1)};
        });
        server.rotate({serverTls(QStringLiteral("server")), serverTls(QStringLiteral("revoked-server"))});
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port());
        s.tls.crlFile = pki(QStringLiteral("crl-server.pem"));
        HttpSource source(s, tokenSecrets("token-that-must-not-leave"), nullptr);
        source.start();
        // THEN Qt's connection is dropped before the request, checked again, and finally refused
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        QVERIFY2(source.problems().value(0).code == u"tls.unverified", qPrintable(problemCodes(source)));
        QCOMPARE(server.requests(), 0);
    }

    void clientCertificatesAreAccepted_data()
    {
        QTest::addColumn<QString>("clientCert");
        QTest::newRow("plain key") << QStringLiteral("client");
        QTest::newRow("encrypted key") << QStringLiteral("client-encrypted");
    }

    void clientCertificatesAreAccepted()
    {
        QFETCH(QString, clientCert);
        HttpsServer server(serverTls(QStringLiteral("server"), true), [](const HttpRequest&) -> HttpResponse {
            return {200, batch(5)};
        });
        ConnectionSecrets secrets;
        QFile passFile(pki(QStringLiteral("client-encrypted.pass")));
        QVERIFY(passFile.open(QIODevice::ReadOnly));
        secrets.keyPassphrase = QString::fromUtf8(passFile.readAll()).trimmed();
        HttpSource source(settings(BackendSettings::Kind::Https, server.port(), clientCert), secrets, nullptr);
        Collector collector;
        collector.attach(source);
        source.start();
        QTRY_VERIFY2_WITH_TIMEOUT(collector.last(QStringLiteral("HTTP-FT01")), qPrintable(problemCodes(source)),
                                  10'000);
        QCOMPARE(source.presence(), Presence::Present);
    }

    void hostNameCheckCanBeWaivedAlone()
    {
        HttpsServer server(serverTls(QStringLiteral("wronghost")), [](const HttpRequest&) -> HttpResponse {
            return {200, batch(9)};
        });
        BackendSettings s = settings(BackendSettings::Kind::Https, server.port());
        s.tls.verifyHostname = false;
        HttpSource source(s, {}, nullptr);
        Collector collector;
        collector.attach(source);
        source.start();
        QTRY_VERIFY2_WITH_TIMEOUT(collector.last(QStringLiteral("HTTP-FT01")), qPrintable(problemCodes(source)),
                                  10'000);
    }

    void wssMessagesArriveAndTheClientReconnects()
    {
        // GIVEN a WSS server and a source connected to it with a static token
        WssServer server(serverTls(QStringLiteral("server")));
        QVERIFY(server.isListening());
        BackendSettings s = settings(BackendSettings::Kind::Wss, server.port());
        s.url = QUrl(QStringLiteral("wss://localhost:%1/plant/stream").arg(server.port()));
        s.reconnectMinMs = 100;
        s.reconnectMaxMs = 400;
        HttpSource source(s, tokenSecrets("ws-token-1"), nullptr);
        Collector collector;
        collector.attach(source);
        QSignalSpy jumps(&source, &TelemetrySource::timeJumped);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(server.openClients(), 1, 5000);
        QCOMPARE(server.lastAuthorization(), QByteArray("Bearer ws-token-1"));

        // WHEN it pushes text and binary messages THEN they arrive
        server.sendText(QStringLiteral("{\"tag\":\"WS-T01\",\"v\":21.5}"));
        server.sendBinary("{\"samples\":[{\"tag\":\"WS-T02\",\"v\":\"OPEN\"}]}");
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("WS-T02")), 5000);
        QCOMPARE(std::get<double>(collector.last(QStringLiteral("WS-T01"))->value), 21.5);
        QCOMPARE(std::get<QString>(collector.last(QStringLiteral("WS-T02"))->value), QStringLiteral("OPEN"));
        QCOMPARE(jumps.count(), 0);

        // WHEN the server closes the connection THEN the client reconnects, says the stream has a
        // hole, and values arrive again
        server.closeClients();
        QTRY_COMPARE_WITH_TIMEOUT(server.connections(), 2, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(jumps.count(), 1, 5000);
        QVERIFY(jumps.at(0).at(0).toLongLong() <= jumps.at(0).at(1).toLongLong());
        QTRY_COMPARE_WITH_TIMEOUT(server.openClients(), 1, 5000);
        server.sendText(QStringLiteral("{\"tag\":\"WS-T03\",\"v\":3}"));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("WS-T03")), 5000);
        QVERIFY2(source.problems().isEmpty(), qPrintable(problemCodes(source)));
    }

    void wssRefusedUpgradeSaysTheStatus()
    {
        WssServer server(serverTls(QStringLiteral("server")));
        server.refuseUpgrades();
        BackendSettings s = settings(BackendSettings::Kind::Wss, server.port());
        s.url = QUrl(QStringLiteral("wss://localhost:%1/plant/stream").arg(server.port()));
        HttpSource source(s, tokenSecrets("ws-token-1"), nullptr);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        const Problem problem = source.problems().value(0);
        QVERIFY2(problem.code == u"http.status" && problem.message.contains(u"403"), qPrintable(problemCodes(source)));
        QCOMPARE(server.connections(), 0);
    }

    void wssFloodIsDroppedOldestFirst()
    {
        WssServer server(serverTls(QStringLiteral("server")));
        BackendSettings s = settings(BackendSettings::Kind::Wss, server.port());
        s.url = QUrl(QStringLiteral("wss://localhost:%1/flood").arg(server.port()));
        s.queueLimit = 100;
        HttpSource source(s, {}, nullptr);
        source.setDeliveryInterval(60'000); // nobody drains: the queue must hold its bound
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(server.openClients(), 1, 10'000);
        const int messages = 300;
        for (int i = 0; i < messages; ++i)
            server.sendText(QStringLiteral("{\"tag\":\"FLOOD\",\"v\":%1}").arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(source.counters().received, quint64(messages), 10'000);
        QCOMPARE(source.counters().dropped, quint64(messages - 100));
        Collector collector;
        collector.attach(source);
        source.deliverNow();
        QCOMPARE(collector.samples.size(), 100u);
        QCOMPARE(std::get<double>(collector.samples.front().value), double(messages - 100));
        QCOMPARE(std::get<double>(collector.samples.back().value), double(messages - 1));
    }

private:
    QString pki(const QString& file) const { return m_pki.filePath(file); }

    void run(const QString& program, const QStringList& arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        QVERIFY2(process.waitForFinished(60'000), qPrintable(program + QStringLiteral(" did not finish")));
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 qPrintable(program + u' ' + arguments.join(u' ') + u'\n' + QString::fromLocal8Bit(process.readAll())));
    }

    QSslConfiguration serverTls(const QString& certName, bool requireClient = false) const
    {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setLocalCertificateChain(QSslCertificate::fromPath(pki(certName + QStringLiteral(".crt"))));
        QFile keyFile(pki(certName + QStringLiteral(".key")));
        if (keyFile.open(QIODevice::ReadOnly))
            c.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
        c.setCaCertificates(QSslCertificate::fromPath(pki(QStringLiteral("ca.crt"))));
        c.setPeerVerifyMode(requireClient ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
        c.setProtocol(QSsl::TlsV1_2OrLater);
        return c;
    }

    BackendSettings settings(BackendSettings::Kind kind, quint16 port, const QString& cert = {}) const
    {
        BackendSettings s;
        s.id = QStringLiteral("test");
        s.kind = kind;
        s.url = QUrl(QStringLiteral("https://localhost:%1%2").arg(port).arg(dataPath));
        s.tls.caFile = pki(QStringLiteral("ca.crt"));
        if (!cert.isEmpty()) {
            s.tls.certFile = pki(cert + QStringLiteral(".crt"));
            s.tls.keyFile = pki(cert + QStringLiteral(".key"));
        }
        s.connectTimeoutMs = 5000;
        s.pollIntervalMs = 100;
        return s;
    }

    static ConnectionSecrets tokenSecrets(const QByteArray& token)
    {
        ConnectionSecrets secrets;
        secrets.token = QString::fromUtf8(token);
        return secrets;
    }

    QTemporaryDir m_pki;
    int m_counter = 0;
};

QTEST_GUILESS_MAIN(TestHttpSource)
#include "tst_httpsource.moc"
