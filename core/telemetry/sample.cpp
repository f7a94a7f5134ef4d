// SPDX-License-Identifier: Apache-2.0
#include "telemetry/sample.h"

namespace twinspect::telemetry {

QString qualityName(Quality quality)
{
    switch (quality) {
    case Quality::Good:
        return QStringLiteral("good");
    case Quality::Uncertain:
        return QStringLiteral("uncertain");
    case Quality::Stale:
        return QStringLiteral("stale");
    case Quality::Bad:
        return QStringLiteral("bad");
    case Quality::Untrusted:
        return QStringLiteral("untrusted");
    }
    return QStringLiteral("bad");
}

QString authenticityName(Authenticity authenticity)
{
    return authenticity == Authenticity::Signed ? QStringLiteral("signed") : QStringLiteral("transport");
}

QString valueText(const Value& value)
{
    if (const auto* number = std::get_if<double>(&value))
        return QString::number(*number, 'g', 10);
    if (const auto* flag = std::get_if<bool>(&value))
        return *flag ? QStringLiteral("true") : QStringLiteral("false");
    if (const auto* text = std::get_if<QString>(&value))
        return *text;
    return QStringLiteral("\u2014");
}

} // namespace twinspect::telemetry
