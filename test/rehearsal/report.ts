// What a rehearsal prints: an introduction saying once what is real and what stands in, a short
// header and a table per pass, what each pass changed, and a summary. Every line fits a terminal
// of MAX_WIDTH columns: ARNs are shortened, long values wrapped.
import { PassReport, ResourceOutcome } from './rehearse';
import { formatTable } from '../../src/cli/commands';

export const MAX_WIDTH = 160;

/** A tenant as the AppFabric emulator holds it. */
export interface TenantView {
  /** The authorization's resource in the stack (`Slack`). */
  readonly resource: string;
  readonly app: string;
  readonly tenantIdentifier: string;
  readonly displayName: string;
}

/** Requests one emulator received during a pass. */
export interface ServiceRequests {
  readonly service: string;
  /** Requests per operation, in the order first seen. */
  readonly operations: Record<string, number>;
  /** How many carried a SigV4 Authorization header scoped to the service (undefined: not an AWS service). */
  readonly signed?: number;
  /** The requests answered with an HTTP error, as `<operation> <status>` (a handler's probes included). */
  readonly errors: string[];
}

export interface PassExtras {
  /** Update: the tenants read from the emulator before and after the pass. */
  readonly tenantsBefore?: TenantView[];
  readonly tenantsAfter?: TenantView[];
  /** Delete: what the emulators still hold afterwards, one phrase each. */
  readonly leftAfter?: string[];
  /** The outputs after the previous pass: outputs that did not change are not printed again. */
  readonly previousOutputs?: PassReport['outputs'];
}

const PASS_HEADERS: Record<PassReport['pass'], string> = {
  Create: '1/3 Create: the stack deployed for the first time; resources created in dependency order',
  Update: '2/3 Update: the stack deployed again with edited properties; CloudFormation sends each changed resource an Update',
  Delete: '3/3 Delete: the stack deleted; resources removed in reverse order',
};

export function introduction(assembly: string, stacks: Array<{ name: string; account: string; region: string }>): string[] {
  return [
    `Deploy rehearsal of ${assembly}: ${stacks.map((s) => `stack ${s.name} (account ${s.account}, ${s.region})`).join(', ')}.`,
    'It creates, updates and deletes the stack the way CloudFormation would, against local emulators. Nothing reaches AWS.',
    '',
    ...formatTable([
      ['  Real:', 'the library\'s handlers, run from the bundled code in the cloud assembly as Lambda would run them;'],
      ['', 'their HTTP requests, signed with SigV4 (the emulators check the signature\'s service and Region, not its key);'],
      ['', 'the AppFabric emulator\'s validation of every request against AWS\'s published AppFabric service model.'],
      ['  Stand-in:', 'CloudFormation (this rehearsal sends the custom resource events and reads the handlers\' answers);'],
      ['', 'the AWS services: AppFabric, Secrets Manager and the Venafi TPP server are emulators on 127.0.0.1;'],
      ['', 'resources without a handler: AppFabric bundles and ingestions are made directly in the emulator,'],
      ['', 'the rest (IAM, Lambda, KMS, S3, ...) only get a made-up id.'],
    ]).split('\n'),
    '',
    'The tables list AppFabric and custom resources. BY: who acted, "handler" (the library\'s code) or "stand-in" (the rehearsal).',
    'ID: the last part of an ARN (arn:aws:appfabric:<region>:<account>:appbundle/<id>/appauthorization/<id> shows as its last <id>).',
  ];
}

export function passLines(report: PassReport, extras: PassExtras = {}): string[] {
  const lines = ['', `== ${PASS_HEADERS[report.pass]} ==`];
  lines.push(...outcomeLines([...report.outcomes, ...(report.failure ? [report.failure] : [])], 'RESULT'));
  if (report.outcomes.some((o) => o.status === 'PendingConnect') && report.pass === 'Create') {
    lines.push(...wrap('PendingConnect: OAuth waits for an administrator to open the AuthUrl output, approve and run `npx cdk-appfabric connect`.'));
  }
  if (extras.tenantsBefore && extras.tenantsAfter) {
    lines.push('', 'Tenants, as the AppFabric emulator holds them before and after this pass:');
    lines.push(...tenantTable(extras.tenantsBefore, extras.tenantsAfter));
  }
  const otherChanges = report.outcomes.flatMap((outcome) => (outcome.changes ?? [])
    .filter((change) => !(outcome.type === 'Custom::AppFabricAppAuthorization' && change.property === 'TenantDisplayName'))
    .map((change) => ({ outcome, change })));
  if (otherChanges.length) {
    lines.push('', 'Other properties changed:');
    for (const { outcome, change } of otherChanges) {
      lines.push(...wrap(`${outcome.path}.${change.property}: ${show(change.before)} -> ${show(change.after)}`, '  ', '    '));
    }
  }
  const outputs = Object.entries(report.outputs).flatMap(([stack, values]) => Object.entries(values).map(([key, value]) => ({ stack, key, value })));
  if (outputs.length && extras.previousOutputs && JSON.stringify(extras.previousOutputs) === JSON.stringify(report.outputs)) {
    lines.push('', 'Stack outputs: unchanged.');
  } else if (outputs.length) {
    lines.push('', 'Stack outputs:');
    for (const { stack, key, value } of outputs) {
      lines.push(...outputLines(`${Object.keys(report.outputs).length > 1 ? `${stack}.` : ''}${key}`, String(value)));
    }
  }
  if (extras.leftAfter) {
    lines.push('', ...wrap(`Left in the emulators: ${extras.leftAfter.join('; ')}.`));
  }
  if (report.failure) {
    const failure = report.failure;
    lines.push('', ...wrap(`FAILED: ${failure.path} (${failure.type}): ${failure.error}`, '', '  '));
    if (report.rollback.length) {
      lines.push('', 'Rolled back (CloudFormation undoes the pass):', ...outcomeLines(report.rollback, 'ROLLBACK'));
    }
  }
  return lines;
}

