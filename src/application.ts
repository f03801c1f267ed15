import { Token } from 'aws-cdk-lib';
import { textProblem } from './synth-checks';

/**
 * How AppFabric authenticates to an application.
 */
export enum AuthType {
  /** OAuth 2.0: an administrator approves access through the authorization's `authUrl`. */
  OAUTH2 = 'oauth2',
  /** An API key: AppFabric connects with the key alone, so the deploy can verify it. */
  API_KEY = 'apiKey',
}

/**
 * A SaaS application AppFabric can connect to (the `app` value of an authorization).
 *
 * The list follows the AppFabric administration guide. AppFabric adds applications over time and
 * accepts any name, so `Application.of()` covers names this list does not know yet.
 */
export class Application {
  /** Slack (OAuth 2.0). */
  public static readonly SLACK = new Application('SLACK', AuthType.OAUTH2);
  /** Asana (API key). */
  public static readonly ASANA = new Application('ASANA', AuthType.API_KEY);
  /** Atlassian Jira (OAuth 2.0). */
  public static readonly JIRA = new Application('JIRA', AuthType.OAUTH2);
  /** Microsoft 365 (OAuth 2.0). */
  public static readonly M365 = new Application('M365', AuthType.OAUTH2);
  /**
   * Microsoft 365 audit logs (OAuth 2.0). Audit logs need both `M365` and `M365AUDITLOGS`
   * authorizations for the same tenant.
   */
  public static readonly M365_AUDIT_LOGS = new Application('M365AUDITLOGS', AuthType.OAUTH2);
  /** Zoom (OAuth 2.0, server-to-server app). */
  public static readonly ZOOM = new Application('ZOOM', AuthType.OAUTH2);
  /** Zendesk (OAuth 2.0). */
  public static readonly ZENDESK = new Application('ZENDESK', AuthType.OAUTH2);
  /** Okta (OAuth 2.0). */
  public static readonly OKTA = new Application('OKTA', AuthType.OAUTH2);
  /** Google Workspace (OAuth 2.0). */
  public static readonly GOOGLE = new Application('GOOGLE', AuthType.OAUTH2);
  /** Dropbox (OAuth 2.0). */
  public static readonly DROPBOX = new Application('DROPBOX', AuthType.OAUTH2);
  /** Smartsheet (OAuth 2.0). */
  public static readonly SMARTSHEET = new Application('SMARTSHEET', AuthType.OAUTH2);
  /** Cisco Webex (OAuth 2.0). */
  public static readonly CISCO = new Application('CISCO', AuthType.OAUTH2);
  /** HashiCorp Terraform Cloud (API key). */
  public static readonly TERRAFORM_CLOUD = new Application('TERRAFORMCLOUD', AuthType.API_KEY);

  /**
   * An application by its AppFabric name, for applications this class does not list yet.
   *
   * @param name the AppFabric `app` value, 1 to 255 characters, e.g. `'NEWAPP'`
   * @param authType how AppFabric authenticates to it
   * @default - the listed application's auth type when `name` is a listed one, otherwise `AuthType.OAUTH2`
   */
  public static of(name: string, authType?: AuthType): Application {
    if (!Token.isUnresolved(name)) {
      const fix = 'Pass the application\'s AppFabric name exactly, 1 to 255 characters, e.g. Application.of(\'NEWAPP\'), or use a listed one such as Application.SLACK.';
      const problem = textProblem(name, 255) ?? (name !== name.trim() ? 'starts or ends with whitespace (AppFabric matches app names exactly)' : undefined);
      if (problem) {
        throw new Error(`Application.of(name): the name ${problem}. ${fix}`);
      }
      const sameButCase = KNOWN_APPLICATIONS.find((app) => app.name !== name && app.name.toLowerCase() === name.toLowerCase());
      if (sameButCase) {
        throw new Error(`Application.of(name): '${name}' differs from AppFabric's name '${sameButCase.name}' only in case, and AppFabric matches app names exactly. ` +
          `Use Application.${LISTED_NAMES[sameButCase.name]}.`);
      }
      const listed = KNOWN_APPLICATIONS.find((app) => app.name === name);
      if (listed && (authType === undefined || authType === listed.authType)) {
        return listed;
      }
    }
    return new Application(name, authType ?? AuthType.OAUTH2);
  }

  private constructor(
    /** The AppFabric `app` value, e.g. `SLACK`. */
    public readonly name: string,
    /** The auth type AppFabric uses for this application. */
    public readonly authType: AuthType,
  ) {}

  /** The AppFabric `app` value. */
  public toString(): string {
    return this.name;
  }
}

const KNOWN_APPLICATIONS: Application[] = [
  Application.SLACK, Application.ASANA, Application.JIRA, Application.M365, Application.M365_AUDIT_LOGS,
  Application.ZOOM, Application.ZENDESK, Application.OKTA, Application.GOOGLE, Application.DROPBOX,
  Application.SMARTSHEET, Application.CISCO, Application.TERRAFORM_CLOUD,
];

/** The static member of each listed application, for messages. */
const LISTED_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(Application).filter(([, value]) => value instanceof Application).map(([member, app]) => [(app as Application).name, member]),
);
