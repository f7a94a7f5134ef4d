// SPDX-License-Identifier: Apache-2.0
// The permission table, row by row: every role against every permission (docs/roles.md).
#include "identity/roles.h"

#include <QTest>

using namespace twinspect::identity;

class TestRoles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void table_data()
    {
        QTest::addColumn<int>("role");
        QTest::addColumn<int>("permission");
        QTest::addColumn<bool>("allowed");
        // E = engineer, A = auditor, T = trainer, D = admin. Written out in full on purpose: a
        // change to the table must change this test too.
        struct Row
        {
            Permission permission;
            bool engineer, auditor, trainer, admin;
        };
        const Row rows[] = {
            {Permission::ViewTwin, true, true, true, true},
            {Permission::OpenPlant, true, false, true, true},
            {Permission::AcknowledgeAlarm, true, false, false, false},
            {Permission::ViewAuditLog, false, true, false, true},
            {Permission::VerifyAuditLog, false, true, false, true},
            {Permission::ExportAuditLog, false, true, false, true},
            {Permission::RunReplay, false, false, true, false},
            {Permission::RunScenario, false, false, true, false},
            {Permission::ManageUsers, false, false, false, true},
            {Permission::ManageBackends, false, false, false, true},
            {Permission::ManageTrustAnchors, false, false, false, true},
            {Permission::RotateKeys, false, false, false, true},
            {Permission::ConfigureAlarms, false, false, false, true},
        };
        QCOMPARE(int(std::size(rows)), int(allPermissions().size()));
        for (const Row& row : rows) {
            const std::pair<Role, bool> cells[] = {{Role::Engineer, row.engineer}, {Role::Auditor, row.auditor},
                                                   {Role::Trainer, row.trainer},   {Role::Admin, row.admin}};
            for (const auto& [role, allowed] : cells) {
                const QByteArray tag = (roleName(role) + QStringLiteral(" / ") + permissionName(row.permission)).toUtf8();
                QTest::newRow(tag.constData()) << int(role) << int(row.permission) << allowed;
            }
        }
    }

    void table()
    {
        QFETCH(int, role);
        QFETCH(int, permission);
        QFETCH(bool, allowed);
        QCOMPARE(allows(Role(role), Permission(permission)), allowed);
    }

    void auditorsChangeNothing()
    {
        for (const Permission p : allPermissions()) {
            const bool readOnly = p == Permission::ViewTwin || p == Permission::ViewAuditLog ||
                                  p == Permission::VerifyAuditLog || p == Permission::ExportAuditLog;
            QCOMPARE(allows(Role::Auditor, p), readOnly);
        }
    }

    void criticalActionsNeedASignature()
    {
        for (const Permission p : {Permission::AcknowledgeAlarm, Permission::VerifyAuditLog, Permission::ExportAuditLog,
                                   Permission::ManageUsers, Permission::ManageBackends, Permission::ManageTrustAnchors,
                                   Permission::RotateKeys, Permission::ConfigureAlarms})
            QVERIFY2(needsSignature(p), qPrintable(permissionName(p)));
        QVERIFY(!needsSignature(Permission::ViewTwin));
    }

    void namesRoundTrip()
    {
        for (const Role r : allRoles())
            QCOMPARE(roleFromName(roleName(r)), std::optional<Role>(r));
        QVERIFY(!roleFromName(QStringLiteral("superuser")));
    }
};

QTEST_GUILESS_MAIN(TestRoles)
#include "tst_roles.moc"
