// Resolves the CloudFormation intrinsic functions a rehearsal meets in resource properties and
// outputs, against what earlier steps produced: Ref, Fn::GetAtt, Fn::Join, Fn::Select,
// Fn::Split, Fn::Sub (simple form), Fn::If with known conditions, and the pseudo parameters.

export interface ResolveContext {
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
  readonly stackId: string;
  /** What `Ref` of a resource returns (its physical id, or the ARN for some types). */
  ref(logicalId: string): string;
  /** What `Fn::GetAtt` of a resource returns. */
  getAtt(logicalId: string, attribute: string): unknown;
}

export function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(item, ctx));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [name, args] = entries[0];
    switch (name) {
      case 'Ref': return ref(args as string, ctx);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(args) ? args as string[] : String(args).split('.');
        return ctx.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return (resolve(parts, ctx) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = args as [unknown, unknown];
        return (resolve(list, ctx) as unknown[])[Number(resolve(index, ctx))];
      }
      case 'Fn::Split': {
        const [separator, text] = args as [string, unknown];
        return String(resolve(text, ctx)).split(separator);
      }
      case 'Fn::Sub': {
        const template = typeof args === 'string' ? args : (args as [string])[0];
        return template.replace(/\$\{([^}]+)\}/g, (_m, variable: string) => String(variable.includes('.')
          ? ctx.getAtt(variable.split('.')[0], variable.split('.').slice(1).join('.')) : ref(variable, ctx)));
      }
    }
    if (name.startsWith('Fn::')) {
      throw new Error(`the rehearsal does not resolve ${name} (in ${JSON.stringify(value).slice(0, 120)})`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, ctx)]));
}

function ref(name: string, ctx: ResolveContext): string {
  switch (name) {
    case 'AWS::Region': return ctx.region;
    case 'AWS::AccountId': return ctx.account;
    case 'AWS::Partition': return 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::StackId': return ctx.stackId;
    case 'AWS::NoValue': return undefined as unknown as string;
    default: return ctx.ref(name);
  }
}

/** The logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub), for dependency order. */
export function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((item) => references(item, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof item === 'string' && !item.startsWith('AWS::')) {
        found.add(item);
      } else if (key === 'Fn::GetAtt') {
        found.add(Array.isArray(item) ? String(item[0]) : String(item).split('.')[0]);
      } else if (key === 'Fn::Sub') {
        const template = typeof item === 'string' ? item : (item as [string])[0];
        for (const match of template.matchAll(/\$\{([^}.]+)[^}]*\}/g)) {
          if (!match[1].startsWith('AWS::')) {
            found.add(match[1]);
          }
        }
      } else {
        references(item, found);
      }
    }
  }
  return found;
}
