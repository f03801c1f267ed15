// The wire format between the Ingestion construct and its state handler. Typed once, here.

export const INGESTION_STATE_RESOURCE_TYPE = 'Custom::AppFabricIngestionState';

export interface IngestionStateProperties {
  readonly AppBundleArn: string;
  readonly IngestionArn: string;
  /** `'true'`: started (delivering); `'false'`: stopped. */
  readonly Enabled: string;
}

export interface IngestionStateData {
  /** `enabled` or `disabled`, when the deploy finished. */
  readonly State: string;
}
