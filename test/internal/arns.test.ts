// The ARN module: pure parsing and building, unit-tested directly.
import {
  ArnError, bundleArnOf, formatAppFabricArn, hasWildcard, isAppAuthorizationArn, isAwsRegion, parseAppFabricArn, parseSecretArn, tryParseAppFabricArn,
} from '../../src/internal/arns';
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';

const BUNDLE = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
const AUTH = `${BUNDLE}/appauthorization/c1d2e3f4-5678-90ab-cdef-222222222222`;

test('parses every part of bundle, authorization and ingestion ARNs, and builds them back', () => {
  expect(parseAppFabricArn(AUTH, 'appauthorization')).toEqual({
    partition: 'aws',
    region: 'us-east-1',
    account: '111122223333',
    kind: 'appauthorization',
    appBundleId: 'a1b2c3d4-5678-90ab-cdef-111111111111',
    appBundleArn: BUNDLE,
    resourceId: 'c1d2e3f4-5678-90ab-cdef-222222222222',
    arn: AUTH,
  });
  expect(parseAppFabricArn(`${BUNDLE}/ingestion/i1`, 'ingestion').resourceId).toBe('i1');
  const gov = 'arn:aws-us-gov:appfabric:us-gov-west-1:111122223333:appbundle/b1';
  expect(parseAppFabricArn(gov, 'appbundle')).toMatchObject({ partition: 'aws-us-gov', region: 'us-gov-west-1', appBundleArn: gov });
  expect(formatAppFabricArn({
    partition: 'aws',
    region: 'us-east-1',
    account: '111122223333',
    appBundleId: 'a1b2c3d4-5678-90ab-cdef-111111111111',
    kind: 'appauthorization',
    resourceId: 'c1d2e3f4-5678-90ab-cdef-222222222222',
  })).toBe(AUTH);
  expect(bundleArnOf(AUTH)).toBe(BUNDLE);
  expect(bundleArnOf(`${BUNDLE}/ingestion/i1`)).toBe(BUNDLE);
});

test.each([
  ['a wildcard id', `${BUNDLE}/appauthorization/*`, 'is a pattern'],
  ['a wildcard Region', AUTH.replace('us-east-1', '*'), 'is a pattern'],
  ['a host as the Region', AUTH.replace('us-east-1', 'x@evil.example'), 'its Region is not an AWS Region code'],
  ['a short account', AUTH.replace('111122223333', '1111'), 'its account is not a 12-digit AWS account id'],
  ['a bundle ARN', BUNDLE, 'is not an AppFabric appauthorization ARN'],
  ['a path that goes on', `${AUTH}/more`, 'is not an AppFabric appauthorization ARN'],
  ['an id with a #', `${BUNDLE}/appauthorization/c1#x`, 'is not an AppFabric appauthorization ARN'],
  ['another service', 'arn:aws:s3:::bucket', 'is not an AppFabric appauthorization ARN'],
  ['the failed-create marker', CREATE_FAILED_PHYSICAL_ID, 'is not an AppFabric appauthorization ARN'],
])('an authorization ARN with %s is refused, and the problem never repeats the value', (_name, value, problem) => {
  expect(() => parseAppFabricArn(value, 'appauthorization')).toThrow(ArnError);
  expect(() => parseAppFabricArn(value, 'appauthorization')).toThrow(problem);
  expect(tryParseAppFabricArn(value, 'appauthorization')).toBeUndefined();
  expect(isAppAuthorizationArn(value)).toBe(false);
});

test('secret ARNs: complete and partial parse; patterns and other shapes do not', () => {
  expect(parseSecretArn('arn:aws:secretsmanager:eu-west-1:444455556666:secret:appfabric/slack-AbCdEf'))
    .toEqual({ partition: 'aws', region: 'eu-west-1', account: '444455556666', secretName: 'appfabric/slack-AbCdEf' });
  expect(parseSecretArn('arn:aws:secretsmanager:eu-west-1:444455556666:secret:appfabric/slack').secretName).toBe('appfabric/slack');
  expect(() => parseSecretArn('arn:aws:secretsmanager:us-east-1:111122223333:secret:*')).toThrow('is a pattern, not a secret ARN');
  expect(() => parseSecretArn('arn:aws:secretsmanager:us-east-1:111122223333:secret:a?')).toThrow('is a pattern');
  expect(() => parseSecretArn('arn:aws:ssm:us-east-1:111122223333:parameter/x')).toThrow('is not a Secrets Manager secret ARN');
});

test('Region codes and wildcards', () => {
  for (const region of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1']) {
    expect(isAwsRegion(region)).toBe(true);
  }
  for (const region of ['', 'US-EAST-1', 'us-east', 'x@evil.example/#', 'us-east-1.evil.example', 'localhost:8080', undefined]) {
    expect(isAwsRegion(region)).toBe(false);
  }
  expect(hasWildcard('appfabric/*')).toBe(true);
  expect(hasWildcard('appfabric/slack-??????')).toBe(true);
  expect(hasWildcard(BUNDLE)).toBe(false);
});
