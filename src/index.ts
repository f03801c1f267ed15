export * from './application';
export * from './app-bundle';
export * from './credential';
export * from './app-authorization';
export * from './monitoring';
export * from './ingestion';
export * from './venafi-tpp';
export * from './log-settings';
