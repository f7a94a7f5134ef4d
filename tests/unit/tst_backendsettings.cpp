// SPDX-License-Identifier: Apache-2.0
// backends.json (docs/backends.md) and the secret store: errors with file, line and field; paths
// resolved against the file; a round trip that loses nothing; secrets kept in a 0600 file.
#include "telemetry/backendsettings.h"
#include "telemetry/secretstore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect::telemetry;

namespace {

QByteArray readExample()
{
    QFile file(QStringLiteral(TWINSPECT_TEST_DATA "/telemetry/backends.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const QByteArray example = readExample();

} // namespace

class TestBackendSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesAndResolvesPaths()
    {
        auto parsed = parseBackendSettings(example, QStringLiteral("backends.json"), QStringLiteral("/etc/twinspect"));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
        const BackendSettings& b = parsed.value().at(0);
        QCOMPARE(b.id, QStringLiteral("plant-broker"));
        QCOMPARE(b.host(), QStringLiteral("broker.plant.example"));
        QCOMPARE(b.port(), 8883);
        QCOMPARE(b.mqttVersion, BackendSettings::MqttVersion::V5);
        QCOMPARE(b.tls.caFile, QStringLiteral("/etc/twinspect/pki/ca.crt"));
        QCOMPARE(b.subscriptions.size(), 2);
        QCOMPARE(b.subscriptions.at(1).format, PayloadFormat::Sparkplug);
        QCOMPARE(b.subscriptions.at(1).qos, 1);
        QVERIFY(b.signatures.required);
        QCOMPARE(b.signatures.trustFile, QStringLiteral("/etc/twinspect/trusted-publishers.json"));
        QCOMPARE(validateBackend(b), QString());
    }

    void roundTripLosesNothing()
    {
        const auto first = parseBackendSettings(example, QStringLiteral("a.json"), QStringLiteral("/x")).value();
        const auto second =
            parseBackendSettings(serializeBackendSettings(first), QStringLiteral("b.json"), QStringLiteral("/y"));
        QVERIFY(second.ok());
        const BackendSettings& a = first.at(0);
        const BackendSettings& b = second.value().at(0);
        QCOMPARE(b.tls.caFile, a.tls.caFile); // absolute paths stay where they were
        QCOMPARE(b.username, a.username);
        QCOMPARE(b.subscriptions.at(0).tagTemplate, a.subscriptions.at(0).tagTemplate);
        QCOMPARE(b.expectedPeriodMs, a.expectedPeriodMs);
        QCOMPARE(b.signatures.trustFile, a.signatures.trustFile);
        QCOMPARE(serializeBackendSettings(second.value()), serializeBackendSettings(first));
    }

    void errorsNameFileLineAndField_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax") << QByteArray("{\n\"format\": }") << QStringLiteral("backends.json:2:");
        QTest::newRow("unknown key") << QByteArray("{\"format\":\"twinspect-backends\",\"version\":1,\"backends\":[\n"
                                                   "{\"id\":\"a\",\"url\":\"mqtts://h\",\"passwrd\":\"x\"}]}")
                                     << QStringLiteral("backends.json:2:") +
                                            QStringLiteral("39: error: $.backends[0].passwrd: unknown setting");
        QTest::newRow("bad qos") << QByteArray(
                                        "{\"format\":\"twinspect-backends\",\"version\":1,\"backends\":[{\"id\":\"a\","
                                        "\"url\":\"mqtts://h\",\"subscriptions\":[{\"topic\":\"t\",\"qos\":2}]}]}")
                                 << QStringLiteral(
                                        "$.backends[0].subscriptions[0].qos: expected a whole number from 0 to 1");
        QTest::newRow("duplicate id")
            << QByteArray("{\"format\":\"twinspect-backends\",\"version\":1,\"backends\":["
                          "{\"id\":\"a\",\"url\":\"mqtts://h\"},{\"id\":\"a\",\"url\":\"mqtts://h\"}]}")
            << QStringLiteral("backend id \"a\" is used twice");
        QTest::newRow("wrong format") << QByteArray("{\"format\":\"plant\",\"version\":1}")
                                      << QStringLiteral("$.format");
        QTest::newRow("signatures without trust")
            << QByteArray(
                   "{\"format\":\"twinspect-backends\",\"version\":1,\"backends\":[{\"id\":\"a\",\"url\":\"mqtts://h\","
                   "\"signatures\":{\"required\":true}}]}")
            << QStringLiteral("signatures.trustFile");
    }

    void errorsNameFileLineAndField()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const auto parsed = parseBackendSettings(text, QStringLiteral("backends.json"), QStringLiteral("/"));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.contains(expected), qPrintable(parsed.error().message));
    }

    void validationFailsClosed()
    {
        BackendSettings b = parseBackendSettings(example, QStringLiteral("a.json"), QStringLiteral("/x")).value().at(0);
        b.url = QUrl(QStringLiteral("mqtt://broker:1883"));
        QVERIFY(validateBackend(b).contains(u"not a TLS URL"));
        b.url = QUrl(QStringLiteral("mqtts://broker:8883"));
        b.tls.caFile.clear();
        QVERIFY(validateBackend(b).contains(u"no CA file"));
        b.tls.useSystemStore = true;
        QCOMPARE(validateBackend(b), QString());
        b.tls.keyFile.clear();
        QVERIFY(validateBackend(b).contains(u"both tls.certFile and tls.keyFile"));
    }

    void savesAtomically()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("backends.json"));
        const auto backends = parseBackendSettings(example, QStringLiteral("a.json"), dir.path()).value();
        QVERIFY(saveBackendSettings(path, backends).ok());
        const auto loaded = loadBackendSettings(path);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.value().at(0).name, QStringLiteral("Plant broker"));
    }

    void secretStoreIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        {
            auto store = SecretStore::open(path);
            QVERIFY(store.ok());
            QVERIFY(store.value().set(QStringLiteral("plant-broker/password"), QStringLiteral("s3cret-Value")).ok());
        }
        QCOMPARE(QFile::permissions(path) &
                     ~(QFile::ReadUser | QFile::WriteUser | QFile::ReadOwner | QFile::WriteOwner),
                 QFile::Permissions());
        auto reopened = SecretStore::open(path);
        QVERIFY(reopened.ok());
        QCOMPARE(reopened.value().value(QStringLiteral("plant-broker/password")), QStringLiteral("s3cret-Value"));
        QVERIFY(reopened.value().remove(QStringLiteral("plant-broker/password")).ok());
        QVERIFY(!SecretStore::open(path).value().contains(QStringLiteral("plant-broker/password")));
    }

    void secretStoreRefusesReadableFileWithoutShowingIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"secrets\":{\"a/password\":\"hunter2-secret\"}}");
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
        const auto store = SecretStore::open(path);
        QVERIFY(!store.ok());
        QVERIFY(store.error().message.contains(u"chmod 600"));
        QVERIFY(!store.error().message.contains(u"hunter2"));
        // A damaged store is reported, not silently replaced.
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"secrets\": \"hunter2-secret");
        file.close();
        const auto damaged = SecretStore::open(path);
        QVERIFY(!damaged.ok());
        QVERIFY(!damaged.error().message.contains(u"hunter2"));
    }
};

QTEST_GUILESS_MAIN(TestBackendSettings)
#include "tst_backendsettings.moc"