export interface SummaryInput {
  readonly passes: PassReport[];
  readonly requests: ServiceRequests[];
  readonly failed?: PassReport;
  readonly leftBehind: number;
  /** Handler log lines, printed when the rehearsal failed. */
  readonly handlerLogs: string[];
}

export function summaryLines(input: SummaryInput): string[] {
  const [create, update, remove] = input.passes;
  const lines = ['', '== Summary =='];
  const rows: string[][] = [];
  if (input.failed) {
    const rolledBack = input.failed.rollback.filter(isListed).map((o) => o.path);
    rows.push(['Failed', `the ${input.failed.pass} pass, at ${input.failed.failure?.path ?? 'an unknown resource'}; rolled back: `
      + `${rolledBack.join(', ') || 'nothing listed'} and ${input.failed.rollback.length - rolledBack.length} other resources`]);
  }
  if (create && !create.failure) {
    const listed = create.outcomes.filter(isListed);
    const byHandlers = listed.filter((o) => o.by === 'handler').length;
    rows.push(['Created', `${listed.length} listed (${byHandlers} by handlers, ${listed.length - byHandlers} by the stand-in)`
      + ` and ${create.outcomes.length - listed.length} other resources with made-up ids`]);
  }
  if (update && !update.failure) {
    const changed = update.outcomes.filter((o) => o.changes?.length);
    const replaced = update.outcomes.filter((o) => o.action === 'replaced').length;
    rows.push(['Changed', `${changed.length} in place, ${replaced} replaced: ${changed.map((o) => `${o.path} (${o.changes!.map((c) => c.property).join(', ')})`).join(', ') || 'nothing'}`]);
  }
  if (remove && !remove.failure) {
    const deleted = remove.outcomes.filter((o) => o.action === 'deleted');
    const retained = remove.outcomes.filter((o) => o.action === 'retained');
    const retainedListed = retained.filter(isListed).map((o) => o.path);
    const retainedOthers = retained.length - retainedListed.length;
    rows.push(['Deleted', `${deleted.filter(isListed).length} listed and ${deleted.filter((o) => !isListed(o)).length} other resources`
      + (retained.length ? `; retained (removal policy RETAIN, no Delete sent): ${[...retainedListed,
        ...(retainedOthers ? [`${retainedOthers} other resources`] : [])].join(' and ')}` : '')]);
  }
  for (const service of input.requests) {
    const total = Object.values(service.operations).reduce((a, b) => a + b, 0);
    if (total === 0) {
      rows.push([rows.some((r) => r[0] === 'Requests') ? '' : 'Requests', `${service.service}: none`]);
      continue;
    }
    const signed = service.signed === undefined ? '' : `, ${service.signed === total ? 'all' : service.signed} SigV4-signed`;
    const errors = service.errors.length ? `; error answers${input.failed ? '' : ', each handled'}: ${service.errors.join(', ')}` : '';
    rows.push([rows.some((r) => r[0] === 'Requests') ? '' : 'Requests',
      `${service.service}: ${total}${signed} (${Object.entries(service.operations).map(([op, n]) => `${op} ${n}`).join(', ')})${errors}`]);
  }
  const widths = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [label, text] of rows) {
    lines.push(...wrap(text, `${label.padEnd(widths)}`, ' '.repeat(widths + 2)));
  }
  if (input.failed) {
    lines.push('', ...wrap(`Rehearsal failed in the ${input.failed.pass} pass, at ${input.failed.failure?.path ?? 'an unknown resource'}.`
      + ' What the handlers logged (CloudWatch Logs, in AWS):'));
    for (const line of input.handlerLogs) {
      lines.push(...wrap(line, '  | ', '  |   '));
    }
  } else if (input.leftBehind > 0) {
    lines.push('', `Rehearsal failed: ${input.leftBehind} authorization(s) left in the AppFabric emulator after the Delete pass.`);
  } else {
    lines.push('', 'Rehearsal passed: created, updated in place and deleted; nothing left in the AppFabric emulator.');
  }
  return lines;
}

/** Custom resources and AppFabric's own resources: what the library's handlers act on or need. */
function isListed(outcome: ResourceOutcome): boolean {
  return /^(Custom|AWS::AppFabric)::/.test(outcome.type) || outcome.type === 'AWS::CloudFormation::CustomResource';
}

