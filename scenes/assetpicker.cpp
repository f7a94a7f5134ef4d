// SPDX-License-Identifier: Apache-2.0
#include "assetpicker.h"

#include <QPointF>
#include <QRect>
#include <QSize>

#include <cmath>
#include <limits>
#include <utility>

namespace twinspect::scenes {

namespace {

constexpr float kNoHit = std::numeric_limits<float>::infinity();

/// Slab test; returns the entry distance or infinity.
float rayBox(const QVector3D& origin, const QVector3D& direction, const QVector3D& lo, const QVector3D& hi)
{
    float tMin = 0.0f;
    float tMax = kNoHit;
    for (int axis = 0; axis < 3; ++axis) {
        const float o = origin[axis];
        const float d = direction[axis];
        if (std::abs(d) < 1e-12f) {
            if (o < lo[axis] || o > hi[axis])
                return kNoHit;
            continue;
        }
        float t1 = (lo[axis] - o) / d;
        float t2 = (hi[axis] - o) / d;
        if (t1 > t2)
            std::swap(t1, t2);
        tMin = std::max(tMin, t1);
        tMax = std::min(tMax, t2);
        if (tMin > tMax)
            return kNoHit;
    }
    return tMin;
}

/// Smallest non-negative root of a t^2 + b t + c = 0, or infinity.
float smallestRoot(float a, float b, float c)
{
    if (std::abs(a) < 1e-12f)
        return kNoHit;
    const float disc = b * b - 4 * a * c;
    if (disc < 0)
        return kNoHit;
    const float s = std::sqrt(disc);
    const float t1 = (-b - s) / (2 * a);
    const float t2 = (-b + s) / (2 * a);
    if (t1 >= 0)
        return t1;
    return t2 >= 0 ? t2 : kNoHit;
}

/// Hit parameter along the local ray (origin o, direction d, not normalised) for a unit shape.
float localHit(Shape shape, const QVector3D& o, const QVector3D& d)
{
    const QVector3D lo(-0.5f, -0.5f, -0.5f);
    const QVector3D hi(0.5f, 0.5f, 0.5f);
    switch (shape) {
    case Shape::Box:
    case Shape::Count:
        return rayBox(o, d, lo, hi);
    case Shape::Sphere:
        return smallestRoot(QVector3D::dotProduct(d, d), 2 * QVector3D::dotProduct(o, d),
                            QVector3D::dotProduct(o, o) - 0.25f);
    case Shape::Cylinder: {
        // Side: x^2 + z^2 = r^2 with |y| <= 0.5, then the two caps.
        float best = kNoHit;
        const float a = d.x() * d.x() + d.z() * d.z();
        const float b = 2 * (o.x() * d.x() + o.z() * d.z());
        const float c = o.x() * o.x() + o.z() * o.z() - 0.25f;
        if (a > 1e-12f) {
            const float disc = b * b - 4 * a * c;
            if (disc >= 0) {
                const float s = std::sqrt(disc);
                for (const float t : {(-b - s) / (2 * a), (-b + s) / (2 * a)}) {
                    const float y = o.y() + t * d.y();
                    if (t >= 0 && std::abs(y) <= 0.5f)
                        best = std::min(best, t);
                }
            }
        }
        if (std::abs(d.y()) > 1e-12f) {
            for (const float capY : {-0.5f, 0.5f}) {
                const float t = (capY - o.y()) / d.y();
                const float x = o.x() + t * d.x();
                const float z = o.z() + t * d.z();
                if (t >= 0 && x * x + z * z <= 0.25f)
                    best = std::min(best, t);
            }
        }
        return best;
    }
    }
    return kNoHit;
}

} // namespace

void AssetPicker::setLayout(const SceneLayout& layout)
{
    m_candidates.clear();
    m_candidates.reserve(layout.instances.size());
    for (const InstanceSpec& spec : layout.instances) {
        bool invertible = false;
        const QMatrix4x4 inverse = spec.model.inverted(&invertible);
        if (!invertible)
            continue;
        // Instance bounds, tighter than the item's (a pipe spans many segments).
        QVector3D lo(kNoHit, kNoHit, kNoHit);
        QVector3D hi = -lo;
        for (int corner = 0; corner < 8; ++corner) {
            const QVector3D p = spec.model.map(QVector3D((corner & 1) ? 0.5f : -0.5f, (corner & 2) ? 0.5f : -0.5f,
                                                         (corner & 4) ? 0.5f : -0.5f));
            lo = QVector3D(std::min(lo.x(), p.x()), std::min(lo.y(), p.y()), std::min(lo.z(), p.z()));
            hi = QVector3D(std::max(hi.x(), p.x()), std::max(hi.y(), p.y()), std::max(hi.z(), p.z()));
        }
        m_candidates.append(Candidate{lo, hi, inverse, spec.shape, spec.item});
    }
}

std::optional<PickHit> AssetPicker::pick(const Ray& ray, const QList<bool>& hidden) const
{
    PickHit best{-1, kNoHit};
    for (const Candidate& c : m_candidates) {
        const float entry = rayBox(ray.origin, ray.direction, c.boundsMin, c.boundsMax);
        if (entry >= best.distance)
            continue;
        if (c.item < hidden.size() && hidden.at(c.item))
            continue;
        const QVector3D localOrigin = c.worldToLocal.map(ray.origin);
        const QVector3D localDirection = c.worldToLocal.mapVector(ray.direction);
        // The local direction is not normalised, so t is still a world-space distance.
        const float t = localHit(c.shape, localOrigin, localDirection);
        if (t < best.distance)
            best = PickHit{c.item, t};
    }
    if (best.item < 0)
        return std::nullopt;
    return best;
}

Ray rayFromWindow(const QPointF& pixel, const QSize& windowSize, const QMatrix4x4& view, const QMatrix4x4& projection)
{
    const QRect viewport(0, 0, windowSize.width(), windowSize.height());
    // unproject expects a bottom-left origin.
    const auto y = static_cast<float>(windowSize.height() - pixel.y());
    const auto x = static_cast<float>(pixel.x());
    const QVector3D nearPoint = QVector3D(x, y, 0.0f).unproject(view, projection, viewport);
    const QVector3D farPoint = QVector3D(x, y, 1.0f).unproject(view, projection, viewport);
    return Ray{nearPoint, (farPoint - nearPoint).normalized()};
}

} // namespace twinspect::scenes
