// SPDX-License-Identifier: Apache-2.0
// Fuzz target: telemetry input from the network and from settings files. The first byte picks
// one: a JSON payload (with and without a tag from the topic), a signed envelope checked by a
// verifier, a topic against filters, a trust list, a backends.json.
#include "crypto/ed25519.h"
#include "telemetry/backendsettings.h"
#include "telemetry/jsonpayload.h"
#include "telemetry/signedpayload.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace twinspect::telemetry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    switch (data[0] % 5) {
    case 0: {
        const DecodeResult a = decodeJsonPayload(bytes, QStringLiteral("T"), 1);
        const DecodeResult b = decodeJsonPayload(bytes, {}, 1);
        // A decoded sample always has a tag, and a refusal never leaves samples behind.
        for (const DecodeResult* r : {&a, &b}) {
            if (!r->ok() && !r->samples.empty())
                __builtin_trap();
            for (const Sample& s : r->samples) {
                if (s.tag.isEmpty())
                    __builtin_trap();
            }
        }
        break;
    }
    case 1: {
        static const auto key = twinspect::crypto::Ed25519Key::generate();
        static const auto trust = [] {
            auto list = std::make_shared<TrustList>();
            list->add(QStringLiteral("p"), twinspect::crypto::Ed25519Key::fromRawPublic(key.rawPublic()).value());
            return list;
        }();
        SignatureVerifier verifier(trust, {});
        // Nothing a fuzzer writes can carry a valid signature of our key.
        if (verifier.verify(u"t/a", bytes, 0).trusted)
            __builtin_trap();
        break;
    }
    case 2: {
        const qsizetype cut = bytes.indexOf('\n');
        const QString filter = QString::fromUtf8(bytes.left(cut < 0 ? bytes.size() / 2 : cut));
        const QString topic = QString::fromUtf8(bytes.mid(cut < 0 ? bytes.size() / 2 : cut + 1));
        QStringList captures;
        if (topicMatches(filter, topic, &captures))
            expandTagTemplate(QStringLiteral("{1}/{2}/{topic}"), topic, captures);
        break;
    }
    case 3:
        TrustList::parse(bytes, QStringLiteral("fuzz.json"));
        break;
    case 4:
        if (const auto parsed = parseBackendSettings(bytes, QStringLiteral("fuzz.json"), QStringLiteral("/")); parsed.ok()) {
            for (const BackendSettings& b : parsed.value())
                validateBackend(b);
            serializeBackendSettings(parsed.value());
        }
        break;
    }
    return 0;
}