/** A table of the listed outcomes, then a count per service of the others. */
function outcomeLines(outcomes: ResourceOutcome[], resultHeader: string): string[] {
  const listed = outcomes.filter(isListed);
  const lines = listed.length ? table(listed, resultHeader) : ['(no AppFabric or custom resources)'];
  const others = outcomes.filter((outcome) => !isListed(outcome));
  for (const [action, phrase] of [['created', 'given made-up ids'], ['deleted', 'deleted'], ['retained', 'retained (removal policy RETAIN)']]) {
    const these = others.filter((outcome) => outcome.action === action);
    if (these.length) {
      lines.push(...wrap(`+ ${these.length} other resources ${phrase}: ${countByService(these)}`));
    }
  }
  return lines;
}

function table(outcomes: ResourceOutcome[], resultHeader: string): string[] {
  const stacks = new Set(outcomes.map((o) => o.stack));
  return formatTable([
    ['RESOURCE', 'TYPE', 'ID', 'BY', resultHeader],
    ...outcomes.map((o) => [stacks.size > 1 ? `${o.stack}/${o.path}` : o.path, o.type, shortId(o.physicalId), o.by, result(o)]),
  ]).split('\n');
}

function result(outcome: ResourceOutcome): string {
  const reported = outcome.data?.Status ?? outcome.data?.State;
  if (outcome.action === 'retained') {
    return 'retained: no Delete sent';
  }
  return reported && !/FAILED|deleted/.test(outcome.action) ? `${outcome.action}: ${reported}` : outcome.action;
}

/**
 * An id as the tables show it: an ARN's last segment (`.../appauthorization/<id>` -> `<id>`), with
 * the one before when the last is a word (`.../ingestion/<id>/state` -> `<id>/state`); a made-up id as such.
 */
export function shortId(physicalId: string): string {
  if (physicalId.endsWith('-standin')) {
    return '(made-up id)';
  }
  if (!physicalId.startsWith('arn:')) {
    return physicalId;
  }
  const segments = physicalId.split(':').slice(5).join(':').split('/');
  return segments.slice(/\d/.test(segments[segments.length - 1]) ? -1 : -2).join('/');
}

function tenantTable(before: TenantView[], after: TenantView[]): string[] {
  const keys = [...new Set([...before, ...after].map((t) => `${t.app} ${t.tenantIdentifier}`))];
  const find = (list: TenantView[], key: string) => list.find((t) => `${t.app} ${t.tenantIdentifier}` === key);
  return formatTable([
    ['RESOURCE', 'APP', 'TENANT', 'DISPLAY NAME BEFORE', 'DISPLAY NAME AFTER'],
    ...keys.map((key) => {
      const [was, is] = [find(before, key), find(after, key)];
      const any = (is ?? was)!;
      return [any.resource, any.app, any.tenantIdentifier, was?.displayName ?? '(none)', is?.displayName ?? '(none)'];
    }),
  ]).split('\n').map((line) => `  ${line}`);
}

/** A long URL broken before each query parameter; any other value wrapped. */
function outputLines(key: string, value: string): string[] {
  const url = /^(https?:\/\/[^?]+)\?(.+)$/.exec(value);
  if (url && `  ${key} = ${value}`.length > MAX_WIDTH) {
    const indent = ' '.repeat(key.length + 5);
    return [...wrap(`${key} = ${url[1]}`, '  ', indent),
      ...url[2].split('&').flatMap((param, i) => wrap(`${i === 0 ? '?' : '&'}${param}`, indent, indent))];
  }
  return wrap(`${key} = ${value}`, '  ', '    ');
}

function countByService(outcomes: ResourceOutcome[]): string {
  return countBy(outcomes, (o) => o.type.split('::')[1] ?? o.type);
}

function countBy(outcomes: ResourceOutcome[], key: (o: ResourceOutcome) => string): string {
  const counts = new Map<string, number>();
  outcomes.forEach((o) => counts.set(key(o), (counts.get(key(o)) ?? 0) + 1));
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join(', ');
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}

/**
 * Wraps text at spaces to MAX_WIDTH columns: the first line after `first`, the rest after `rest`;
 * a word longer than a line (a URL, a JSON log line) is cut.
 */
export function wrap(text: string, first = '', rest = '  '): string[] {
  const lines: string[] = [];
  let line = first;
  let prefix = first;
  for (const word of text.split(' ')) {
    const candidate = line.length > prefix.length ? `${line} ${word}` : `${line}${word}`;
    if (candidate.length <= MAX_WIDTH) {
      line = candidate;
      continue;
    }
    if (line.length > prefix.length) {
      lines.push(line);
      prefix = rest;
      line = rest;
    }
    let remaining = word;
    while (line.length + remaining.length > MAX_WIDTH) {
      const room = MAX_WIDTH - line.length;
      lines.push(line + remaining.slice(0, room));
      remaining = remaining.slice(room);
      prefix = rest;
      line = rest;
    }
    line += remaining;
  }
  lines.push(line);
  return lines;
}
