// SPDX-License-Identifier: Apache-2.0
// twinspect-sim: simulated, replayed and benchmark telemetry over MQTT with TLS (docs/cli.md).
#include "cli.h"
#include "commands.h"

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace twinspect::sim;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinspect-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWINSPECT_VERSION));
    const QStringList args = QCoreApplication::arguments();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Publish simulated or recorded telemetry to an MQTT broker over TLS, make publisher keys, load-test.\n\n"
        "Commands (each has --help):\n"
        "  publish --broker mqtts://HOST:PORT --ca CA.crt --cert C.crt --key C.key [--plant FILE] [--rate HZ]\n"
        "          [--duration S] [--faults] [--seed N] [--sign-key PRIVATE.pem --publisher ID]\n"
        "  replay  --csv FILE --map COLUMN=TAG[,...] [--speed X] --broker ... --ca ...\n"
        "  keygen  --private OUT.pem --publisher ID --trust TRUST.json\n"
        "  flood   --rate N --duration S [--payload-bytes B] [--tags K] [--connections C] --broker ... --ca ...\n\n"
        "Exit codes: 0 done, 1 failed (connection, files), 2 usage error."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("publish, replay, keygen or flood"));
    if (args.size() < 2)
        return fail(QStringLiteral("give a command: publish, replay, keygen or flood (see --help)"), kUsage);
    const QString command = args.at(1);
    if (command.startsWith(QLatin1Char('-'))) {
        if (!parser.parse(args))
            return fail(parser.errorText(), kUsage);
        if (parser.isSet(help))
            parser.showHelp(kOk);
        if (parser.isSet(version))
            parser.showVersion();
        return fail(QStringLiteral("give a command first: publish, replay, keygen or flood"), kUsage);
    }
    if (command == u"publish")
        return runPublish(args);
    if (command == u"replay")
        return runReplay(args);
    if (command == u"keygen")
        return runKeygen(args);
    if (command == u"flood")
        return runFlood(args);
    return fail(QStringLiteral("unknown command '%1'; the commands are publish, replay, keygen and flood").arg(command),
                kUsage);
}
