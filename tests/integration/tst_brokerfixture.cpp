// SPDX-License-Identifier: Apache-2.0
// Proves the broker fixture's accept/refuse matrix with mosquitto's own clients, so that a failing
// Twinspect client test points at the client, not at the PKI or the broker configuration.
#include "mosquittobroker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using twinspect::testing::MosquittoBroker;
using twinspect::testing::ToolRun;
using Listener = MosquittoBroker::Listener;

class TestBrokerFixture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pkiKeysArePrivateAndEncryptedKeyOpens();
    void clientCertificateRoundTripOnMtls();
    void mtlsRefusesBadClients_data();
    void mtlsRefusesBadClients();
    void passwordListener_data();
    void passwordListener();
    void wrongHostFailsOnlyOnTheName();
    void rogueServerFailsVerification();
    void tlsClientToPlainPortFails();
    void messagesCrossListeners();
    void restartKeepsPortsAndAcceptsAgain();

private:
    ToolRun pub(const QStringList& connectArgs, bool debug = false) const;
    void verifyLogGains(qsizetype before, const QString& reason) const;

    MosquittoBroker m_broker;
};

ToolRun TestBrokerFixture::pub(const QStringList& connectArgs, bool debug) const
{
    QStringList args = connectArgs;
    args << u"-t"_s << u"twinspect/test"_s << u"-q"_s << u"1"_s << u"-m"_s << u"hello"_s;
    if (debug)
        args << u"-d"_s;
    return m_broker.runTool(u"mosquitto_pub"_s, args);
}

// The client's own message for a refused mTLS handshake depends on timing ("The connection was
// lost." or "Protocol error"), so the reason is read where it is stable: in the broker log.
void TestBrokerFixture::verifyLogGains(qsizetype before, const QString& reason) const
{
    QTRY_VERIFY2_WITH_TIMEOUT(m_broker.logText().mid(before).contains(reason),
                              qPrintable(u"broker log lacks '%1':\n"_s.arg(reason) + m_broker.logText().mid(before)),
                              3000);
}

void TestBrokerFixture::initTestCase()
{
    QElapsedTimer timer;
    timer.start();
    const auto error = m_broker.start();
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    qInfo("PKI made and broker ready in %lld ms (%s)", timer.elapsed(), qPrintable(m_broker.directory()));
}

void TestBrokerFixture::pkiKeysArePrivateAndEncryptedKeyOpens()
{
    for (const auto& name : {u"ca"_s, u"server"_s, u"client"_s, u"publisher"_s, u"client-encrypted"_s, u"revoked"_s,
                             u"expired"_s, u"wronghost"_s, u"rogue-ca"_s, u"rogue-client"_s, u"rogue-server"_s}) {
        const QString key = m_broker.pkiPath(name + u".key"_s);
        QVERIFY2(QFile::exists(m_broker.pkiPath(name + u".crt"_s)), qPrintable(name));
        const QFile::Permissions groupOrOther = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup |
                                                QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        QVERIFY2(!(QFile::permissions(key) & groupOrOther), qPrintable(key));
    }
    QFile encrypted(m_broker.pkiPath(u"client-encrypted.key"_s));
    QVERIFY(encrypted.open(QIODevice::ReadOnly));
    QVERIFY(encrypted.readAll().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    const ToolRun open =
        m_broker.runTool(u"openssl"_s, {u"pkey"_s, u"-noout"_s, u"-in"_s, encrypted.fileName(), u"-passin"_s,
                                        u"file:"_s + m_broker.pkiPath(u"client-encrypted.pass"_s)});
    QVERIFY2(open.ok(), qPrintable(open.describe()));
}

void TestBrokerFixture::clientCertificateRoundTripOnMtls()
{
    // GIVEN a subscriber with the workstation's certificate
    const QByteArray payload = "{\"tag\":\"TK01.level\",\"v\":42.5}\nsecond line";
    // WHEN the simulator publishes once the subscription is granted
    std::optional<QString> publishError;
    const auto received = m_broker.subscribeOnce(
        u"plant/boiler/TK01"_s, 5000, [&] { publishError = m_broker.publish(u"plant/boiler/TK01"_s, payload); });
    // THEN the exact payload arrives
    QVERIFY2(!publishError, qPrintable(publishError.value_or(QString())));
    QVERIFY2(received.payload, qPrintable(received.run.describe()));
    QCOMPARE(*received.payload, payload);
}

void TestBrokerFixture::mtlsRefusesBadClients_data()
{
    QTest::addColumn<QString>("certName");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("brokerReason");

    const QString verifyFailed = u"certificate verify failed"_s;
    QTest::newRow("revoked") << u"revoked"_s << true << verifyFailed;
    QTest::newRow("expired") << u"expired"_s << true << verifyFailed;
    QTest::newRow("rogue CA, right CN") << u"rogue-client"_s << true << verifyFailed;
    QTest::newRow("no certificate") << QString() << true << u"peer did not return a certificate"_s;
    QTest::newRow("plain TCP to the TLS port") << QString() << false << u"wrong version number"_s;
}

void TestBrokerFixture::mtlsRefusesBadClients()
{
    QFETCH(QString, certName);
    QFETCH(bool, tls);
    QFETCH(QString, brokerReason);

    // Without --cafile mosquitto_pub speaks plain MQTT, here to the TLS port.
    const QStringList args =
        tls ? m_broker.clientArgs(Listener::Mtls, certName)
            : QStringList{u"-h"_s, m_broker.host(), u"-p"_s, QString::number(m_broker.port(Listener::Mtls))};
    const qsizetype logBefore = m_broker.logText().size();
    const ToolRun run = pub(args);
    QVERIFY2(run.started && !run.timedOut && run.exitCode != 0, qPrintable(run.describe()));
    verifyLogGains(logBefore, brokerReason);
}

void TestBrokerFixture::passwordListener_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("operator, right password") << m_broker.passwordUser() << m_broker.password() << true;
    QTest::newRow("operator, wrong password") << m_broker.passwordUser() << u"not-the-password"_s << false;
    QTest::newRow("unknown user") << u"intruder"_s << m_broker.password() << false;
    QTest::newRow("no credentials") << QString() << QString() << false;
}

