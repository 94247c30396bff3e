export * from './context';
export * from './errors';
export * from './graphql';
export * from './paginate';
export * from './rest';
export * from './upload';
export * from './download';
export * from './settings';
