// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QObject>
#include <QVector3D>

class QVariantAnimation;
namespace Qt3DRender {
class QCamera;
}

namespace twinspect::scenes {

/// Turntable camera around a target point: yaw about world Y, pitch clamped so the view never
/// flips, distance on a log scale. Fly-to animates target and distance together.
class OrbitCamera : public QObject
{
    Q_OBJECT
public:
    explicit OrbitCamera(Qt3DRender::QCamera* camera, QObject* parent = nullptr);
    ~OrbitCamera() override;

    void orbit(float yawDegrees, float pitchDegrees);
    /// Moves target and eye sideways/up by a fraction of the visible height.
    void pan(float rightFraction, float upFraction);
    /// factor < 1 moves closer.
    void zoom(float factor);
    void lookAt(const QVector3D& target, float distance, bool animated);
    void setSceneRadius(float radius);
    /// Distance from the centre of a box at which the whole box is in view, looking from the
    /// current direction with this aspect ratio (width / height).
    float distanceToFit(const QVector3D& boundsMin, const QVector3D& boundsMax, float aspectRatio) const;
    /// The same for a set of points around `center` (tighter when the content does not fill its box).
    float distanceToFit(const QVector3D& center, const QList<QVector3D>& points, float aspectRatio) const;

    QVector3D target() const { return m_target; }
    float distance() const { return m_distance; }
    bool isAnimating() const;

Q_SIGNALS:
    void changed();

private:
    void apply();
    /// Unit vector from the target towards the eye.
    QVector3D eyeDirection() const;

    Qt3DRender::QCamera* m_camera;
    QVariantAnimation* m_animation;
    QVector3D m_target;
    float m_distance = 20.0f;
    float m_yaw = 25.0f;
    float m_pitch = 40.0f;
    float m_sceneRadius = 10.0f;
    QVector3D m_fromTarget;
    QVector3D m_toTarget;
    float m_fromDistance = 0.0f;
    float m_toDistance = 0.0f;
};

} // namespace twinspect::scenes
