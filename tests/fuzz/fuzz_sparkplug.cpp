// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the Sparkplug B session. The input is a sequence of messages, each
// [selector byte][length, 2 bytes little-endian][payload], so the fuzzer can reach the stateful
// paths (a birth, then data by alias, a death...). The selector's low 3 bits pick the message
// type, bit 3 the device, bit 4 the edge node; a type of 7 sends the payload as the topic text.
// The first byte of the input chooses qualified tag names. Each input starts a fresh session so
// that a crash reproduces from its file alone.
#include "telemetry/sparkplug/sparkplug.h"

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <variant>

namespace {

void check(const twinspect::telemetry::sparkplug::Outcome& outcome)
{
    using twinspect::telemetry::Quality;
    for (const auto& sample : outcome.samples) {
        if (sample.tag.isEmpty())
            __builtin_trap(); // every sample names its tag
        if (std::holds_alternative<std::monostate>(sample.value) && sample.quality < Quality::Stale)
            __builtin_trap(); // no value is never shown as good or merely uncertain
    }
    if (outcome.rebirth &&
        !(outcome.rebirth->topic.startsWith(u"spBv1.0/") && outcome.rebirth->topic.contains(u"/NCMD/")))
        __builtin_trap();
    if (outcome.problems.size() > 33)
        __builtin_trap(); // 32 listed problems per message and one line counting the rest
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using twinspect::telemetry::sparkplug::Session;
    if (size < 1)
        return 0;
    static constexpr const char16_t* kTypes[] = {u"NBIRTH", u"NDATA",  u"NDEATH", u"DBIRTH",
                                                 u"DDATA",  u"DDEATH", u"NCMD"};
    Session::Options options;
    options.qualifiedTagNames = (data[0] & 1) != 0;
    options.maxMetricsPerNode = 1'000; // small limits keep each input fast and reach the refusals
    options.maxMetricsPerSession = 2'000;
    options.maxNodes = 2;
    Session session(options);
    qint64 now = 1'700'000'000'000;
    size_t at = 1;
    while (at + 3 <= size) {
        const uint8_t selector = data[at];
        const size_t length = std::min<size_t>(data[at + 1] | (size_t(data[at + 2]) << 8), size - at - 3);
        const QByteArray payload(reinterpret_cast<const char*>(data) + at + 3, static_cast<qsizetype>(length));
        at += 3 + length;
        const unsigned type = selector & 7;
        QString topic;
        if (type == 7) {
            topic = QString::fromUtf8(payload);
            twinspect::telemetry::sparkplug::parseTopic(topic);
        } else {
            topic = u"spBv1.0/G/" + QString::fromUtf16(kTypes[type]) + ((selector & 16) ? u"/E2" : u"/E1");
            if (type >= 3 && type <= 5)
                topic += (selector & 8) ? u"/D2" : u"/D1";
        }
        now += 10;
        check(session.handle(topic, payload, now));
    }
    return 0;
}
