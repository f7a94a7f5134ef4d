// SPDX-License-Identifier: Apache-2.0
// The MQTT backend against a real mosquitto over TLS with a PKI made at test time: values arrive
// over mutual TLS; each way a connection can be wrong is refused with the message a person needs;
// the client reconnects after a broker restart; signed payloads are checked end to end; a flood
// larger than the queue is dropped and counted.
#include "crypto/ed25519.h"
#include "mosquittobroker.h"
#include "samplecollector.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/mqttsource.h"
#include "telemetry/signedpayload.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace twinspect;
using namespace twinspect::telemetry;
using twinspect::testing::MosquittoBroker;
using Listener = MosquittoBroker::Listener;

using Collector = twinspect::testing::SampleCollector;

namespace {

const QString prefix = QStringLiteral("plant/demo");

/// Sparkplug B payloads from an encoder that shares no code with ours: python3-protobuf with a
/// module protoc generated from the same .proto (tests/unit/sparkplug_encode.py).
QList<QByteArray> encodeSparkplug(const QByteArray& descriptions)
{
    QProcess python;
    python.start(QStringLiteral(SPARKPLUG_PYTHON), {QStringLiteral(SPARKPLUG_ENCODER), QStringLiteral("--module-dir"),
                                                    QStringLiteral(SPARKPLUG_PY_MODULE_DIR), QStringLiteral("encode")});
    python.write(descriptions);
    python.closeWriteChannel();
    if (!python.waitForFinished(30'000) || python.exitCode() != 0) {
        qWarning("sparkplug_encode.py: %s", python.readAllStandardError().constData());
        return {};
    }
    QList<QByteArray> payloads;
    for (const QJsonValue& v : QJsonDocument::fromJson(python.readAllStandardOutput()).array())
        payloads.append(QByteArray::fromBase64(v.toString().toLatin1()));
    return payloads;
}

ConnectionSecrets password(const QString& value)
{
    ConnectionSecrets secrets;
    secrets.password = value;
    return secrets;
}

ConnectionSecrets keyPassphrase(const QString& value)
{
    ConnectionSecrets secrets;
    secrets.keyPassphrase = value;
    return secrets;
}

} // namespace

class TestMqttSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<SampleBatch>();
        if (const auto error = m_broker.start())
            QFAIL(qPrintable(*error));
    }

    void valuesArriveOverMutualTls()
    {
        MqttSource source(settings(Listener::Mtls, QStringLiteral("client")), {}, nullptr);
        Collector collector;
        collector.attach(source);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        QVERIFY(!m_broker.publish(prefix + QStringLiteral("/LIT01"), "{\"ts\":1764100000000,\"v\":42.5}"));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("LIT01")), 5000);
        const Sample* s = collector.last(QStringLiteral("LIT01"));
        QCOMPARE(std::get<double>(s->value), 42.5);
        QCOMPARE(s->sourceTimeMs, 1764100000000);
        QCOMPARE(s->quality, Quality::Good);
        QCOMPARE(s->authenticity, Authenticity::Transport);
        QVERIFY(source.lastVerdict().ok);
        QVERIFY(source.lastVerdict().serverChain.value(0).subject.contains(u"CN=localhost"));
        QVERIFY(source.problems().isEmpty());
    }

    void mqtt5WithPassword()
    {
        // MQTT 5 end to end over the password listener: Paho speaks v5, values arrive.
        BackendSettings s = settings(Listener::Password, {});
        s.mqttVersion = BackendSettings::MqttVersion::V5;
        s.username = m_broker.passwordUser();
        MqttSource source(s, password(m_broker.password()), nullptr);
        Collector collector;
        collector.attach(source);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        QVERIFY(!m_broker.publish(prefix + QStringLiteral("/V5"), "{\"v\":5}"));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("V5")), 5000);
    }

    void refusalsSayWhatIsWrong_data()
    {
        QTest::addColumn<int>("listener");
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("rogue CA (server)") << int(Listener::RogueServer) << QStringLiteral("client")
                                           << QStringLiteral("tls.unknown-ca") << QStringLiteral("ca.crt");
        QTest::newRow("wrong host") << int(Listener::WrongHost) << QStringLiteral("client")
                                    << QStringLiteral("tls.wrong-host") << QStringLiteral("wrong.example");
        QTest::newRow("revoked client") << int(Listener::Mtls) << QStringLiteral("revoked")
                                        << QStringLiteral("tls.client-revoked") << QStringLiteral("revoked.crt");
        QTest::newRow("expired client") << int(Listener::Mtls) << QStringLiteral("expired")
                                        << QStringLiteral("tls.client-expired") << QStringLiteral("expired.crt");
        QTest::newRow("rogue client") << int(Listener::Mtls) << QStringLiteral("rogue-client")
                                      << QStringLiteral("tls.client-refused") << QStringLiteral("rogue-client.crt");
        QTest::newRow("no client certificate")
            << int(Listener::Mtls) << QString() << QStringLiteral("tls.no-client-certificate")
            << QStringLiteral("tls.certFile");
        QTest::newRow("TLS to a plain TCP port") << int(Listener::Plain) << QStringLiteral("client")
                                                 << QStringLiteral("tls.not-tls") << QStringLiteral("plain-TCP");
    }

    void refusalsSayWhatIsWrong()
    {
        QFETCH(int, listener);
        QFETCH(QString, cert);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        const ConnectionVerdict verdict = checkMqttConnection(settings(Listener(listener), cert), {}, 5000);
        QVERIFY(!verdict.ok);
        QVERIFY2(verdict.code == code, qPrintable(verdict.code + QStringLiteral(": ") + verdict.message));
        QVERIFY2(verdict.message.contains(mentions), qPrintable(verdict.message));
        QVERIFY2(verdict.message.contains(QString::number(m_broker.port(Listener(listener)))),
                 qPrintable(verdict.message));
    }

    void plainTcpUrlIsRefusedBeforeConnecting()
    {
        BackendSettings s = settings(Listener::Plain, {});
        s.url = QUrl(QStringLiteral("mqtt://127.0.0.1:%1").arg(m_broker.port(Listener::Plain)));
        const ConnectionVerdict verdict = checkMqttConnection(s, {}, 5000);
        QCOMPARE(verdict.code, QStringLiteral("config.invalid"));
        QVERIFY(verdict.message.contains(u"not a TLS URL"));
    }

    void passwords()
    {
        BackendSettings s = settings(Listener::Password, {});
        s.username = m_broker.passwordUser();
        const ConnectionVerdict good = checkMqttConnection(s, password(m_broker.password()), 5000);
        QVERIFY2(good.ok, qPrintable(good.message));
        const QString wrong = QStringLiteral("Wrong-Password-123");
        const ConnectionVerdict bad = checkMqttConnection(s, password(wrong), 5000);
        QCOMPARE(bad.code, QStringLiteral("auth.bad-password"));
        QVERIFY(bad.message.contains(m_broker.passwordUser()));
        QVERIFY(!bad.message.contains(wrong)); // secrets never appear in messages
    }

    void encryptedClientKey()
    {
        BackendSettings s = settings(Listener::Mtls, QStringLiteral("client-encrypted"));
        QFile passFile(m_broker.pkiPath(QStringLiteral("client-encrypted.pass")));
        QVERIFY(passFile.open(QIODevice::ReadOnly));
        const QString passphrase = QString::fromUtf8(passFile.readAll()).trimmed();
        QVERIFY2(checkMqttConnection(s, keyPassphrase(passphrase), 5000).ok, "the right passphrase opens the key");
        const ConnectionVerdict wrong =
            checkMqttConnection(s, keyPassphrase(QStringLiteral("not-the-passphrase")), 5000);
        QCOMPARE(wrong.code, QStringLiteral("config.key-passphrase-wrong"));
        QVERIFY(!wrong.message.contains(u"not-the-passphrase"));
        QCOMPARE(checkMqttConnection(s, {}, 5000).code, QStringLiteral("config.key-passphrase-missing"));

        // And the real connection (Paho) opens the encrypted key too.
        MqttSource source(s, keyPassphrase(passphrase), nullptr);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
    }

    void refusedSourceShowsErrorAndAudits()
    {
        MqttSource source(settings(Listener::Mtls, QStringLiteral("revoked")), {}, nullptr);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Error, 10'000);
        QCOMPARE(source.problems().size(), 1);
        QCOMPARE(source.problems().at(0).code, QStringLiteral("tls.client-revoked"));
        QTRY_COMPARE(events.count(), 1);
        const auto event = events.at(0).at(0).value<SecurityEvent>();
        QCOMPARE(event.code, QStringLiteral("telemetry.connect_refused"));
        QCOMPARE(event.subject, QStringLiteral("test"));
    }

    void reconnectsAfterBrokerRestart()
    {
        BackendSettings s = settings(Listener::Mtls, QStringLiteral("client"));
        s.reconnectMinMs = 100;
        s.reconnectMaxMs = 400;
        MqttSource source(s, {}, nullptr);
        Collector collector;
        collector.attach(source);
        QSignalSpy jumps(&source, &TelemetrySource::timeJumped);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        if (const auto error = m_broker.restart())
            QFAIL(qPrintable(*error));
        QTRY_VERIFY_WITH_TIMEOUT(source.presence() != Presence::Present || jumps.count() > 0, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(jumps.count(), 1, 5000); // consumers are told the stream has a hole
        QVERIFY(!m_broker.publish(prefix + QStringLiteral("/FIT01"), "{\"v\":7}"));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("FIT01")), 5000);
    }

    void signedPayloads()
    {
        const auto publisherKey = crypto::Ed25519Key::generate();
        const auto strangerKey = crypto::Ed25519Key::generate();
        auto trust = std::make_shared<TrustList>();
        trust->add(QStringLiteral("sim-1"), crypto::Ed25519Key::fromRawPublic(publisherKey.rawPublic()).value());
        BackendSettings s = settings(Listener::Mtls, QStringLiteral("client"));
        s.signatures.required = true;
        MqttSource source(s, {}, trust);
        Collector collector;
        collector.attach(source);
        QSignalSpy events(&source, &TelemetrySource::securityEvent);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto topic = [](const char* tag) { return QString(prefix + u'/' + QLatin1String(tag)); };

        const QByteArray good = signPayload(publisherKey, QStringLiteral("sim-1"), topic("GOOD"), 1, now, "{\"v\":1}");
        QVERIFY(!m_broker.publish(topic("GOOD"), good));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("GOOD")), 5000);
        QCOMPARE(collector.last(QStringLiteral("GOOD"))->authenticity, Authenticity::Signed);
        QCOMPARE(collector.last(QStringLiteral("GOOD"))->quality, Quality::Good);

        QVERIFY(!m_broker.publish(topic("STRANGER"), signPayload(strangerKey, QStringLiteral("sim-9"),
                                                                 topic("STRANGER"), 1, now, "{\"v\":2}")));
        QByteArray tampered =
            signPayload(publisherKey, QStringLiteral("sim-1"), topic("TAMPERED"), 2, now, "{\"v\":3}");
        tampered.replace(QByteArray("{\"v\":3}").toBase64(), QByteArray("{\"v\":4}").toBase64());
        QVERIFY(!m_broker.publish(topic("TAMPERED"), tampered));
        QVERIFY(!m_broker.publish(topic("GOOD"), good));         // replayed
        QVERIFY(!m_broker.publish(topic("PLAIN"), "{\"v\":5}")); // unsigned where signatures are required

        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("PLAIN")), 5000);
        for (const char* tag : {"STRANGER", "TAMPERED", "PLAIN"}) {
            const Sample* sample = collector.last(QLatin1String(tag));
            QVERIFY2(sample, tag);
            QVERIFY2(sample->quality == Quality::Untrusted, tag); // never shown as good
        }
        QCOMPARE(std::get<double>(collector.last(QStringLiteral("TAMPERED"))->value), 4.0);
        QCOMPARE(collector.last(QStringLiteral("GOOD"))->quality, Quality::Untrusted); // the replay
        QStringList codes;
        for (const QList<QVariant>& args : std::as_const(events))
            codes.append(args.at(0).value<SecurityEvent>().detail);
        const QString all = codes.join(u'\n');
        for (const char* expected :
             {"signature.unknown-publisher", "signature.bad", "signature.replay", "signature.missing"})
            QVERIFY2(all.contains(QLatin1String(expected)),
                     qPrintable(QLatin1String(expected) + QStringLiteral(" not in\n") + all));
        QCOMPARE(source.counters().untrusted, 4u);
    }

    void floodIsDroppedAndCounted()
    {
        BackendSettings s = settings(Listener::Mtls, QStringLiteral("client"));
        s.queueLimit = 100;
        MqttSource source(s, {}, nullptr);
        source.setDeliveryInterval(60'000); // nobody drains: the queue must hold its bound
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        QByteArray lines;
        const int messages = 3000;
        for (int i = 0; i < messages; ++i)
            lines += "{\"v\":" + QByteArray::number(i) + "}\n";
        QStringList args = m_broker.clientArgs(Listener::Mtls, QStringLiteral("publisher"));
        args << QStringLiteral("-t") << prefix + QStringLiteral("/FLOOD") << QStringLiteral("-l");
        const auto run = m_broker.runTool(QStringLiteral("mosquitto_pub"), args, 20'000, lines);
        QVERIFY2(run.ok(), qPrintable(run.describe()));
        QTRY_COMPARE_WITH_TIMEOUT(source.counters().received, quint64(messages), 10'000);
        QCOMPARE(source.counters().dropped, quint64(messages - 100));
        Collector collector;
        collector.attach(source);
        source.deliverNow();
        QCOMPARE(collector.samples.size(), 100u);
        // The newest survive: the oldest telemetry is what gets dropped.
        QCOMPARE(std::get<double>(collector.samples.back().value), double(messages - 1));
        QCOMPARE(std::get<double>(collector.samples.front().value), double(messages - 100));
    }

    void sparkplugThroughTheBroker()
    {
        if (QStringLiteral(SPARKPLUG_PYTHON).isEmpty())
            QSKIP("no python3 with protobuf (python3-protobuf) to encode Sparkplug payloads");
        BackendSettings s = settings(Listener::Mtls, QStringLiteral("client"));
        s.subscriptions = {{QStringLiteral("spBv1.0/boiler/#"), PayloadFormat::Sparkplug, {}, 0}};
        MqttSource source(s, {}, nullptr);
        Collector collector;
        collector.attach(source);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(source.presence(), Presence::Present, 10'000);
        const QList<QByteArray> p = encodeSparkplug(
            "[{\"timestamp\":1764100000000,\"seq\":0,\"metrics\":["
            "{\"name\":\"bdSeq\",\"datatype\":\"Int64\",\"value\":0},"
            "{\"name\":\"DM-TIT01\",\"alias\":1,\"datatype\":\"Double\",\"value\":21.5}]},"
            "{\"timestamp\":1764100001000,\"seq\":1,\"metrics\":[{\"alias\":1,\"datatype\":\"Double\",\"value\":22.5}]}"
            ","
            "{\"timestamp\":1764100002000,\"seq\":3,\"metrics\":[{\"alias\":1,\"datatype\":\"Double\",\"value\":23.5}]}"
            ","
            "{\"timestamp\":1764100003000,\"metrics\":[{\"name\":\"bdSeq\",\"datatype\":\"Int64\",\"value\":0}]}]");
        QCOMPARE(p.size(), 4);
        const QString node = QStringLiteral("spBv1.0/boiler/%1/edge1");
        QVERIFY(!m_broker.publish(node.arg(QStringLiteral("NBIRTH")), p[0]));
        QVERIFY(!m_broker.publish(node.arg(QStringLiteral("NDATA")), p[1]));
        QTRY_VERIFY_WITH_TIMEOUT(collector.last(QStringLiteral("DM-TIT01")) &&
                                     std::get<double>(collector.last(QStringLiteral("DM-TIT01"))->value) == 22.5,
                                 10'000);
        QCOMPARE(collector.last(QStringLiteral("DM-TIT01"))->quality, Quality::Good);
        QCOMPARE(collector.last(QStringLiteral("DM-TIT01"))->sourceTimeMs, 1764100001000);

        // A seq gap: the data is uncertain and the workstation asks the node, through the broker,
        // to publish its births again.
        const auto ncmd = m_broker.subscribeOnce(node.arg(QStringLiteral("NCMD")), 15'000, [&] {
            QVERIFY(!m_broker.publish(node.arg(QStringLiteral("NDATA")), p[2]));
        });
        QVERIFY2(ncmd.payload, qPrintable(ncmd.run.describe()));
        QVERIFY(ncmd.payload->contains("Node Control/Rebirth"));
        QTRY_VERIFY_WITH_TIMEOUT(std::get<double>(collector.last(QStringLiteral("DM-TIT01"))->value) == 23.5, 10'000);
        QCOMPARE(collector.last(QStringLiteral("DM-TIT01"))->quality, Quality::Uncertain);

        // The node's death makes its tags stale.
        QVERIFY(!m_broker.publish(node.arg(QStringLiteral("NDEATH")), p[3]));
        QTRY_COMPARE_WITH_TIMEOUT(collector.last(QStringLiteral("DM-TIT01"))->quality, Quality::Stale, 10'000);
    }

private:
    BackendSettings settings(Listener listener, const QString& cert) const
    {
        BackendSettings s;
        s.id = QStringLiteral("test");
        s.url = QUrl(QStringLiteral("mqtts://localhost:%1").arg(m_broker.port(listener)));
        s.clientId = QStringLiteral("tst-mqttsource-%1").arg(QDateTime::currentMSecsSinceEpoch() % 100000);
        s.tls.caFile = m_broker.pkiPath(QStringLiteral("ca.crt"));
        if (!cert.isEmpty()) {
            s.tls.certFile = m_broker.pkiPath(cert + QStringLiteral(".crt"));
            s.tls.keyFile = m_broker.pkiPath(cert + QStringLiteral(".key"));
        }
        s.connectTimeoutMs = 5000;
        s.subscriptions.append({prefix + QStringLiteral("/+"), PayloadFormat::Json, QStringLiteral("{1}"), 0});
        return s;
    }

    MosquittoBroker m_broker;
};

QTEST_GUILESS_MAIN(TestMqttSource)
#include "tst_mqttsource.moc"
