// What a synthesized template is made of: its size, its resources, and how many bytes each part
// contributes. A part's contribution is measured, not estimated: the size of the template minus
// the size of the same template with that part removed (the CDK writes templates as JSON with a
// one-space indent, and so does this module).

export type Template = {
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, { Description?: string; Value: unknown }>;
  [section: string]: unknown;
};

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** The resource type that stands for one authorization in each variant. */
export const AUTHORIZATION_TYPES: Record<'library' | 'l1', string> = {
  library: 'Custom::AppFabricAppAuthorization',
  l1: 'AWS::AppFabric::AppAuthorization',
};

/** Bytes as the CDK writes the template file. */
export function templateBytes(template: Template): number {
  return Buffer.byteLength(JSON.stringify(template, undefined, 1));
}

export function resourceCount(template: Template): number {
  return Object.keys(template.Resources ?? {}).length;
}

export function outputCount(template: Template): number {
  return Object.keys(template.Outputs ?? {}).length;
}

/** Statements in all IAM policy resources (inline and managed). */
export function policyStatementCount(template: Template): number {
  return Object.values(template.Resources ?? {})
    .filter((resource) => IAM_POLICY_TYPES.includes(resource.Type))
    .reduce((count, resource) => {
      const statements = (resource.Properties?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement ?? [];
      return count + statements.length;
    }, 0);
}

export function resourceTypeCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.Resources ?? {})) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

/** A named part of a template and how to remove it from a copy. */
interface TemplatePart {
  readonly name: string;
  readonly remove: (template: Template) => void;
}

/** Bytes each part contributes to the template (see the module comment). */
export function partContributions(template: Template, authorizationType: string): Map<string, number> {
  const total = templateBytes(template);
  const contributions = new Map<string, number>();
  for (const part of partsOf(template, authorizationType)) {
    const copy = structuredClone(template);
    part.remove(copy);
    contributions.set(part.name, total - templateBytes(copy));
  }
  // What the named sub-parts of an authorization resource leave over: braces, "Type", indentation.
  const resourceTotal = contributions.get(AUTHORIZATION_RESOURCE) ?? 0;
  const named = [...contributions].filter(([name]) => name.startsWith(`${AUTHORIZATION_RESOURCE}: `)).reduce((s, [, b]) => s + b, 0);
  contributions.set(`${AUTHORIZATION_RESOURCE}: Type and JSON framing`, resourceTotal - named);
  const outputsTotal = contributions.get(OUTPUTS) ?? 0;
  contributions.set(`${OUTPUTS}: names, values and framing`, outputsTotal - (contributions.get(`${OUTPUTS}: Description`) ?? 0));
  return contributions;
}

export const AUTHORIZATION_RESOURCE = 'authorization resource';
export const OUTPUTS = 'Outputs';
export const IAM_POLICIES = 'IAM policies (AWS::IAM::Policy, AWS::IAM::ManagedPolicy)';
const IAM_POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];
export const OTHER_RESOURCES = 'other resources';

function partsOf(template: Template, authorizationType: string): TemplatePart[] {
  const authorizationIds = idsWhere(template, (r) => r.Type === authorizationType);
  const first = authorizationIds.length > 0 ? template.Resources![authorizationIds[0]] : undefined;
  const forEachAuthorization = (t: Template, change: (r: TemplateResource) => void) => authorizationIds.forEach((id) => change(t.Resources![id]));

  const parts: TemplatePart[] = [
    { name: AUTHORIZATION_RESOURCE, remove: (t) => authorizationIds.forEach((id) => delete t.Resources![id]) },
    {
      name: IAM_POLICIES,
      remove: (t) => idsWhere(t, (r) => IAM_POLICY_TYPES.includes(r.Type)).forEach((id) => delete t.Resources![id]),
    },
    {
      name: OTHER_RESOURCES,
      remove: (t) => idsWhere(t, (r) => r.Type !== authorizationType && !IAM_POLICY_TYPES.includes(r.Type)).forEach((id) => delete t.Resources![id]),
    },
    { name: OUTPUTS, remove: (t) => { delete t.Outputs; } },
    { name: `${OUTPUTS}: Description`, remove: (t) => Object.values(t.Outputs ?? {}).forEach((o) => { delete o.Description; }) },
  ];
  for (const property of Object.keys(first?.Properties ?? {})) {
    parts.push({
      name: `${AUTHORIZATION_RESOURCE}: Properties.${property}`,
      remove: (t) => forEachAuthorization(t, (r) => { delete r.Properties![property]; }),
    });
  }
  for (const attribute of Object.keys(first ?? {}).filter((key) => key !== 'Type' && key !== 'Properties')) {
    parts.push({
      name: `${AUTHORIZATION_RESOURCE}: ${attribute}`,
      remove: (t) => forEachAuthorization(t, (r) => { delete r[attribute]; }),
    });
  }
  return parts;
}

function idsWhere(template: Template, predicate: (resource: TemplateResource) => boolean): string[] {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => predicate(resource)).map(([id]) => id);
}

/** Per-authorization growth of each part between two templates of the same variant. */
export function growthPerAuthorization(small: { template: Template; count: number }, large: { template: Template; count: number },
  authorizationType: string): Map<string, number> {
  const before = partContributions(small.template, authorizationType);
  const after = partContributions(large.template, authorizationType);
  const growth = new Map<string, number>();
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    growth.set(name, ((after.get(name) ?? 0) - (before.get(name) ?? 0)) / (large.count - small.count));
  }
  return growth;
}
