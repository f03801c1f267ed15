// The custom resource events the Provider framework hands to an onEvent handler, and its answer.
// (aws-cdk-lib/custom-resources "Provider framework" contract; no CDK import at run time.)

export interface OnEventRequest<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ServiceToken?: string;
  readonly ResponseURL?: string;
  /** Set on Update and Delete. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken?: string };
  /** Set on Update. */
  readonly OldResourceProperties?: P & { readonly ServiceToken?: string };
}

export interface OnEventResponse<D> {
  readonly PhysicalResourceId: string;
  readonly Data?: D;
}

/** The subset of the Lambda context the handlers use. */
export interface HandlerContext {
  getRemainingTimeInMillis(): number;
}

/** Leave this much of the Lambda's time to report a failure instead of timing out silently. */
export const REPORT_MARGIN_MS = 10_000;

/** The epoch time by which retries and waits must stop. */
export function deadlineFrom(context: HandlerContext | undefined, fallbackMs = 5 * 60_000): number {
  const remaining = context?.getRemainingTimeInMillis() ?? fallbackMs;
  return Date.now() + Math.max(1_000, remaining - REPORT_MARGIN_MS);
}
