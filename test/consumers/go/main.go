// The example app (examples/example-app.ts) declared in Go, against the generated Go module.
//
// Mirrors examples/example-app.ts: a change there needs the same change here
// (test/consumers/compare-templates.ts compares the two templates).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-appfabric/cdk-appfabric-go/cdkappfabric"
)

// exampleEnv is the account and Region of the example (an AppFabric Region).
var exampleEnv = &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}

func buildExampleApp(app awscdk.App) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("AppFabricExample"), &awscdk.StackProps{Env: exampleEnv})
	key := awskms.NewKey(stack, jsii.String("BundleKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the AppFabric app bundle"),
		EnableKeyRotation: jsii.Bool(true),
	})
	bundle := cdkappfabric.NewAppBundle(stack, jsii.String("Bundle"), &cdkappfabric.AppBundleProps{
		EncryptionKey: key,
		Tags:          &map[string]*string{"owner": jsii.String("security-platform")},
	})

	slack := cdkappfabric.NewAppAuthorization(stack, jsii.String("Slack"), &cdkappfabric.AppAuthorizationProps{
		AppBundle: bundle,
		App:       cdkappfabric.Application_SLACK(),
		Tenant: &cdkappfabric.Tenant{
			TenantIdentifier:  jsii.String("examplecorp"),
			TenantDisplayName: jsii.String("Example Corp"),
		},
		Credential: cdkappfabric.AppCredential_Oauth2(
			awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("SlackClient"), jsii.String("appfabric/slack")), nil),
	})

	asana := cdkappfabric.NewAppAuthorization(stack, jsii.String("Asana"), &cdkappfabric.AppAuthorizationProps{
		AppBundle: bundle,
		App:       cdkappfabric.Application_ASANA(),
		Tenant: &cdkappfabric.Tenant{
			TenantIdentifier:  jsii.String("1200000000000000"),
			TenantDisplayName: jsii.String("Example Corp Asana"),
		},
		Credential: cdkappfabric.AppCredential_ApiKey(
			awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("AsanaKey"), jsii.String("appfabric/asana")), nil),
		ConnectTimeout:       awscdk.Duration_Minutes(jsii.Number(3)),
		FollowSecretRotation: jsii.Bool(true),
	})

	auditLogs := awss3.NewBucket(stack, jsii.String("AuditLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
	})
	cdkappfabric.NewIngestion(stack, jsii.String("AsanaLogs"), &cdkappfabric.IngestionProps{
		Authorization: asana,
		Destinations: &[]*cdkappfabric.IngestionDestinationConfig{{
			Target: cdkappfabric.IngestionDestinationTarget_S3(auditLogs, jsii.String("asana")),
			Schema: cdkappfabric.AuditLogSchema_OCSF,
			Format: cdkappfabric.AuditLogFormat_PARQUET,
		}},
	})

	cdkappfabric.NewAppFabricMonitor(stack, jsii.String("Monitor"), &cdkappfabric.AppFabricMonitorProps{
		AppBundle:      bundle,
		Authorizations: &[]cdkappfabric.IAppAuthorization{slack, asana},
	})

	cdkappfabric.NewTppOAuthApplication(stack, jsii.String("CertBot"), &cdkappfabric.TppOAuthApplicationProps{
		ServerUrl:       jsii.String("https://tpp.example.com"),
		TokenSecret:     awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("TppToken"), jsii.String("tpp/admin-token")),
		ApplicationId:   jsii.String("cert-bot"),
		ApplicationName: jsii.String("Certificate bot"),
		Vendor:          jsii.String("Example Corp"),
		Description:     jsii.String("Renews TLS certificates for the platform"),
		Scope:           jsii.String("certificate:manage,revoke"),
		MaximumScope:    jsii.String("certificate:manage,revoke;configuration"),
		AccessValidity:  awscdk.Duration_Hours(jsii.Number(1)),
	})

	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	buildExampleApp(app)
	app.Synth(nil)
}
