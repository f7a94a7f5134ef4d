// SPDX-License-Identifier: Apache-2.0
// The workstation executable: reads the command line, picks the settings location, wires the
// main window, and either runs interactively or renders one screenshot and exits.
#include "audit/auditlog.h"
#include "identity/session.h"
#include "commandline.h"
#include "mainwindow.h"
#include "plant/plantloader.h"
#include "screenshotjob.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"
#include "twinview.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <pwd.h>
#include <unistd.h>
#include <memory>

namespace {

constexpr char kDemoPlant[] = ":/plants/demo-boiler.plant.json";

void printLine(FILE* stream, const QString& text)
{
    std::fputs(qPrintable(text + QLatin1Char('\n')), stream);
}

/// Until operators log in (the identity issue), actions are attributed to the OS account.
QString osUser()
{
    if (const passwd* pw = ::getpwuid(::geteuid()))
        return QString::fromLocal8Bit(pw->pw_name);
    return QStringLiteral("uid-%1").arg(::geteuid());
}

QStringList argumentList(int argc, char** argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

int runScreenshot(twinspect::ui::MainWindow& window, const twinspect::app::CommandLine& options,
                  const QString& plantPath)
{
    const twinspect::PlantLoadResult result = twinspect::PlantLoader::loadFile(plantPath);
    if (!result.ok()) {
        printLine(stderr, result.report());
        return 1;
    }
    for (const twinspect::PlantDiagnostic& d : result.diagnostics)
        printLine(stderr, d.toString());
    window.setPlant(std::make_shared<const twinspect::Plant>(*result.plant), result.diagnostics);
    if (!options.selectId.isEmpty()) {
        if (result.plant->assetIndex(options.selectId) < 0 &&
            std::none_of(result.plant->pipes.cbegin(), result.plant->pipes.cend(),
                         [&](const twinspect::Pipe& p) { return p.id == options.selectId; })) {
            printLine(stderr, QStringLiteral("twinspect: --select: no asset or pipe '%1' in %2")
                                  .arg(options.selectId, plantPath));
            return 2;
        }
        window.selectItem(options.selectId);
    }
    QObject::connect(window.twinView(), &twinspect::scenes::TwinView::meshFailed, &window,
                     [](const QString& id, const QString& message) {
                         printLine(stderr, QStringLiteral("twinspect: asset %1 is shown as a placeholder: %2").arg(id, message));
                     });
    window.show();
    // With a data folder that has backends, the screenshot shows live values: wait (up to 15 s)
    // until the selected asset's tags have arrived, so the picture shows the feed, not "no data".
    std::unique_ptr<twinspect::telemetry::TelemetryHub> telemetry;
    const QString dataDir = options.dataDir.isEmpty() ? QString() : QDir(options.dataDir).absolutePath();
    if (!dataDir.isEmpty() && QFileInfo::exists(QDir(dataDir).filePath(QStringLiteral("backends.json")))) {
        telemetry = std::make_unique<twinspect::telemetry::TelemetryHub>(dataDir);
        window.setTelemetry(telemetry.get());
        if (auto loaded = telemetry->load(); !loaded)
            printLine(stderr, QStringLiteral("twinspect: telemetry backends not loaded: ") + loaded.error().message);
    }
    const auto feedArrived = [&] {
        if (!telemetry)
            return true;
        const twinspect::Asset* asset = result.plant->asset(options.selectId);
        if (!asset || asset->tags.isEmpty())
            return telemetry->tagStore()->tagCount() > 0;
        return std::all_of(asset->tags.cbegin(), asset->tags.cend(), [&](const twinspect::TagBinding& tag) {
            const auto* state = telemetry->tagStore()->state(tag.tagId);
            return state && state->hasValue();
        });
    };
    twinspect::ui::ScreenshotJob job(&window, {options.screenshotPath, options.windowScreenshotPath, options.size});
    int exitCode = 0;
    QObject::connect(&job, &twinspect::ui::ScreenshotJob::finished, qApp, [&](const QString& error, qint64 ms) {
        if (error.isEmpty()) {
            printLine(stdout, QStringLiteral("screenshot: %1 (%2x%3, %4 ms)")
                                  .arg(QFileInfo(options.screenshotPath).absoluteFilePath())
                                  .arg(options.size.width())
                                  .arg(options.size.height())
                                  .arg(ms));
        } else {
            printLine(stderr, QStringLiteral("twinspect: ") + error);
            exitCode = 3;
        }
        QApplication::exit(exitCode);
    });
    QTimer feedWait;
    QElapsedTimer waited;
    waited.start();
    QObject::connect(&feedWait, &QTimer::timeout, &job, [&] {
        if (!feedArrived() && waited.elapsed() < 15'000)
            return;
        feedWait.stop();
        if (telemetry)
            printLine(stdout, QStringLiteral("telemetry: %1 (%2 tags live)")
                                  .arg(window.telemetryStatusText())
                                  .arg(telemetry->tagStore()->tagCount()));
        job.start();
    });
    feedWait.start(100);
    QApplication::exec();
    if (telemetry)
        telemetry->stopAll();
    return exitCode;
}

} // namespace

int main(int argc, char** argv)
{
    using twinspect::app::CommandLine;
    const CommandLine options = twinspect::app::parseCommandLine(argumentList(argc, argv));
    if (!options.error.isEmpty()) {
        printLine(stderr, QStringLiteral("twinspect: ") + options.error);
        printLine(stderr, QStringLiteral("Try 'twinspect --help'."));
        return 2;
    }
    if (options.showHelp) {
        printLine(stdout, options.helpText);
        return 0;
    }
    if (options.showVersion) {
        printLine(stdout, QStringLiteral("twinspect %1").arg(QLatin1String(TWINSPECT_VERSION)));
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Twinspect"));
    QApplication::setApplicationName(QStringLiteral("Twinspect"));
    QApplication::setApplicationVersion(QStringLiteral(TWINSPECT_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/twinspect.png")));

    const QString dataDir = options.dataDir.isEmpty()
                                ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                : QDir(options.dataDir).absolutePath();
    if (!QDir().mkpath(dataDir)) {
        printLine(stderr, QStringLiteral("twinspect: cannot create the data folder %1").arg(dataDir));
        return 2;
    }
    // With --data-dir everything, settings included, stays inside that folder (tests, kiosks).
    std::unique_ptr<QSettings> settings =
        options.dataDir.isEmpty() ? std::make_unique<QSettings>()
                                  : std::make_unique<QSettings>(QDir(dataDir).filePath(QStringLiteral("settings.ini")),
                                                                QSettings::IniFormat);

    const bool screenshotMode = !options.screenshotPath.isEmpty();
    // A screenshot uses the default layout, so a saved maximised window cannot change its size.
    twinspect::ui::MainWindow window(screenshotMode ? nullptr : settings.get());
    window.twinView()->setCacheDirectory(options.dataDir.isEmpty() ? QString()
                                                                   : QDir(dataDir).filePath(QStringLiteral("cache")));
    if (screenshotMode) {
        const QString plantPath = options.plantPath.isEmpty() ? QString::fromLatin1(kDemoPlant) : options.plantPath;
        return runScreenshot(window, options, plantPath);
    }

    QString plantPath = options.plantPath;
    if (plantPath.isEmpty()) {
        const QString last = settings->value(QStringLiteral("plant/last")).toString();
        plantPath = !last.isEmpty() && QFileInfo::exists(last) ? last : QString::fromLatin1(kDemoPlant);
    }
    // The signed audit log lives in the data folder, beside its key file and enrolment key.
    twinspect::audit::AuditLog::Options auditOptions;
    auditOptions.databasePath = QDir(dataDir).filePath(QStringLiteral("audit.db"));
    twinspect::audit::AuditLog auditLog(auditOptions);
    window.setAuditLog(&auditLog, osUser(), QStringLiteral("local"));
    window.recordAction(QStringLiteral("app.start"), QApplication::applicationVersion());

    if (!options.selectId.isEmpty()) {
        QObject::connect(&window, &twinspect::ui::MainWindow::plantLoaded, &window,
                         [&window, id = options.selectId] {
                             window.selectItem(id);
                             if (window.selectedItem() != id)
                                 printLine(stderr, QStringLiteral("twinspect: --select: no asset or pipe '%1'").arg(id));
                         });
    }
    QObject::connect(&window, &twinspect::ui::MainWindow::plantLoadFailed, &window,
                     [](const QString& path, const QString& report) {
                         printLine(stderr, QStringLiteral("twinspect: %1 was not loaded:").arg(path));
                         printLine(stderr, report);
                     });
    // Operators log in before they can do anything; the plant is already on screen behind the dialog.
    // Site policy lives in the settings (docs/roles.md); the defaults are the documented ones.
    twinspect::identity::SessionManager::Options sessionOptions;
    sessionOptions.users.path = QDir(dataDir).filePath(QStringLiteral("users.db"));
    const auto setting = [&settings](const char* key, qint64 fallback) {
        const qint64 value = settings->value(QLatin1String(key), fallback).toLongLong();
        return value > 0 ? value : fallback;
    };
    sessionOptions.idleLockMs = setting("security/idleLockMinutes", 10) * 60 * 1000;
    sessionOptions.users.lockout.maxFailures = static_cast<int>(setting("security/maxFailedLogins", 5));
    sessionOptions.users.lockout.windowMs = setting("security/failureWindowMinutes", 15) * 60 * 1000;
    sessionOptions.users.lockout.lockMs = setting("security/lockoutMinutes", 15) * 60 * 1000;
    sessionOptions.users.policy.minLength = static_cast<int>(setting("security/minPasswordLength", 12));
    sessionOptions.users.policy.historyDepth = static_cast<int>(setting("security/passwordHistory", 5));
    twinspect::identity::SessionManager session(sessionOptions, &auditLog);
    // Live telemetry: backends.json and the secret store in the data folder (docs/backends.md).
    twinspect::telemetry::TelemetryHub telemetry(dataDir);
    window.setTelemetry(&telemetry);
    if (auto loaded = telemetry.load(); !loaded) {
        // The file is left as it is (nothing is lost); the workstation runs without live values.
        printLine(stderr, QStringLiteral("twinspect: telemetry backends not loaded: ") + loaded.error().message);
        window.setTelemetryLoadError(loaded.error().message);
    }
    window.show();
    window.openStartupPlant(plantPath);
    window.setSession(&session);
    const int code = QApplication::exec();
    telemetry.stopAll();
    session.logout();
    window.detachSession();
    window.recordAction(QStringLiteral("app.stop"), QApplication::applicationVersion());
    return code; // ~AuditLog seals what is left with a last checkpoint (clean shutdown)
}
