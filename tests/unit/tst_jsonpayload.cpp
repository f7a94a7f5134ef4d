// SPDX-License-Identifier: Apache-2.0
// The JSON telemetry payload (docs/telemetry-format.md) and the topic-to-tag mapping.
#include "telemetry/jsonpayload.h"

#include <QTest>

using namespace twinspect::telemetry;

class TestJsonPayload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void singleSampleWithTopicTag()
    {
        const DecodeResult r = decodeJsonPayload(R"({"ts":1764100000000,"v":12.5})", QStringLiteral("LIT01"), 42);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.samples.size(), 1u);
        const Sample& s = r.samples.front();
        QCOMPARE(s.tag, QStringLiteral("LIT01"));
        QCOMPARE(std::get<double>(s.value), 12.5);
        QCOMPARE(s.sourceTimeMs, 1764100000000);
        QCOMPARE(s.receiveTimeMs, 42);
        QCOMPARE(s.quality, Quality::Good);
        QCOMPARE(s.authenticity, Authenticity::Transport);
    }

    void payloadTagOverridesTopic()
    {
        const DecodeResult r = decodeJsonPayload(R"({"tag":"PIT02","v":true})", QStringLiteral("X"), 1);
        QVERIFY(r.ok());
        QCOMPARE(r.samples.front().tag, QStringLiteral("PIT02"));
        QCOMPARE(std::get<bool>(r.samples.front().value), true);
    }

    void batchForm()
    {
        const DecodeResult r = decodeJsonPayload(
            R"({"samples":[{"tag":"A","v":1},{"tag":"B","v":"OPEN","q":"uncertain"},{"tag":"C","v":null}]})", {}, 1);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.samples.size(), 3u);
        QCOMPARE(std::get<QString>(r.samples[1].value), QStringLiteral("OPEN"));
        QCOMPARE(r.samples[1].quality, Quality::Uncertain);
        QVERIFY(std::holds_alternative<std::monostate>(r.samples[2].value));
        QCOMPARE(r.samples[2].quality, Quality::Bad); // a null reading is not a good reading
    }

    void bareScalar()
    {
        const DecodeResult r = decodeJsonPayload("21.75", QStringLiteral("TIT01"), 7);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(std::get<double>(r.samples.front().value), 21.75);
        QCOMPARE(r.samples.front().sourceTimeMs, 0);
    }

    void isoTimeWithZone()
    {
        const DecodeResult r = decodeJsonPayload(R"({"v":1,"ts":"2026-11-26T03:00:00.250Z"})", QStringLiteral("T"), 1);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.samples.front().sourceTimeMs,
                 QDateTime(QDate(2026, 11, 26), QTime(3, 0, 0, 250), Qt::UTC).toMSecsSinceEpoch());
    }

    void errorsNameTheField_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("topicTag");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"v\":") << QStringLiteral("T") << QStringLiteral("not JSON");
        QTest::newRow("no tag") << QByteArray("{\"v\":1}") << QString() << QStringLiteral("no tag");
        QTest::newRow("no value") << QByteArray("{\"ts\":1}") << QStringLiteral("T") << QStringLiteral("no value");
        QTest::newRow("object value") << QByteArray("{\"v\":{}}") << QStringLiteral("T")
                                      << QStringLiteral("v: expected");
        QTest::newRow("local time") << QByteArray("{\"v\":1,\"ts\":\"2026-11-26T03:00:00\"}") << QStringLiteral("T")
                                    << QStringLiteral("ts: expected");
        QTest::newRow("fractional ms") << QByteArray("{\"v\":1,\"ts\":1.5}") << QStringLiteral("T")
                                       << QStringLiteral("ts:");
        QTest::newRow("claims untrusted")
            << QByteArray("{\"v\":1,\"q\":\"good-ish\"}") << QStringLiteral("T") << QStringLiteral("q: expected");
        QTest::newRow("cannot claim trust")
            << QByteArray("{\"v\":1,\"q\":\"untrusted\"}") << QStringLiteral("T") << QStringLiteral("q: expected");
        QTest::newRow("bad batch item") << QByteArray("{\"samples\":[{\"tag\":\"A\",\"v\":1},{\"tag\":\"B\"}]}")
                                        << QString() << QStringLiteral("samples[1]: no value");
        QTest::newRow("samples not array")
            << QByteArray("{\"samples\":{}}") << QString() << QStringLiteral("samples: expected");
        QTest::newRow("array root") << QByteArray("[1,2]") << QStringLiteral("T")
                                    << QStringLiteral("expected an object");
    }

    void errorsNameTheField()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, topicTag);
        QFETCH(QString, expected);
        const DecodeResult r = decodeJsonPayload(payload, topicTag, 1);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
        QVERIFY(r.samples.empty()); // a half-applied batch would be a silent loss
    }

    void roundTripThroughEncoder()
    {
        Sample s;
        s.tag = QStringLiteral("FIT-01");
        s.value = 3.25;
        s.sourceTimeMs = 1764100000123;
        s.quality = Quality::Uncertain;
        const DecodeResult r = decodeJsonPayload(encodeJsonSample(s, true), {}, 5);
        QVERIFY(r.ok());
        QCOMPARE(r.samples.front().tag, s.tag);
        QCOMPARE(std::get<double>(r.samples.front().value), 3.25);
        QCOMPARE(r.samples.front().sourceTimeMs, s.sourceTimeMs);
        QCOMPARE(r.samples.front().quality, Quality::Uncertain);
    }

    void topicMatching_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("matches");
        QTest::addColumn<QStringList>("captures");
        QTest::newRow("exact") << "a/b"
                               << "a/b" << true << QStringList{};
        QTest::newRow("plus") << "plant/+/value"
                              << "plant/LIT01/value" << true << QStringList{QStringLiteral("LIT01")};
        QTest::newRow("plus too short") << "plant/+/value"
                                        << "plant/LIT01" << false << QStringList{};
        QTest::newRow("hash") << "plant/#"
                              << "plant/a/b" << true << QStringList{QStringLiteral("a/b")};
        QTest::newRow("hash parent") << "plant/#"
                                     << "plant" << true << QStringList{QString()};
        QTest::newRow("longer topic") << "a/b"
                                      << "a/b/c" << false << QStringList{};
        QTest::newRow("two plus") << "+/x/+"
                                  << "s1/x/T2" << true << QStringList{QStringLiteral("s1"), QStringLiteral("T2")};
        QTest::newRow("hash not last") << "a/#/b"
                                       << "a/x/b" << false << QStringList{};
    }

    void topicMatching()
    {
        QFETCH(QString, filter);
        QFETCH(QString, topic);
        QFETCH(bool, matches);
        QFETCH(QStringList, captures);
        QStringList got;
        QCOMPARE(topicMatches(filter, topic, &got), matches);
        if (matches)
            QCOMPARE(got, captures);
    }

    void tagTemplates()
    {
        QCOMPARE(expandTagTemplate(QStringLiteral("{1}"), u"plant/LIT01", {QStringLiteral("LIT01")}),
                 QStringLiteral("LIT01"));
        QCOMPARE(expandTagTemplate(QStringLiteral("DM-{2}"), u"a/b/c", {QStringLiteral("b"), QStringLiteral("c")}),
                 QStringLiteral("DM-c"));
        QCOMPARE(expandTagTemplate(QStringLiteral("{topic}"), u"a/b", {}), QStringLiteral("a/b"));
        QCOMPARE(expandTagTemplate(QStringLiteral("{9}x"), u"a", {}), QStringLiteral("{9}x"));
        QCOMPARE(expandTagTemplate(QString(), u"a", {}), QString());
    }
};

QTEST_GUILESS_MAIN(TestJsonPayload)
#include "tst_jsonpayload.moc"
