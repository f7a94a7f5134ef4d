// SPDX-License-Identifier: Apache-2.0
// Rendering benchmark: frame rate, first frame, load and build time, peak memory and pick
// latency for a plant in the 3D view, under Xvfb on Mesa llvmpipe. One configuration per
// process so peak memory belongs to it. Driven by tests/bench/run.sh; results in
// docs/PERFORMANCE.md.
#include "mainwindow.h"
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"
#include "screenshotjob.h"
#include "twinview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>
#include <QWindow>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QElapsedTimer g_processClock; // started first thing in main()

double peakResidentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

/// Spins the event loop until `done` or the timeout; returns whether `done` held.
template <typename Predicate>
bool waitFor(Predicate done, int timeoutMs, int stepMs = 5)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, stepMs);
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    g_processClock.start();
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption assetsOption(QStringLiteral("assets"), QStringLiteral("Synthetic plant size."),
                                          QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption plantOption(QStringLiteral("plant"), QStringLiteral("Use this plant file instead."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption modeOption(QStringLiteral("mode"), QStringLiteral("instanced or naive."),
                                        QStringLiteral("MODE"), QStringLiteral("instanced"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Frame-rate measuring time."),
                                           QStringLiteral("S"), QStringLiteral("8"));
    const QCommandLineOption zoomOption(QStringLiteral("zoom"),
                                        QStringLiteral("Zoom factor after fit-all (0.2 = close up; culling test)."),
                                        QStringLiteral("F"), QStringLiteral("1"));
    const QCommandLineOption windowOption(QStringLiteral("main-window"),
                                          QStringLiteral("Time to first frame in the full main window."));
    parser.addOptions({assetsOption, plantOption, modeOption, secondsOption, zoomOption, windowOption});
    parser.process(app);
    const int assets = parser.value(assetsOption).toInt();
    const bool naive = parser.value(modeOption) == QLatin1String("naive");
    const double seconds = parser.value(secondsOption).toDouble();
    const QSize viewSize(1280, 720);

    // Load (parse + validate) the plant; for synthetic plants the JSON is generated first.
    QByteArray json;
    QString name = parser.value(plantOption);
    if (name.isEmpty()) {
        twinspect::PlantGeneratorOptions options;
        options.assetCount = assets;
        options.pipeFraction = 0; // N assets means N drawn items
        json = twinspect::generatePlantJson(options);
        name = QStringLiteral("synthetic-%1").arg(assets);
    } else {
        QFile file(name);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", qPrintable(name));
            return 2;
        }
        json = file.readAll();
    }
    QElapsedTimer clock;
    clock.start();
    twinspect::PlantLoadResult loaded = twinspect::PlantLoader::loadBytes(json, name, QString());
    const double loadMs = double(clock.nsecsElapsed()) / 1e6;
    if (!loaded.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.report()));
        return 1;
    }
    auto plant = std::make_shared<const twinspect::Plant>(std::move(*loaded.plant));

    std::unique_ptr<twinspect::ui::MainWindow> mainWindow;
    std::unique_ptr<twinspect::scenes::TwinView> ownView;
    twinspect::scenes::TwinView* view = nullptr;
    clock.restart();
    if (parser.isSet(windowOption)) {
        mainWindow = std::make_unique<twinspect::ui::MainWindow>(nullptr);
        view = mainWindow->twinView();
        mainWindow->setPlant(plant, loaded.diagnostics);
        mainWindow->show();
    } else {
        ownView = std::make_unique<twinspect::scenes::TwinView>();
        view = ownView.get();
        view->setBuildMode(naive ? twinspect::scenes::TwinView::BuildMode::Naive
                                 : twinspect::scenes::TwinView::BuildMode::Instanced);
        view->window()->resize(viewSize);
        view->setPlant(plant);
        view->window()->show();
    }
    const double buildMs = double(clock.nsecsElapsed()) / 1e6;

    // First frame: the first grab that shows more than the clear colour.
    if (!waitFor([&] { return twinspect::ui::ScreenshotJob::hasContent(view->grabFrame()); }, 300000)) {
        std::fprintf(stderr, "no frame within 300 s\n");
        return 3;
    }
    const double firstFrameMs = double(g_processClock.nsecsElapsed()) / 1e6;

    const double zoom = parser.value(zoomOption).toDouble();
    view->fitAll(false);
    if (zoom != 1.0)
        view->zoom(float(zoom));

    // Frame rate: render continuously while the camera orbits, as a user dragging would.
    int frames = 0;
    QObject::connect(view, &twinspect::scenes::TwinView::frameTicked, view, [&] {
        ++frames;
        view->orbit(0.5f, 0);
    });
    view->setContinuousRendering(true);
    waitFor([] { return false; }, 1000); // warm-up
    frames = 0;
    clock.restart();
    waitFor([] { return false; }, int(seconds * 1000));
    const double fps = frames / (double(clock.nsecsElapsed()) / 1e9);
    view->setContinuousRendering(false);

    // Pick latency: rays through random pixels of the view.
    std::vector<double> picks;
    QRandomGenerator random(7);
    int hits = 0;
    for (int i = 0; i < 200; ++i) {
        const QPointF pixel(random.bounded(viewSize.width()), random.bounded(viewSize.height()));
        clock.restart();
        hits += view->itemAt(pixel).isEmpty() ? 0 : 1;
        picks.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(picks.begin(), picks.end());

    QJsonObject result{
        {QStringLiteral("plant"), name},
        {QStringLiteral("items"), int(plant->assets.size() + plant->pipes.size())},
        {QStringLiteral("mode"), naive ? QStringLiteral("naive") : QStringLiteral("instanced")},
        {QStringLiteral("zoom"), zoom},
        {QStringLiteral("load_ms"), loadMs},
        {QStringLiteral("build_ms"), buildMs},
        {QStringLiteral("first_frame_ms"), firstFrameMs},
        {QStringLiteral("fps"), fps},
        {QStringLiteral("peak_mib"), peakResidentMiB()},
        {QStringLiteral("pick_median_ms"), picks[picks.size() / 2]},
        {QStringLiteral("pick_max_ms"), picks.back()},
        {QStringLiteral("pick_hits"), hits},
        {QStringLiteral("draw_entities"), view->drawEntityCount()},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
