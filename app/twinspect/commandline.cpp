// SPDX-License-Identifier: Apache-2.0
#include "commandline.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace twinspect::app {

CommandLine parseCommandLine(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Twinspect — a 3D plant twin with authenticated telemetry."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version and exit."));
    const QCommandLineOption plant(QStringLiteral("plant"), QStringLiteral("Plant file to open (default: the last plant, else the demo plant;\n"
                                                  "with --screenshot: the demo plant)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Folder for settings and data (default: the user's data folder)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the plant, save the 3D view as PNG and exit."),
                                        QStringLiteral("OUT.png"));
    const QCommandLineOption windowShot(QStringLiteral("window-screenshot"),
                                        QStringLiteral("With --screenshot: also save the whole window."),
                                        QStringLiteral("OUT.png"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("3D view size for --screenshot (1280x720)."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Select this asset or pipe id once the plant is loaded."),
                                    QStringLiteral("ID"));
    parser.addOptions({help, version, plant, dataDir, screenshot, windowShot, size, select});

    CommandLine result;
    result.helpText = parser.helpText();
    if (!parser.parse(arguments)) {
        result.error = parser.errorText();
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = QStringLiteral("unexpected argument '%1'; use --plant FILE").arg(parser.positionalArguments().first());
        return result;
    }
    result.showHelp = parser.isSet(help);
    result.showVersion = parser.isSet(version);
    result.plantPath = parser.value(plant);
    result.dataDir = parser.value(dataDir);
    result.screenshotPath = parser.value(screenshot);
    result.windowScreenshotPath = parser.value(windowShot);
    result.selectId = parser.value(select);
    if (parser.isSet(size)) {
        static const QRegularExpression pattern(QStringLiteral("^(\\d{2,5})x(\\d{2,5})$"));
        const QRegularExpressionMatch match = pattern.match(parser.value(size));
        if (!match.hasMatch()) {
            result.error = QStringLiteral("--size takes WIDTHxHEIGHT, e.g. 1280x720; got '%1'").arg(parser.value(size));
            return result;
        }
        result.size = QSize(match.captured(1).toInt(), match.captured(2).toInt());
    }
    if (result.screenshotPath.isEmpty() &&
        (parser.isSet(size) || parser.isSet(windowShot))) {
        result.error = QStringLiteral("--size and --window-screenshot only apply with --screenshot");
    }
    return result;
}

} // namespace twinspect::app