void TestBrokerFixture::passwordListener()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(bool, accepted);

    QStringList args = m_broker.clientArgs(Listener::Password);
    if (!user.isEmpty())
        args << u"-u"_s << user << u"-P"_s << password;
    const ToolRun run = pub(args);
    if (accepted) {
        QVERIFY2(run.ok(), qPrintable(run.describe()));
    } else {
        // CONNACK 5 "not authorised" (MQTT 3.1.1): the TLS part worked, the credentials did not.
        QVERIFY2(!run.ok() && run.output.contains(u"Connection Refused: not authorised."_s),
                 qPrintable(run.describe()));
    }
}

void TestBrokerFixture::wrongHostFailsOnlyOnTheName()
{
    const QStringList args = m_broker.clientArgs(Listener::WrongHost, u"client"_s);
    const ToolRun strict = pub(args, true);
    QVERIFY2(!strict.ok() && strict.output.contains(u"host name verification failed"_s), qPrintable(strict.describe()));

    // The same chain passes once name checking is off: only the name is wrong.
    const ToolRun insecure = pub(args + QStringList{u"--insecure"_s});
    QVERIFY2(insecure.ok(), qPrintable(insecure.describe()));
}

void TestBrokerFixture::rogueServerFailsVerification()
{
    const qsizetype logBefore = m_broker.logText().size();
    const ToolRun run = pub(m_broker.clientArgs(Listener::RogueServer, u"client"_s), true);
    QVERIFY2(!run.ok() && run.output.contains(u"certificate verify failed"_s) &&
                 !run.output.contains(u"host name verification failed"_s),
             qPrintable(run.describe()));
    verifyLogGains(logBefore, u"alert unknown ca"_s);
}

void TestBrokerFixture::tlsClientToPlainPortFails()
{
    QStringList args = m_broker.clientArgs(Listener::Plain);
    args << u"--cafile"_s << m_broker.pkiPath(u"ca.crt"_s);
    const ToolRun tlsRun = pub(args);
    QVERIFY2(!tlsRun.ok() && tlsRun.output.contains(u"A TLS error occurred"_s), qPrintable(tlsRun.describe()));

    const ToolRun plainRun = pub(m_broker.clientArgs(Listener::Plain));
    QVERIFY2(plainRun.ok(), qPrintable(plainRun.describe()));
}

void TestBrokerFixture::messagesCrossListeners()
{
    // One broker behind all listeners: what the simulator publishes over mTLS reaches the operator.
    std::optional<QString> publishError;
    const auto received = m_broker.subscribeOnce(
        u"plant/cross"_s, 5000, [&] { publishError = m_broker.publish(u"plant/cross"_s, "x"); }, Listener::Password);
    QVERIFY2(!publishError, qPrintable(publishError.value_or(QString())));
    QVERIFY2(received.payload, qPrintable(received.run.describe()));
    QCOMPARE(*received.payload, QByteArray("x"));
}

void TestBrokerFixture::restartKeepsPortsAndAcceptsAgain()
{
    std::array<quint16, MosquittoBroker::listenerCount> before{};
    for (int i = 0; i < MosquittoBroker::listenerCount; ++i)
        before[static_cast<std::size_t>(i)] = m_broker.port(static_cast<Listener>(i));

    m_broker.stop();
    QVERIFY(!m_broker.isRunning());
    const ToolRun down = pub(m_broker.clientArgs(Listener::Mtls, u"client"_s));
    QVERIFY2(!down.ok(), qPrintable(down.describe()));

    QElapsedTimer timer;
    timer.start();
    const auto error = m_broker.restart();
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    qInfo("broker restarted and ready in %lld ms", timer.elapsed());
    for (int i = 0; i < MosquittoBroker::listenerCount; ++i)
        QCOMPARE(m_broker.port(static_cast<Listener>(i)), before[static_cast<std::size_t>(i)]);

    const auto publishError = m_broker.publish(u"twinspect/after-restart"_s, "again");
    QVERIFY2(!publishError, qPrintable(publishError.value_or(QString())));

    // A restart straight after a restart, without stop(), must not find its own ports taken.
    const auto again = m_broker.restart();
    QVERIFY2(!again, qPrintable(again.value_or(QString())));
}

QTEST_GUILESS_MAIN(TestBrokerFixture)
#include "tst_brokerfixture.moc"
