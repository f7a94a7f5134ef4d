// SPDX-License-Identifier: Apache-2.0
// The twinspect executable as scripts and docs use it: --version, --screenshot, bad input.
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run twinspect(const QStringList& arguments, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(TWINSPECT_BINARY), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return Run{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
               QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestTwinspectCli : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void versionWorksWithoutADisplay()
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(TWINSPECT_BINARY), {QStringLiteral("--version")});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(QString::fromUtf8(process.readAllStandardOutput()).startsWith(QStringLiteral("twinspect 0.")));
    }

    void screenshotOfTheDemoPlant()
    {
        const Run run = twinspect({QStringLiteral("--data-dir"), path("data"), QStringLiteral("--screenshot"),
                                   path("demo.png"), QStringLiteral("--size"), QStringLiteral("800x500"),
                                   QStringLiteral("--select"), QStringLiteral("TK02")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("demo.png")));
        const QImage image(path("demo.png"));
        QCOMPARE(image.size(), QSize(800, 500));
        int highlighted = 0;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2) {
                const QColor c(image.pixel(x, y));
                if (c.blue() > 90 && c.blue() > c.red() * 2 && c.blue() > c.green() + 30) // the blue selection
                    ++highlighted;
            }
        }
        QVERIFY2(highlighted > 20, "the selected tank is highlighted in the screenshot");
    }

    void aBrokenPlantExitsNonZeroWithTheErrorOnStderr()
    {
        QFile bad(path("bad.plant.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\n  \"format\": \"twinspect-plant\",\n  \"version\": 1,\n  \"site\": {\"id\": \"s\",\n    "
                  "\"areas\": [{\"id\": "
                  "\"a\", \"units\": [{\"id\": \"u\", \"assets\": [{\"id\": \"A\", \"type\": \"pump\", \"geometry\": "
                  "{\"primitive\": \"sphere\", \"radius\": \"big\"}}]}]}]}\n}\n");
        bad.close();
        const Run run = twinspect({QStringLiteral("--data-dir"), path("data"), QStringLiteral("--plant"),
                                   path("bad.plant.json"), QStringLiteral("--screenshot"), path("never.png")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("bad.plant.json:5:")) &&
                     run.err.contains(QStringLiteral("geometry.radius: expected a number, got a string")),
                 qPrintable(run.err));
        QVERIFY(!QFile::exists(path("never.png")));
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad size") << QStringList{QStringLiteral("--screenshot"), path("x.png"),
                                                 QStringLiteral("--size"), QStringLiteral("big")}
                                  << QStringLiteral("--size takes WIDTHxHEIGHT");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
        QTest::newRow("unknown select") << QStringList{QStringLiteral("--data-dir"),   path("data"),
                                                       QStringLiteral("--screenshot"), path("x.png"),
                                                       QStringLiteral("--select"),     QStringLiteral("NOPE")}
                                        << QStringLiteral("no asset or pipe 'NOPE'");
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Run run = twinspect(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestTwinspectCli)
#include "tst_twinspect_cli.moc"
