// Acknowledging cdk-nag findings on the library's own resources. cdk-nag (v3, through
// Validations) matches granular findings by their exact id, which names the resource the way
// cdk-nag renders it: `<LogicalId.Attr>` for Fn::GetAtt, `<LogicalId>` for Ref, joined as text.
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * aws-cdk-lib's built-in template validation does not know the AppFabric resource types yet and
 * warns `Unknown resource type` (F3006) for them. The types are real; users should not see
 * noise caused by this library's own resources.
 */
export function acknowledgeUnknownResourceType(resource: IConstruct): void {
  Validations.of(resource).acknowledge({
    id: 'CloudFormation-Validate::F3006',
    reason: 'AWS::AppFabric::* are real CloudFormation types the bundled validation schema does not list yet',
  });
}

/** Acknowledges `AwsSolutions-IAM5` for one wildcard resource of a policy in `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(scope).resolve(resource))}]`,
    reason,
  });
}

function nagResourceName(resolved: unknown): string {
  if (typeof resolved === 'string') {
    return resolved;
  }
  const value = resolved as Record<string, any>;
  if (value.Ref) {
    return `<${value.Ref}>`;
  }
  if (value['Fn::GetAtt']) {
    return `<${value['Fn::GetAtt'].join('.')}>`;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return (parts as unknown[]).map(nagResourceName).join(separator);
  }
  return JSON.stringify(resolved);
}
