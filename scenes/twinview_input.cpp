// SPDX-License-Identifier: Apache-2.0
// TwinView's mouse and keyboard: orbit, pan, zoom, click to pick, double-click to fly, and the
// block while a session is locked.
#include "twinview.h"
#include "twinview_p.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

namespace twinspect::scenes {

bool TwinView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != d->window)
        return QObject::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::Resize:
        QTimer::singleShot(0, this, [this] { d->updateLevels(); });
        if (d->autoFit)
            QTimer::singleShot(0, this, [this] {
                if (d->autoFit) {
                    fitAll(false);
                    d->autoFit = true;
                }
            });
        return false;
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::KeyPress:
        if (!d->inputEnabled)
            return true; // a locked session: every command is blocked, the picture stays
        break;
    default:
        break;
    }
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        const auto* e = static_cast<QMouseEvent*>(event);
        d->pressPos = d->lastPos = e->position();
        d->pressButton = e->button();
        d->dragged = false;
        return true;
    }
    case QEvent::MouseMove: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (e->buttons() == Qt::NoButton)
            return false;
        const QPointF delta = e->position() - d->lastPos;
        d->lastPos = e->position();
        if ((e->position() - d->pressPos).manhattanLength() > 4)
            d->dragged = true;
        const float height = std::max(1, d->window->height());
        const bool panning =
            (e->buttons() & (Qt::RightButton | Qt::MiddleButton)) || (e->modifiers() & Qt::ShiftModifier);
        if (panning)
            pan(static_cast<float>(-delta.x()) / height, static_cast<float>(delta.y()) / height);
        else
            orbit(static_cast<float>(-delta.x()) * 0.4f, static_cast<float>(delta.y()) * 0.4f);
        return true;
    }
    case QEvent::MouseButtonRelease: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (e->button() == Qt::LeftButton && d->pressButton == Qt::LeftButton && !d->dragged)
            Q_EMIT itemClicked(itemAt(e->position()));
        if (e->button() == Qt::RightButton && d->pressButton == Qt::RightButton && !d->dragged)
            Q_EMIT contextMenuRequested(itemAt(e->position()), e->globalPosition().toPoint());
        d->pressButton = Qt::NoButton;
        return true;
    }
    case QEvent::MouseButtonDblClick: {
        const auto* e = static_cast<QMouseEvent*>(event);
        const QString id = itemAt(e->position());
        if (!id.isEmpty())
            Q_EMIT itemActivated(id);
        return true;
    }
    case QEvent::Wheel: {
        const auto* e = static_cast<QWheelEvent*>(event);
        zoom(std::pow(0.85f, static_cast<float>(e->angleDelta().y()) / 120.0f));
        return true;
    }
    case QEvent::KeyPress: {
        const auto* e = static_cast<QKeyEvent*>(event);
        const bool shift = e->modifiers() & Qt::ShiftModifier;
        switch (e->key()) {
        case Qt::Key_Left:
            shift ? pan(-0.05f, 0) : orbit(5, 0);
            return true;
        case Qt::Key_Right:
            shift ? pan(0.05f, 0) : orbit(-5, 0);
            return true;
        case Qt::Key_Up:
            shift ? pan(0, 0.05f) : orbit(0, 5);
            return true;
        case Qt::Key_Down:
            shift ? pan(0, -0.05f) : orbit(0, -5);
            return true;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
        case Qt::Key_PageUp:
            zoom(0.85f);
            return true;
        case Qt::Key_Minus:
        case Qt::Key_PageDown:
            zoom(1.0f / 0.85f);
            return true;
        case Qt::Key_Home:
        case Qt::Key_F:
            fitAll();
            return true;
        case Qt::Key_Space:
        case Qt::Key_G:
            flyTo(selectedItem());
            return true;
        case Qt::Key_Menu:
        case Qt::Key_F10: {
            if (e->key() == Qt::Key_F10 && !shift)
                return false;
            const QString id = selectedItem();
            const QPointF at =
                projectedCenter(id).value_or(QPointF(d->window->width() / 2.0, d->window->height() / 2.0));
            Q_EMIT contextMenuRequested(id, d->window->mapToGlobal(at.toPoint()));
            return true;
        }
        default:
            return false;
        }
    }
    default:
        return false;
    }
}

} // namespace twinspect::scenes
