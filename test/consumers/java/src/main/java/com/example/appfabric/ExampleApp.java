// The example app (examples/example-app.ts) declared in Java, against the built jar.
//
// Mirrors examples/example-app.ts: a change there needs the same change here
// (test/consumers/compare-templates.ts compares the two templates).
package com.example.appfabric;

import io.github.cdkappfabric.AppAuthorization;
import io.github.cdkappfabric.AppBundle;
import io.github.cdkappfabric.AppCredential;
import io.github.cdkappfabric.AppFabricMonitor;
import io.github.cdkappfabric.Application;
import io.github.cdkappfabric.AuditLogFormat;
import io.github.cdkappfabric.AuditLogSchema;
import io.github.cdkappfabric.Ingestion;
import io.github.cdkappfabric.IngestionDestinationConfig;
import io.github.cdkappfabric.IngestionDestinationTarget;
import io.github.cdkappfabric.Tenant;
import io.github.cdkappfabric.TppOAuthApplication;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.secretsmanager.Secret;

public final class ExampleApp {
    /** The account and Region of the example (an AppFabric Region). */
    static final Environment EXAMPLE_ENV = Environment.builder().account("111122223333").region("us-east-1").build();

    private ExampleApp() {
    }

    static Stack buildExampleApp(final App app) {
        Stack stack = new Stack(app, "AppFabricExample", StackProps.builder().env(EXAMPLE_ENV).build());
        Key key = Key.Builder.create(stack, "BundleKey")
                .description("Encrypts the AppFabric app bundle")
                .enableKeyRotation(true)
                .build();
        AppBundle bundle = AppBundle.Builder.create(stack, "Bundle")
                .encryptionKey(key)
                .tags(Map.of("owner", "security-platform"))
                .build();

        AppAuthorization slack = AppAuthorization.Builder.create(stack, "Slack")
                .appBundle(bundle)
                .app(Application.SLACK)
                .tenant(Tenant.builder().tenantIdentifier("examplecorp").tenantDisplayName("Example Corp").build())
                .credential(AppCredential.oauth2(Secret.fromSecretNameV2(stack, "SlackClient", "appfabric/slack")))
                .build();

        AppAuthorization asana = AppAuthorization.Builder.create(stack, "Asana")
                .appBundle(bundle)
                .app(Application.ASANA)
                .tenant(Tenant.builder().tenantIdentifier("1200000000000000").tenantDisplayName("Example Corp Asana").build())
                .credential(AppCredential.apiKey(Secret.fromSecretNameV2(stack, "AsanaKey", "appfabric/asana")))
                .connectTimeout(Duration.minutes(3))
                .followSecretRotation(true)
                .build();

        Bucket auditLogs = Bucket.Builder.create(stack, "AuditLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .build();
        Ingestion.Builder.create(stack, "AsanaLogs")
                .authorization(asana)
                .destinations(List.of(IngestionDestinationConfig.builder()
                        .target(IngestionDestinationTarget.s3(auditLogs, "asana"))
                        .schema(AuditLogSchema.OCSF)
                        .format(AuditLogFormat.PARQUET)
                        .build()))
                .build();

        AppFabricMonitor.Builder.create(stack, "Monitor")
                .appBundle(bundle)
                .authorizations(List.of(slack, asana))
                .build();

        TppOAuthApplication.Builder.create(stack, "CertBot")
                .serverUrl("https://tpp.example.com")
                .tokenSecret(Secret.fromSecretNameV2(stack, "TppToken", "tpp/admin-token"))
                .applicationId("cert-bot")
                .applicationName("Certificate bot")
                .vendor("Example Corp")
                .description("Renews TLS certificates for the platform")
                .scope("certificate:manage,revoke")
                .maximumScope("certificate:manage,revoke;configuration")
                .accessValidity(Duration.hours(1))
                .build();

        return stack;
    }

    public static void main(final String[] args) {
        App app = new App();
        buildExampleApp(app);
        app.synth();
    }
}
