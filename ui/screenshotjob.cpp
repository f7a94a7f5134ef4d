// SPDX-License-Identifier: Apache-2.0
#include "screenshotjob.h"

#include "mainwindow.h"
#include "twinview.h"

#include <QPixmap>
#include <QScreen>

namespace twinspect::ui {

ScreenshotJob::ScreenshotJob(MainWindow* window, Request request, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_request(std::move(request))
{
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &ScreenshotJob::poll);
}

void ScreenshotJob::start()
{
    m_clock.start();
    fitViewSize();
    m_timer.start();
}

bool ScreenshotJob::hasContent(const QImage& image)
{
    if (image.isNull())
        return false;
    const QRgb first = image.pixel(0, 0);
    // Sample a grid: a blank or cleared-only frame is one flat colour.
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

void ScreenshotJob::fitViewSize()
{
    const QSize current = m_window->viewWidget()->size();
    const QSize delta = m_request.viewSize - current;
    if (!delta.isNull())
        m_window->resize(m_window->size() + delta);
}

void ScreenshotJob::poll()
{
    if (m_done)
        return;
    if (m_clock.elapsed() > m_request.timeoutMs) {
        finish(QStringLiteral("the 3D view did not produce a stable picture within %1 s").arg(m_request.timeoutMs / 1000));
        return;
    }
    if (m_window->viewWidget()->size() != m_request.viewSize) {
        fitViewSize();
        return;
    }
    const QImage frame = m_window->twinView()->grabFrame();
    if (frame.size() != m_request.viewSize || !hasContent(frame) || m_window->twinView()->isCameraAnimating()) {
        m_previous = QImage();
        m_stableFrames = 0;
        return;
    }
    // Two identical grabs in a row: the renderer has caught up with the scene.
    m_stableFrames = frame == m_previous ? m_stableFrames + 1 : 0;
    m_previous = frame;
    if (m_stableFrames < 1)
        return;
    if (!frame.save(m_request.viewPath)) {
        finish(QStringLiteral("cannot write the screenshot to %1").arg(m_request.viewPath));
        return;
    }
    if (!m_request.windowPath.isEmpty()) {
        const QImage whole = m_window->screen()->grabWindow(m_window->winId()).toImage();
        if (!whole.save(m_request.windowPath)) {
            finish(QStringLiteral("cannot write the window screenshot to %1").arg(m_request.windowPath));
            return;
        }
    }
    finish({});
}

void ScreenshotJob::finish(const QString& error)
{
    m_done = true;
    m_timer.stop();
    Q_EMIT finished(error, m_clock.elapsed());
}

} // namespace twinspect::ui
