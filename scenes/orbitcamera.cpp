// SPDX-License-Identifier: Apache-2.0
#include "orbitcamera.h"

#include <QVariantAnimation>
#include <QtMath>
#include <Qt3DRender/QCamera>

#include <algorithm>
#include <cmath>

namespace twinspect::scenes {

OrbitCamera::OrbitCamera(Qt3DRender::QCamera* camera, QObject* parent)
    : QObject(parent)
    , m_camera(camera)
    , m_animation(new QVariantAnimation(this))
{
    m_animation->setDuration(450);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setEasingCurve(QEasingCurve::InOutCubic);
    connect(m_animation, &QVariantAnimation::valueChanged, this, [this](const QVariant& value) {
        const float t = value.toFloat();
        m_target = m_fromTarget + (m_toTarget - m_fromTarget) * t;
        // Interpolate distance geometrically so zooming from far to near feels even.
        m_distance = m_fromDistance * std::pow(m_toDistance / m_fromDistance, t);
        apply();
    });
    apply();
}

OrbitCamera::~OrbitCamera() = default;

bool OrbitCamera::isAnimating() const
{
    return m_animation->state() == QAbstractAnimation::Running;
}

void OrbitCamera::orbit(float yawDegrees, float pitchDegrees)
{
    m_yaw = std::fmod(m_yaw + yawDegrees, 360.0f);
    m_pitch = std::clamp(m_pitch + pitchDegrees, -85.0f, 89.0f);
    apply();
}

void OrbitCamera::pan(float rightFraction, float upFraction)
{
    const QVector3D forward = (m_camera->viewCenter() - m_camera->position()).normalized();
    const QVector3D right = QVector3D::crossProduct(forward, QVector3D(0, 1, 0)).normalized();
    const QVector3D up = QVector3D::crossProduct(right, forward).normalized();
    const float visibleHeight = 2.0f * m_distance * std::tan(qDegreesToRadians(m_camera->fieldOfView()) / 2.0f);
    m_animation->stop();
    m_target += (right * rightFraction + up * upFraction) * visibleHeight;
    apply();
}

void OrbitCamera::zoom(float factor)
{
    m_animation->stop();
    m_distance = std::clamp(m_distance * factor, 0.05f, std::max(50.0f, m_sceneRadius * 20.0f));
    apply();
}

void OrbitCamera::lookAt(const QVector3D& target, float distance, bool animated)
{
    distance = std::max(distance, 0.05f);
    if (!animated) {
        m_animation->stop();
        m_target = target;
        m_distance = distance;
        apply();
        return;
    }
    m_fromTarget = m_target;
    m_toTarget = target;
    m_fromDistance = m_distance;
    m_toDistance = distance;
    m_animation->stop();
    m_animation->start();
}

void OrbitCamera::setSceneRadius(float radius)
{
    m_sceneRadius = std::max(radius, 0.5f);
    apply();
}

float OrbitCamera::distanceToFit(const QVector3D& boundsMin, const QVector3D& boundsMax, float aspectRatio) const
{
    QList<QVector3D> corners;
    for (int corner = 0; corner < 8; ++corner)
        corners.append(QVector3D((corner & 1) ? boundsMax.x() : boundsMin.x(), (corner & 2) ? boundsMax.y() : boundsMin.y(),
                                 (corner & 4) ? boundsMax.z() : boundsMin.z()));
    return distanceToFit((boundsMin + boundsMax) / 2, corners, aspectRatio);
}

float OrbitCamera::distanceToFit(const QVector3D& center, const QList<QVector3D>& points, float aspectRatio) const
{
    const QVector3D forward = -eyeDirection();
    const QVector3D right = QVector3D::crossProduct(forward, QVector3D(0, 1, 0)).normalized();
    const QVector3D up = QVector3D::crossProduct(right, forward).normalized();
    const float tanHalfV = std::tan(qDegreesToRadians(m_camera->fieldOfView()) / 2.0f);
    const float tanHalfH = tanHalfV * std::max(aspectRatio, 0.1f);
    float distance = 0.0f;
    for (const QVector3D& point : points) {
        const QVector3D p = point - center;
        // A point at depth D + p.f must satisfy |p.r| <= tanH * depth and |p.u| <= tanV * depth.
        const float depthOffset = QVector3D::dotProduct(p, forward);
        distance = std::max(distance, std::abs(QVector3D::dotProduct(p, right)) / tanHalfH - depthOffset);
        distance = std::max(distance, std::abs(QVector3D::dotProduct(p, up)) / tanHalfV - depthOffset);
    }
    return std::max(distance * 1.08f, 0.5f); // a margin so nothing touches the edge
}

QVector3D OrbitCamera::eyeDirection() const
{
    const float yaw = qDegreesToRadians(m_yaw);
    const float pitch = qDegreesToRadians(m_pitch);
    return QVector3D(std::cos(pitch) * std::sin(yaw), std::sin(pitch), std::cos(pitch) * std::cos(yaw));
}

void OrbitCamera::apply()
{
    const QVector3D offset = eyeDirection();
    m_camera->setUpVector(QVector3D(0, 1, 0));
    m_camera->setViewCenter(m_target);
    m_camera->setPosition(m_target + offset * m_distance);
    // Keep the depth range tight around what can be seen: a 24-bit depth buffer loses detail fast.
    const float farPlane = m_distance + m_sceneRadius * 3.0f + 10.0f;
    m_camera->setNearPlane(std::clamp(m_distance * 0.01f, 0.01f, 5.0f));
    m_camera->setFarPlane(farPlane);
    Q_EMIT changed();
}

} // namespace twinspect::scenes
