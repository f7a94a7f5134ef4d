// SPDX-License-Identifier: Apache-2.0
// Writes synthetic plant files for benchmarks and tests: twinspect-plantgen --count N --out FILE
#include "plant/plantgenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinspect-plantgen"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Generate a synthetic Twinspect plant file."));
    parser.addHelpOption();
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Number of assets (default 1000)."),
                                   QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption pipes(QStringLiteral("pipes"),
                                   QStringLiteral("Fraction of assets piped to a neighbour, 0..1 (default 0.2)."),
                                   QStringLiteral("F"), QStringLiteral("0.2"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Output file (default: standard output)."),
                                 QStringLiteral("FILE"));
    parser.addOptions({count, seed, pipes, out});
    parser.process(app);

    bool countOk = false;
    bool seedOk = false;
    bool pipesOk = false;
    twinspect::PlantGeneratorOptions options;
    options.assetCount = parser.value(count).toInt(&countOk);
    options.seed = parser.value(seed).toUInt(&seedOk);
    options.pipeFraction = parser.value(pipes).toDouble(&pipesOk);
    if (!countOk || options.assetCount < 0 || options.assetCount > 5'000'000) {
        std::fprintf(stderr, "twinspect-plantgen: --count must be an integer from 0 to 5000000\n");
        return 2;
    }
    if (!seedOk || !pipesOk || options.pipeFraction < 0 || options.pipeFraction > 1) {
        std::fprintf(stderr, "twinspect-plantgen: --seed must be an unsigned integer and --pipes a number in 0..1\n");
        return 2;
    }
    const QByteArray json = twinspect::generatePlantJson(options);
    if (!parser.isSet(out)) {
        std::fwrite(json.constData(), 1, static_cast<size_t>(json.size()), stdout);
        return 0;
    }
    QSaveFile file(parser.value(out));
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit()) {
        std::fprintf(stderr, "twinspect-plantgen: cannot write %s: %s\n", qPrintable(parser.value(out)),
                     qPrintable(file.errorString()));
        return 1;
    }
    return 0;
}
