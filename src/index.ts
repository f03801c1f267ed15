export * from './application';
export * from './app-bundle';
