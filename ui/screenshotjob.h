// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QSize>
#include <QTimer>

namespace twinspect::ui {

class MainWindow;

/// Waits until the 3D view has drawn the plant and the picture has settled, then saves it.
/// A job with a single result (finished, emitted once), so the command line can exit on it.
class ScreenshotJob : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QString viewPath;   ///< the 3D view alone
        QString windowPath; ///< the whole main window (optional)
        QSize viewSize{1280, 720};
        int timeoutMs = 30000;
    };

    ScreenshotJob(MainWindow* window, Request request, QObject* parent = nullptr);
    void start();

    /// True when an image is more than one flat colour (the view has drawn something).
    static bool hasContent(const QImage& image);

Q_SIGNALS:
    /// error is empty on success; elapsedMs is the time from start() to the saved frame.
    void finished(const QString& error, qint64 elapsedMs);

private:
    void poll();
    void fitViewSize();
    void finish(const QString& error);

    MainWindow* m_window;
    Request m_request;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QImage m_previous;
    int m_stableFrames = 0;
    bool m_done = false;
};

} // namespace twinspect::ui
