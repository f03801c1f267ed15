"""The example app (examples/example-app.ts) declared in Python, against the built wheel.

Mirrors examples/example-app.ts line for line: a change there needs the same change here
(test/consumers/compare-templates.ts compares the two templates).
"""
import aws_cdk as cdk
from aws_cdk import aws_kms as kms, aws_s3 as s3, aws_secretsmanager as secretsmanager

from cdk_appfabric import (
    AppAuthorization,
    AppBundle,
    AppCredential,
    AppFabricMonitor,
    Application,
    AuditLogFormat,
    AuditLogSchema,
    Ingestion,
    IngestionDestinationConfig,
    IngestionDestinationTarget,
    Tenant,
    TppOAuthApplication,
)

EXAMPLE_ENV = cdk.Environment(account="111122223333", region="us-east-1")


def build_example_app(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "AppFabricExample", env=EXAMPLE_ENV)
    key = kms.Key(
        stack,
        "BundleKey",
        description="Encrypts the AppFabric app bundle",
        enable_key_rotation=True,
    )
    bundle = AppBundle(stack, "Bundle", encryption_key=key, tags={"owner": "security-platform"})

    slack = AppAuthorization(
        stack,
        "Slack",
        app_bundle=bundle,
        app=Application.SLACK,
        tenant=Tenant(tenant_identifier="examplecorp", tenant_display_name="Example Corp"),
        credential=AppCredential.oauth2(
            secretsmanager.Secret.from_secret_name_v2(stack, "SlackClient", "appfabric/slack")
        ),
    )

    asana = AppAuthorization(
        stack,
        "Asana",
        app_bundle=bundle,
        app=Application.ASANA,
        tenant=Tenant(tenant_identifier="1200000000000000", tenant_display_name="Example Corp Asana"),
        credential=AppCredential.api_key(
            secretsmanager.Secret.from_secret_name_v2(stack, "AsanaKey", "appfabric/asana")
        ),
        connect_timeout=cdk.Duration.minutes(3),
        follow_secret_rotation=True,
    )

    audit_logs = s3.Bucket(
        stack,
        "AuditLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    )
    Ingestion(
        stack,
        "AsanaLogs",
        authorization=asana,
        destinations=[
            IngestionDestinationConfig(
                target=IngestionDestinationTarget.s3(audit_logs, "asana"),
                schema=AuditLogSchema.OCSF,
                format=AuditLogFormat.PARQUET,
            )
        ],
    )

    AppFabricMonitor(stack, "Monitor", app_bundle=bundle, authorizations=[slack, asana])

    TppOAuthApplication(
        stack,
        "CertBot",
        server_url="https://tpp.example.com",
        token_secret=secretsmanager.Secret.from_secret_name_v2(stack, "TppToken", "tpp/admin-token"),
        application_id="cert-bot",
        application_name="Certificate bot",
        vendor="Example Corp",
        description="Renews TLS certificates for the platform",
        scope="certificate:manage,revoke",
        maximum_scope="certificate:manage,revoke;configuration",
        access_validity=cdk.Duration.hours(1),
    )

    return stack


app = cdk.App()
build_example_app(app)
app.synth()
