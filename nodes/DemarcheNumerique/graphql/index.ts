export * from './fragments';
export * from './queries';
