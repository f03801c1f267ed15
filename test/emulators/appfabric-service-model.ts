import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The official AppFabric service model (appfabric-model.json, origin in appfabric-model.ORIGIN.md)
 * and what follows from it for a request on the wire: each operation's route, where each input
 * member travels, and every constraint on the input (required members, types, lengths, ranges,
 * patterns, enums, unions). The emulator validates with it and the conformance test checks the
 * client against it, so neither holds a hand-written copy of a rule.
 */

export interface ShapeRef {
  readonly shape?: string;
  readonly location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  readonly locationName?: string;
  readonly idempotencyToken?: boolean;
}

export interface Shape {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'double' | 'float';
  readonly required?: readonly string[];
  readonly members?: Record<string, ShapeRef>;
  readonly member?: ShapeRef;
  readonly union?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly error?: { readonly httpStatusCode: number };
}

export interface ModelOperation {
  readonly name: string;
  readonly http: { readonly method?: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: ShapeRef;
  readonly output?: ShapeRef;
  readonly errors?: readonly ShapeRef[];
}

export interface ServiceModel {
  readonly metadata: { readonly protocol: string; readonly signingName: string };
  readonly operations: Record<string, ModelOperation>;
  readonly shapes: Record<string, Shape>;
}

export const MODEL: ServiceModel = JSON.parse(readFileSync(path.join(__dirname, 'appfabric-model.json'), 'utf8'));

export function modelOperation(name: string): ModelOperation {
  const operation = MODEL.operations[name];
  if (!operation) throw new Error(`${name} is not an operation of the AppFabric model`);
  return operation;
}

/** A shape by reference (every member of this model names its shape). */
export function shapeOf(ref: ShapeRef | undefined): Shape {
  if (!ref?.shape) return { type: 'structure', members: {} };
  const shape = MODEL.shapes[ref.shape];
  if (!shape) throw new Error(`shape ${ref.shape} is not in the model`);
  return shape;
}

/** Where each input member travels; `body` members are the JSON document's. */
export interface InputLayout {
  readonly labels: string[];
  /** Member name → query parameter name. */
  readonly query: Record<string, string>;
  readonly body: string[];
  readonly headers: string[];
}

export function inputLayout(operation: ModelOperation): InputLayout {
  const layout: InputLayout = { labels: [], query: {}, body: [], headers: [] };
  for (const [name, ref] of Object.entries(shapeOf(operation.input).members ?? {})) {
    if (ref.location === 'uri') layout.labels.push(ref.locationName ?? name);
    else if (ref.location === 'querystring') layout.query[name] = ref.locationName ?? name;
    else if (ref.location === 'header' || ref.location === 'headers') layout.headers.push(name);
    else layout.body.push(name);
  }
  return layout;
}

/**
 * A model pattern as a RegExp. The model file is botocore's, which drops the leading `^` and the
 * trailing `$` of the Smithy source (`^arn:.+$` there, `arn:.+` here; every AppFabric pattern is
 * anchored at both ends in the Smithy model), so both ends are anchored again.
 */
export function patternOf(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** One violated constraint, named as AWS names fields: `tenant.tenantIdentifier`, `tags.1.key`. */
export interface FieldProblem {
  readonly name: string;
  readonly message: string;
  /** A JSON value of the wrong type: AWS cannot parse the request at all (reason cannotParse). */
  readonly cannotParse?: boolean;
}

/** An operation's input as read from a request: labels decoded, query values as sent (decoded). */
export interface WireInput {
  readonly labels: Record<string, string>;
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly body: Record<string, unknown>;
}

/**
 * Every constraint of the model the input violates (no value is ever quoted: some are secrets).
 * Returns the input as typed members (query integers parsed) when there is no problem.
 */
export function validateInput(operation: ModelOperation, wire: WireInput): { problems: FieldProblem[]; input: Record<string, unknown> } {
  const inputShape = shapeOf(operation.input);
  const input: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [name, ref] of Object.entries(inputShape.members ?? {})) {
    const wireName = ref.locationName ?? name;
    if (ref.location === 'uri') {
      input[name] = wire.labels[wireName];
    } else if (ref.location === 'querystring') {
      const values = wire.query.get(wireName);
      if (values !== undefined) input[name] = queryValue(shapeOf(ref), values, name, problems);
    } else if (ref.location === undefined) {
      input[name] = wire.body[name];
    }
  }
  problems.push(...structureProblems(inputShape, input, ''));
  return { problems, input };
}

function queryValue(shape: Shape, values: readonly string[], name: string, problems: FieldProblem[]): unknown {
  if (shape.type === 'list') return [...values];
  const value = values[values.length - 1];
  if (shape.type === 'integer' || shape.type === 'long') {
    if (!/^-?\d+$/.test(value)) {
      problems.push({ name, message: 'Member must be an integer', cannotParse: true });
      return undefined;
    }
    return Number(value);
  }
  return value;
}

function join(at: string, name: string): string {
  return at === '' ? name : `${at}.${name}`;
}

function structureProblems(shape: Shape, value: Record<string, unknown>, at: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const members = shape.members ?? {};
  for (const name of shape.required ?? []) {
    if (value[name] === undefined || value[name] === null) problems.push({ name: join(at, name), message: 'Member must not be null' });
  }
  const set = Object.keys(members).filter((name) => value[name] !== undefined && value[name] !== null);
  if (shape.union && set.length !== 1) {
    problems.push({ name: at, message: `Member must have exactly one of [${Object.keys(members).join(', ')}] set` });
  }
  for (const name of set) problems.push(...valueProblems(shapeOf(members[name]), value[name], join(at, name)));
  return problems;
}

function valueProblems(shape: Shape, value: unknown, at: string): FieldProblem[] {
  switch (shape.type) {
    case 'structure':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ name: at, message: 'Member must be a structure', cannotParse: true }];
      return structureProblems(shape, value as Record<string, unknown>, at);
    case 'list': {
      if (!Array.isArray(value)) return [{ name: at, message: 'Member must be a list', cannotParse: true }];
      const problems = lengthProblems(shape, value.length, at);
      value.forEach((item, i) => {
        if (item === null || item === undefined) problems.push({ name: `${at}.${i + 1}`, message: 'Member must not be null' });
        else problems.push(...valueProblems(shapeOf(shape.member), item, `${at}.${i + 1}`));
      });
      return problems;
    }
    case 'integer':
    case 'long': {
      if (!Number.isInteger(value)) return [{ name: at, message: 'Member must be an integer', cannotParse: true }];
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) return [{ name: at, message: `Member must have value greater than or equal to ${shape.min}` }];
      if (shape.max !== undefined && n > shape.max) return [{ name: at, message: `Member must have value less than or equal to ${shape.max}` }];
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ name: at, message: 'Member must be a boolean', cannotParse: true }];
    case 'string': {
      if (typeof value !== 'string') return [{ name: at, message: 'Member must be a string', cannotParse: true }];
      // Smithy lengths count Unicode scalar values, not UTF-16 code units.
      const problems = lengthProblems(shape, [...value].length, at);
      if (problems.length > 0) return problems;
      if (shape.pattern !== undefined && !patternOf(shape.pattern).test(value)) {
        return [{ name: at, message: `Member must satisfy regular expression pattern: ${shape.pattern}` }];
      }
      if (shape.enum && !shape.enum.includes(value)) return [{ name: at, message: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` }];
      return [];
    }
    default:
      return [];
  }
}

function lengthProblems(shape: Shape, length: number, at: string): FieldProblem[] {
  if (shape.min !== undefined && length < shape.min) return [{ name: at, message: `Member must have length greater than or equal to ${shape.min}` }];
  if (shape.max !== undefined && length > shape.max) return [{ name: at, message: `Member must have length less than or equal to ${shape.max}` }];
  return [];
}

/** The HTTP status the model gives an error shape. */
export function errorStatus(errorType: string): number {
  const status = MODEL.shapes[errorType]?.error?.httpStatusCode;
  if (status === undefined) throw new Error(`${errorType} is not an error of the AppFabric model`);
  return status;
}
