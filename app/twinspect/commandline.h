// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

namespace twinspect::app {

/// What the user asked for on the command line (docs/cli.md).
struct CommandLine
{
    QString plantPath;  ///< empty: the bundled demo plant (screenshots) or the last plant (GUI)
    QString dataDir;    ///< empty: the platform's application data folder
    QString screenshotPath;
    QString windowScreenshotPath;
    QSize size{1280, 720};
    QString selectId;
    bool showVersion = false;
    bool showHelp = false;
    QString helpText;
    QString error; ///< set when the arguments cannot be used; exit code 2
};

/// Parses without a QApplication, so --version and --help work where there is no display.
CommandLine parseCommandLine(const QStringList& arguments);

} // namespace twinspect::app
