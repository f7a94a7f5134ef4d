// SPDX-License-Identifier: Apache-2.0
// twinspect-sim as a script uses it: keygen writes a private key only its owner can read and a trust
// list the workstation accepts, and never overwrites a key; bad arguments exit 2 naming the option;
// a broker that is not there fails fast with a reason a person can act on. (Publishing to a real
// broker is covered by the integration tests.)
#include "crypto/ed25519.h"
#include "telemetry/signedpayload.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace telemetry = twinspect::telemetry;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

Run sim(const QStringList& arguments, int timeoutMs = 30000)
{
    QProcess process;
    QElapsedTimer timer;
    timer.start();
    process.start(QStringLiteral(TWINSPECT_SIM), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError(), timer.elapsed()};
}

} // namespace

class TestTwinspectSim : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString path(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void keygenWritesAPrivateKeyAndATrustListTheWorkstationAccepts()
    {
        // WHEN two publishers are made into one trust list
        const QString trust = path("trust.json");
        Run run = sim({QStringLiteral("keygen"), QStringLiteral("--private"), path("a.pem"),
                       QStringLiteral("--publisher"), QStringLiteral("sim-a"), QStringLiteral("--trust"), trust});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        run = sim({QStringLiteral("keygen"), QStringLiteral("--private"), path("b.pem"), QStringLiteral("--publisher"),
                   QStringLiteral("sim-b"), QStringLiteral("--trust"), trust});
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // THEN each key is readable by its owner only, and the trust list holds both public keys
        for (const char* name : {"a.pem", "b.pem"}) {
            struct stat info = {};
            QCOMPARE(::stat(QFile::encodeName(path(name)).constData(), &info), 0);
            QCOMPARE(info.st_mode & 0777, 0600u);
        }
        const twinspect::Result<telemetry::TrustList> list = telemetry::TrustList::load(trust);
        QVERIFY2(list.ok(), list ? "" : qPrintable(list.error().message));
        QCOMPARE(list.value().size(), 2);
        QFile keyFile(path("a.pem"));
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const twinspect::Result<twinspect::crypto::Ed25519Key> key =
            twinspect::crypto::Ed25519Key::fromPem(keyFile.readAll());
        QVERIFY(key.ok() && key.value().hasPrivate());
        QVERIFY(list.value().keyFor(QStringLiteral("sim-a")));
        QCOMPARE(list.value().keyFor(QStringLiteral("sim-a"))->rawPublic(), key.value().rawPublic());
        // AND a payload signed with the private key verifies against the trust list
        const QByteArray envelope = telemetry::signPayload(key.value(), QStringLiteral("sim-a"), u"plant/x/T1", 1,
                                                           QDateTime::currentMSecsSinceEpoch(), "{\"v\":1}");
        telemetry::SignatureVerifier verifier(
            std::make_shared<telemetry::TrustList>(telemetry::TrustList::load(trust).value()), {});
        QVERIFY(verifier.verify(u"plant/x/T1", envelope, QDateTime::currentMSecsSinceEpoch()).trusted);
    }

    void keygenNeverOverwritesAKeyOrReplacesATrustedPublisher()
    {
        const QString trust = path("trust2.json");
        QVERIFY(sim({QStringLiteral("keygen"), QStringLiteral("--private"), path("c.pem"),
                     QStringLiteral("--publisher"), QStringLiteral("sim-c"), QStringLiteral("--trust"), trust})
                    .exitCode == 0);
        QFile key(path("c.pem"));
        QVERIFY(key.open(QIODevice::ReadOnly));
        const QByteArray original = key.readAll();
        key.close();
        QFile trustFile(trust);
        QVERIFY(trustFile.open(QIODevice::ReadOnly));
        const QByteArray originalTrust = trustFile.readAll();
        trustFile.close();

        // An existing key file is refused, whoever the publisher
        Run run = sim({QStringLiteral("keygen"), QStringLiteral("--private"), path("c.pem"),
                       QStringLiteral("--publisher"), QStringLiteral("sim-d"), QStringLiteral("--trust"), trust});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("already exists"), run.err.constData());
        // A publisher already trusted with another key is refused, and no new key is left behind
        run = sim({QStringLiteral("keygen"), QStringLiteral("--private"), path("d.pem"), QStringLiteral("--publisher"),
                   QStringLiteral("sim-c"), QStringLiteral("--trust"), trust});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("sim-c"), run.err.constData());
        QVERIFY(!QFileInfo::exists(path("d.pem")));

        QVERIFY(key.open(QIODevice::ReadOnly));
        QCOMPARE(key.readAll(), original);
        QVERIFY(trustFile.open(QIODevice::ReadOnly));
        QCOMPARE(trustFile.readAll(), originalTrust);
    }

    void usageErrorsExitTwoAndNameTheOption_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("named");
        const QString ca = QStringLiteral(TWINSPECT_SOURCE_DIR "/README.md"); // any readable file
        const QStringList broker{QStringLiteral("--broker"), QStringLiteral("mqtts://127.0.0.1:8883"),
                                 QStringLiteral("--ca"), ca};
        QTest::newRow("no command") << QStringList{} << QByteArray("command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QByteArray("frobnicate");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("publish"), QStringLiteral("--frobnicate")}
                                        << QByteArray("frobnicate");
        QTest::newRow("publish without --broker")
            << QStringList{QStringLiteral("publish"), QStringLiteral("--ca"), ca} << QByteArray("--broker");
        QTest::newRow("plain mqtt") << QStringList{QStringLiteral("publish"), QStringLiteral("--broker"),
                                                   QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("--ca"), ca}
                                    << QByteArray("--broker");
        QTest::newRow("missing --ca file") << QStringList{QStringLiteral("publish"), QStringLiteral("--broker"),
                                                          QStringLiteral("mqtts://127.0.0.1:8883"),
                                                          QStringLiteral("--ca"), QStringLiteral("/nonexistent/ca.crt")}
                                           << QByteArray("--ca");
        QTest::newRow("--cert without --key")
            << QStringList{QStringLiteral("publish"), QStringLiteral("--cert"), ca} + broker << QByteArray("--key");
        QTest::newRow("bad --rate") << QStringList{QStringLiteral("publish"), QStringLiteral("--rate"),
                                                   QStringLiteral("fast")} +
                                           broker
                                    << QByteArray("--rate");
        QTest::newRow("bad --qos") << QStringList{QStringLiteral("publish"), QStringLiteral("--qos"),
                                                  QStringLiteral("2")} +
                                          broker
                                   << QByteArray("--qos");
        QTest::newRow("bad --mqtt-version")
            << QStringList{QStringLiteral("publish"), QStringLiteral("--mqtt-version"), QStringLiteral("4")} + broker
            << QByteArray("--mqtt-version");
        QTest::newRow("--sign-key without --publisher")
            << QStringList{QStringLiteral("publish"), QStringLiteral("--sign-key"), ca} + broker
            << QByteArray("--publisher");
        QTest::newRow("--password-file without --username")
            << QStringList{QStringLiteral("publish"), QStringLiteral("--password-file"), ca} + broker
            << QByteArray("--username");
        QTest::newRow("replay without --map")
            << QStringList{QStringLiteral("replay"), QStringLiteral("--csv"), ca} + broker << QByteArray("--map");
        QTest::newRow("replay with a bad --map") << QStringList{QStringLiteral("replay"), QStringLiteral("--csv"), ca,
                                                                QStringLiteral("--map"), QStringLiteral("Pressure")} +
                                                        broker
                                                 << QByteArray("--map");
        QTest::newRow("flood without --rate")
            << QStringList{QStringLiteral("flood"), QStringLiteral("--duration"), QStringLiteral("1")} + broker
            << QByteArray("--rate");
        QTest::newRow("flood with fewer tags than connections")
            << QStringList{QStringLiteral("flood"), QStringLiteral("--rate"),
                           QStringLiteral("10"),    QStringLiteral("--duration"),
                           QStringLiteral("1"),     QStringLiteral("--tags"),
                           QStringLiteral("1"),     QStringLiteral("--connections"),
                           QStringLiteral("2")} +
                   broker
            << QByteArray("--tags");
        QTest::newRow("keygen without --trust")
            << QStringList{QStringLiteral("keygen"), QStringLiteral("--private"), QStringLiteral("/tmp/never.pem"),
                           QStringLiteral("--publisher"), QStringLiteral("x")}
            << QByteArray("--trust");
    }

    void usageErrorsExitTwoAndNameTheOption()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, named);
        const Run run = sim(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.startsWith("twinspect-sim: "), run.err.constData());
        QVERIFY2(run.err.contains(named), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void publishToAClosedPortFailsFastWithAReason()
    {
        // GIVEN a port nothing listens on, and a real certificate set (the check must fail at TCP,
        // not on a file)
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl is not installed");
        QProcess req;
        req.start(openssl,
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=test"), QStringLiteral("-days"), QStringLiteral("1"),
                   QStringLiteral("-keyout"), path("client.key"), QStringLiteral("-out"), path("client.crt")});
        QVERIFY(req.waitForFinished(30000) && req.exitCode() == 0);
        quint16 port = 0;
        {
            QTcpServer server;
            QVERIFY(server.listen(QHostAddress::LocalHost));
            port = server.serverPort();
        }

        // WHEN publish connects to it
        const Run run = sim({QStringLiteral("publish"), QStringLiteral("--broker"),
                             QStringLiteral("mqtts://127.0.0.1:%1").arg(port), QStringLiteral("--ca"),
                             path("client.crt"), QStringLiteral("--cert"), path("client.crt"), QStringLiteral("--key"),
                             path("client.key"), QStringLiteral("--duration"), QStringLiteral("5")});

        // THEN it exits 1 within a few seconds, saying where and why
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.elapsedMs < 8000, qPrintable(QStringLiteral("took %1 ms").arg(run.elapsedMs)));
        QVERIFY2(run.err.startsWith("twinspect-sim: cannot connect to mqtts://127.0.0.1:"), run.err.constData());
        QVERIFY2(run.err.contains(QByteArray::number(port)), run.err.constData());
        QVERIFY2(run.err.contains("refused"), run.err.constData());
        QVERIFY(!run.out.contains("sent "));
    }
};

QTEST_GUILESS_MAIN(TestTwinspectSim)
#include "tst_twinspect_sim.moc"
