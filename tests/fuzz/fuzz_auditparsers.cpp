// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the audit log's parsers of outside input. The first byte picks one: checkpoint
// body, signed checkpoint (anchor), entry bytes, JSONL export, filtered JSONL export.
#include "audit/auditentry.h"
#include "audit/auditexport.h"
#include "audit/auditverifier.h"
#include "audit/checkpoint.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    using namespace twinspect::audit;
    switch (data[0] % 5) {
    case 0:
        if (const auto cp = Checkpoint::parseBody(bytes); cp.ok() && cp.value().body() != bytes)
            __builtin_trap(); // parse must accept only the canonical form
        break;
    case 1:
        SignedCheckpoint::parseText(bytes);
        break;
    case 2:
        embeddedSeq(bytes);
        queryFields(bytes);
        entryTimeMs(bytes);
        parseEntry(bytes);
        break;
    case 3: {
        VerifyOptions options;
        options.anchorText = bytes.left(bytes.indexOf('\n') + 1);
        verifyExportBytes(bytes, QStringLiteral("fuzz.jsonl"), options);
        break;
    }
    default:
        verifyFilteredExportBytes(bytes, QStringLiteral("fuzz.jsonl"), {}, {});
        break;
    }
    return 0;
}
