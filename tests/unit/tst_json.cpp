// SPDX-License-Identifier: Apache-2.0
#include "plant/json.h"

#include <QTest>

using twinspect::json::Value;

class TestJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesValuesWithPositions()
    {
        const QByteArray text = "{\n  \"a\": [1, 2.5e1, -0.25],\n  \"b\": {\"c\": \"x\\u00e9\\ud83d\\ude00\\n\"},\n"
                                "  \"t\": true, \"f\": false, \"n\": null\n}";
        const auto result = twinspect::json::parse(text);
        QVERIFY2(result.ok, qPrintable(result.error.message));
        const Value* a = result.root.find(u"a");
        QVERIFY(a && a->isArray());
        QCOMPARE(a->array.size(), size_t(3));
        QCOMPARE(a->array[1].number, 25.0);
        QCOMPARE(a->array[2].number, -0.25);
        QCOMPARE(a->line, 2);
        QCOMPARE(a->column, 8);
        const Value* c = result.root.find(u"b")->find(u"c");
        QCOMPARE(c->string, QStringLiteral("xé😀\n"));
        QCOMPARE(c->line, 3);
        QVERIFY(result.root.find(u"t")->boolean);
        QVERIFY(!result.root.find(u"f")->boolean);
        QVERIFY(result.root.find(u"n")->isNull());
    }

    void rejectsMalformedInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("trailing comma") << QByteArray("[1,\n 2,\n]") << 3 << 1 << QStringLiteral("expected a value");
        QTest::newRow("comment") << QByteArray("{// no\n}") << 1 << 2 << QStringLiteral("quoted member name");
        QTest::newRow("NaN") << QByteArray("[NaN]") << 1 << 2 << QStringLiteral("unexpected character 'N'");
        QTest::newRow("leading zero") << QByteArray("[01]") << 1 << 3 << QStringLiteral("expected ',' or ']'");
        QTest::newRow("huge number") << QByteArray("[1e999]") << 1 << 2 << QStringLiteral("out of range");
        QTest::newRow("duplicate key") << QByteArray("{\"a\": 1,\n \"a\": 2}") << 2 << 2
                                       << QStringLiteral("duplicate member name \"a\"");
        QTest::newRow("unterminated string") << QByteArray("[\"abc") << 1 << 6 << QStringLiteral("unterminated");
        QTest::newRow("control char") << QByteArray("[\"a\tb\"]") << 1 << 4 << QStringLiteral("control character");
        QTest::newRow("lone surrogate") << QByteArray("[\"\\ud800\"]") << 1 << 9 << QStringLiteral("unpaired surrogate");
        QTest::newRow("bad escape") << QByteArray("[\"\\q\"]") << 1 << 5 << QStringLiteral("invalid escape");
        QTest::newRow("two documents") << QByteArray("{} {}") << 1 << 4 << QStringLiteral("after the JSON document");
        QTest::newRow("empty") << QByteArray("") << 1 << 1 << QStringLiteral("unexpected end of file");
        QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << 1 << 6 << QStringLiteral("expected ':'");
    }

    void rejectsMalformedInput()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto result = twinspect::json::parse(text);
        QVERIFY(!result.ok);
        QVERIFY2(result.error.message.contains(message), qPrintable(result.error.message));
        QCOMPARE(result.error.line, line);
        QCOMPARE(result.error.column, column);
    }

    void deepNestingIsAnErrorNotACrash()
    {
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        const auto result = twinspect::json::parse(deep);
        QVERIFY(!result.ok);
        QVERIFY(result.error.message.contains(QStringLiteral("nesting deeper")));
    }

    void acceptsByteOrderMark()
    {
        const auto result = twinspect::json::parse(QByteArray("\xEF\xBB\xBF{\"a\": 1}"));
        QVERIFY(result.ok);
        QCOMPARE(result.root.find(u"a")->column, 7);
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"
