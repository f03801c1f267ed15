import { Application, AuthType } from '../src';

describe('Application', () => {
  test.each([
    [Application.SLACK, 'SLACK', AuthType.OAUTH2],
    [Application.ASANA, 'ASANA', AuthType.API_KEY],
    [Application.M365_AUDIT_LOGS, 'M365AUDITLOGS', AuthType.OAUTH2],
    [Application.TERRAFORM_CLOUD, 'TERRAFORMCLOUD', AuthType.API_KEY],
    [Application.CISCO, 'CISCO', AuthType.OAUTH2],
  ])('%s has its AppFabric name and default auth type', (app, name, authType) => {
    expect(app.name).toBe(name);
    expect(app.authType).toBe(authType);
  });

  test('of() returns the listed application for a listed name', () => {
    expect(Application.of('ASANA')).toBe(Application.ASANA);
  });

  test('of() accepts applications the list does not know, oauth2 unless told otherwise', () => {
    expect(Application.of('NEWAPP')).toMatchObject({ name: 'NEWAPP', authType: AuthType.OAUTH2 });
    expect(Application.of('NEWAPP', AuthType.API_KEY)).toMatchObject({ name: 'NEWAPP', authType: AuthType.API_KEY });
  });

  test.each([
    ['', 'is empty'], ['   ', 'is only whitespace'], ['x'.repeat(256), 'is 256 characters; AppFabric accepts 1 to 255'],
  ])('of() rejects %j with the fix', (bad, problem) => {
    expect(() => Application.of(bad)).toThrow(`Application.of(name): the name ${problem}. Pass the application's AppFabric name exactly, 1 to 255 characters`);
  });
});
