// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

namespace twinspect::ui {

/// What the colours and patterns on the 3D twin mean (View ▸ Legend), drawn with the overlay's
/// own palette and patterns (scenes/overlaystyle.h), so the legend cannot drift from the view.
class LegendPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LegendPanel(QWidget* parent = nullptr);

    /// The explanations, top to bottom (for tests and screen readers).
    QStringList entries() const;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
};

} // namespace twinspect::ui
